import type { Store } from '../types.ts';
import type { Db } from './db.ts';
import { notPorted } from './not-ported.ts';

const CONTENT = [
  'publishVersion',
  'listLatestVersions',
  'listVersions',
  'getVersion',
  'getVersionByHash',
  'versionsMark',
  'versionsSince',
  'latestVersions',
  'createDraft',
  'getDraft',
  'saveDraft',
  'discardDraft',
  'listDrafts',
  'setPreviewToken',
  'getDraftByPreviewToken',
  'listPendingUpdates',
  'getPendingUpdate',
  'builtinSeen',
  'applyBuiltin',
  'listAudit',
] as const;

/** Placeholder: part C ports versions, drafts, audit, pending updates and builtin seen (replaced at merge). */
export function contentPart(_db: Db, _now: () => number = Date.now): Pick<Store, (typeof CONTENT)[number]> {
  return notPorted(CONTENT);
}
