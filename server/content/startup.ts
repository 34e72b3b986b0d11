import type { ContentStore } from '../store/types.ts';
import { builtinDocuments } from './builtin.ts';
import type { FlowDocument } from './document.ts';
import { ContentService } from './service.ts';
import { syncBuiltins, type SyncOutcome } from './sync.ts';
import type { VersionRegistry } from './versions.ts';

/**
 * What a process that serves or changes guides does first (the server before it listens, the CLI before its
 * command): the release's built-in guides brought into the database, then every guide's latest version installed
 * as current.
 */
export async function startContent(
  store: ContentStore,
  registry: VersionRegistry,
  options: { documents?: readonly FlowDocument[]; onError?: (err: unknown) => void } = {},
): Promise<{ content: ContentService; synced: SyncOutcome[] }> {
  const synced = await syncBuiltins(store, options.documents ?? builtinDocuments());
  const content = new ContentService(store, registry, options.onError);
  await content.installLatest();
  return { content, synced };
}

/** One line per guide a start changed (nothing for guides it left alone), for whoever started it. */
export const describeSync = (synced: readonly SyncOutcome[]) =>
  synced.flatMap((s) =>
    s.result === 'published'
      ? [`guide ${s.flowId}: the release's document published as version ${s.number}`]
      : s.result === 'pending'
        ? [`guide ${s.flowId}: the release changed it, but people have published edits since; kept as a pending update to review`]
        : [],
  );
