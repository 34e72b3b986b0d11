import { VersionConflictError, type BuiltinDecision, type FlowVersionSummary, type ContentStore } from '../store/types.ts';
import { contentHash, type FlowDocument } from './document.ts';
import { validateDocument } from './validate.ts';

/** What a start did with one built-in guide. */
export interface SyncOutcome {
  flowId: string;
  /**
   * `published`: the release's document is the guide's new version (the first one on an empty database);
   * `pending`: it is held for review, people had published their own edits; `unchanged`: nothing to do.
   */
  result: 'published' | 'pending' | 'unchanged';
  number?: number;
}

/** The note the system gives the versions it publishes. */
export const RELEASE_NOTE = 'Built-in guide of this release';

/** How often one guide's decision is made again when another instance starting at the same moment got there first. */
const ATTEMPTS = 5;

/**
 * Brings the database up to the release's built-in guides, at start and before anything is served. A guide whose
 * built-in document this database has seen already is left alone. Otherwise the document is published as a new
 * version, unless the guide's latest version is content people wrote (not a built-in document of any release):
 * then it waits as a pending update for an administrator, and their edits stay current.
 */
export async function syncBuiltins(store: ContentStore, documents: readonly FlowDocument[]): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  // A release's guides are checked with each other: one may show another's facts.
  const others = new Map(documents.map((d) => [d.id, d.facts]));
  for (const { version: _number, ...document } of documents) outcomes.push(await syncOne(store, document, others));
  return outcomes;
}

async function syncOne(store: ContentStore, document: FlowDocument, others: ReadonlyMap<string, FlowDocument['facts']>): Promise<SyncOutcome> {
  const flowId = document.id;
  const hash = contentHash(document);
  for (let attempt = 0; ; attempt++) {
    const seen = await store.builtinSeen(flowId);
    // Seen before means stored before, and validated then: a start with nothing new costs a hash per guide.
    if (seen === hash) return { flowId, result: 'unchanged' };
    const checked = validateDocument(document, { others });
    if (!checked.ok) throw new Error(`the built-in guide ${flowId} is not valid: ${checked.problems.map((p) => p.message).join('; ')}`);
    const versions = await store.listVersions(flowId);
    const decision = decide(document, hash, seen, versions);
    try {
      const published = await store.applyBuiltin(decision);
      if (decision.kind === 'publish') return { flowId, result: 'published', number: published!.number };
      return { flowId, result: decision.kind === 'pending' ? 'pending' : 'unchanged' };
    } catch (e) {
      if (!(e instanceof VersionConflictError) || attempt >= ATTEMPTS) throw e;
    }
  }
}

/** The rule, on its own: `versions` newest first. */
export function decide(document: FlowDocument, hash: string, seen: string | undefined, versions: readonly FlowVersionSummary[]): BuiltinDecision {
  const latest = versions[0];
  if (latest?.hash === hash) return { kind: 'seen', flowId: document.id, hash };
  // The latest content is a built-in document (the one last seen, or any a release published): nobody's edits
  // would be lost by replacing it.
  const builtinContent = !latest || latest.hash === seen || versions.some((v) => v.via === 'release' && v.hash === latest.hash);
  if (builtinContent)
    return {
      kind: 'publish',
      version: { flowId: document.id, hash, document, note: RELEASE_NOTE, actor: { agentId: null, via: 'release' }, ifLatest: latest?.number ?? null },
    };
  return { kind: 'pending', pending: { flowId: document.id, hash, document }, fromVersion: latest.number };
}
