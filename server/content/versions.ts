import type { FlowRegistry, RegisteredFlow } from '../engine/flow-registry.ts';
import type { FlowVersionRecord, ContentStore } from '../store/types.ts';

/** What the content code needs of the registry: the current guides, and installing and finding versions. */
export type VersionRegistry = Pick<FlowRegistry, 'get' | 'list' | 'install' | 'version'>;

/**
 * The version of a guide a session started on, by its content hash: installed already, or read from the store and
 * installed now (a session of an older version, after a restart or on another instance). Undefined when no version
 * has that hash (sessions from before versions were stored): the caller decides what a session on it gets.
 */
export async function pinnedFlow(store: ContentStore, registry: VersionRegistry, flowId: string, hash: string): Promise<RegisteredFlow | undefined> {
  const installed = registry.version(flowId, hash);
  if (installed) return installed;
  const key = `${flowId}\u0000${hash}`;
  let missing = neverStored.get(store);
  if (!missing) neverStored.set(store, (missing = new Set()));
  if (missing.has(key)) return undefined;
  const stored = await store.getVersionByHash(flowId, hash);
  if (stored) return installVersion(registry, stored, false);
  // A hash no version has (a session from before versions) never gains one: a session is only ever started on a
  // stored version. Remembered, so such a session's steps do not ask the store again each time.
  if (missing.size >= 10_000) missing.clear();
  missing.add(key);
  return undefined;
}

/** Per database: the hashes of guide versions it does not have. */
const neverStored = new WeakMap<ContentStore, Set<string>>();

/** Installs a stored version under its number. */
export const installVersion = (registry: VersionRegistry, v: FlowVersionRecord, current: boolean) =>
  registry.install(v.document, { number: v.number, current });
