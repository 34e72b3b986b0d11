import {
  type Actor,
  type AuditRecord,
  type BuiltinDecision,
  DraftConflictError,
  type FlowVersionRecord,
  type NewVersion,
  type Store,
  VersionConflictError,
} from '../types.ts';
import {
  type AuditRow,
  type DraftRow,
  type PendingRow,
  type VersionRow,
  DRAFT_SUMMARY,
  VERSION_SUMMARY,
  toAudit,
  toDraft,
  toDraftSummary,
  toPending,
  toSummary,
  toVersion,
  newVersionRecord,
} from '../rows.ts';
import type { Db } from './db.ts';

/** The part of Store that keeps guides: published versions, drafts, pending built-in updates, and the audit log. */
export type ContentPart = Pick<
  Store,
  | 'publishVersion'
  | 'listLatestVersions'
  | 'listVersions'
  | 'getVersion'
  | 'getVersionByHash'
  | 'versionsMark'
  | 'versionsSince'
  | 'latestVersions'
  | 'createDraft'
  | 'getDraft'
  | 'saveDraft'
  | 'discardDraft'
  | 'listDrafts'
  | 'setPreviewToken'
  | 'getDraftByPreviewToken'
  | 'listPendingUpdates'
  | 'getPendingUpdate'
  | 'builtinSeen'
  | 'applyBuiltin'
  | 'listAudit'
>;

const LATEST = 'number = (SELECT max(number) FROM flow_versions l WHERE l.flow_id = flow_versions.flow_id)';
// SQLite orders text by its bytes; PostgreSQL by the database's locale unless told otherwise.
const BY_FLOW = 'flow_id COLLATE "C"';

/**
 * Held from just before a version's row is inserted until its transaction ends, so versions commit in the order
 * of their seq: a reader that saw seq n can never later meet a committed version below n (versionsSince would
 * skip it). The per-guide lock alone lets two guides' publishes commit out of order.
 */
const VERSIONS_LOCK = "hashtext('mailhelp:flow_versions')";

export function contentPart(db: Db, now: () => number = Date.now): ContentPart {
  const latestNumber = async (q: Db, flowId: string) =>
    (await q.one<{ n: number | null }>('SELECT max(number) AS n FROM flow_versions WHERE flow_id = $1', [flowId]))?.n ?? null;
  /** The guide's versions are taken one transaction at a time, in every process: what BEGIN IMMEDIATE is on SQLite. */
  const lockGuide = (q: Db, flowId: string) => q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [flowId]);

  const audit = (q: Db, e: Omit<AuditRecord, 'id' | 'agentId' | 'via'> & { actor: Actor }) =>
    q.query(
      `INSERT INTO audit_log (at, agent_id, via, action, flow_id, from_version, to_version, draft_id, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.at, e.actor.agentId, e.actor.via, e.action, e.flowId, e.fromVersion, e.toVersion, e.draftId, e.note],
    );

  /** The next number, inside the caller's transaction and under the guide's lock. */
  const storeVersion = async (q: Db, v: NewVersion, at: number): Promise<FlowVersionRecord> => {
    await lockGuide(q, v.flowId);
    const latest = await latestNumber(q, v.flowId);
    if (v.ifLatest !== undefined && v.ifLatest !== latest) throw new VersionConflictError(v.flowId, latest);
    const number = (latest ?? 0) + 1;
    await q.query(`SELECT pg_advisory_xact_lock(${VERSIONS_LOCK})`);
    await q.query(
      `INSERT INTO flow_versions (flow_id, number, hash, document, note, published_by, via, published_at, origins)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [v.flowId, number, v.hash, JSON.stringify(v.document), v.note, v.actor.agentId, v.actor.via, at, JSON.stringify(v.origins ?? {})],
    );
    // A published version that has the pending content (or a later release's) leaves nothing to review.
    await q.query('DELETE FROM pending_updates WHERE flow_id = $1 AND hash = $2', [v.flowId, v.hash]);
    // The draft becomes this version: it is closed, so nobody goes on editing what is already out.
    if (v.draftId !== undefined) await q.query(`UPDATE drafts SET status = 'published' WHERE id = $1 AND status = 'open'`, [v.draftId]);
    await audit(q, { at, actor: v.actor, action: v.action, flowId: v.flowId, fromVersion: latest, toVersion: number, draftId: v.draftId ?? null, note: v.note });
    return newVersionRecord(v, number, at);
  };

  const upsertSeen = (q: Db, flowId: string, hash: string, at: number) =>
    q.query(
      `INSERT INTO builtin_seen (flow_id, hash, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (flow_id) DO UPDATE SET hash = excluded.hash, seen_at = excluded.seen_at`,
      [flowId, hash, at],
    );

  const selectDraft = (q: Db, id: number) => q.one<DraftRow>('SELECT * FROM drafts WHERE id = $1', [id]);

  return {
    publishVersion(version) {
      const at = now();
      return db.tx((q) => storeVersion(q, version, at));
    },
    async listLatestVersions() {
      return (await db.many<VersionRow>(`SELECT ${VERSION_SUMMARY} FROM flow_versions WHERE ${LATEST} ORDER BY ${BY_FLOW}`)).map(toSummary);
    },
    async listVersions(flowId) {
      return (await db.many<VersionRow>(`SELECT ${VERSION_SUMMARY} FROM flow_versions WHERE flow_id = $1 ORDER BY number DESC`, [flowId])).map(toSummary);
    },
    async getVersion(flowId, number) {
      const row =
        number === undefined
          ? await db.one<VersionRow>('SELECT * FROM flow_versions WHERE flow_id = $1 ORDER BY number DESC LIMIT 1', [flowId])
          : await db.one<VersionRow>('SELECT * FROM flow_versions WHERE flow_id = $1 AND number = $2', [flowId, number]);
      return row && toVersion(row);
    },
    async getVersionByHash(flowId, hash) {
      const row = await db.one<VersionRow>('SELECT * FROM flow_versions WHERE flow_id = $1 AND hash = $2 ORDER BY number DESC LIMIT 1', [flowId, hash]);
      return row && toVersion(row);
    },
    async versionsMark() {
      return (await db.one<{ mark: number | null }>('SELECT max(seq) AS mark FROM flow_versions'))?.mark ?? 0;
    },
    async versionsSince(mark) {
      const rows = await db.many<VersionRow & { mark: number }>('SELECT seq AS mark, * FROM flow_versions WHERE seq > $1 ORDER BY seq', [mark]);
      return { mark: rows.at(-1)?.mark ?? mark, versions: rows.map(toVersion) };
    },
    async latestVersions() {
      return (await db.many<VersionRow>(`SELECT * FROM flow_versions WHERE ${LATEST} ORDER BY ${BY_FLOW}`)).map(toVersion);
    },
    createDraft(draft, entry) {
      const at = now();
      return db.tx(async (q) => {
        // The base version is the latest as this transaction sees it, with no publish of the guide in between.
        await lockGuide(q, draft.flowId);
        const latest = await latestNumber(q, draft.flowId);
        const row = (await q.one<DraftRow>(
          `INSERT INTO drafts (flow_id, hash, document, created_by, created_at, base_version, origins, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $4, $5) RETURNING *`,
          [
            draft.flowId,
            draft.hash,
            JSON.stringify(draft.document),
            draft.createdBy,
            at,
            draft.baseVersion === undefined ? latest : draft.baseVersion,
            JSON.stringify(draft.origins ?? {}),
          ],
        ))!;
        await audit(q, { at, actor: entry.actor, action: entry.action, flowId: draft.flowId, fromVersion: latest, toVersion: null, draftId: row.id, note: entry.note });
        return toDraft(row);
      });
    },
    async getDraft(id) {
      const row = await selectDraft(db, id);
      return row && toDraft(row);
    },
    async saveDraft(id, save) {
      const at = now();
      const saved = await db.tx(async (q) => {
        // One statement: a concurrent save of the same revision waits for this row and then no longer matches.
        const row = await q.one<DraftRow>(
          `UPDATE drafts SET hash = $1, document = $2, origins = $3, revision = revision + 1, updated_by = $4, updated_at = $5
           WHERE id = $6 AND revision = $7 AND status = 'open' RETURNING *`,
          [save.hash, JSON.stringify(save.document), JSON.stringify(save.origins), save.actor.agentId, at, id, save.ifRevision],
        );
        if (!row) {
          const current = await selectDraft(q, id);
          if (!current) return undefined;
          throw new DraftConflictError(toDraft(current));
        }
        const latest = await latestNumber(q, row.flow_id);
        await audit(q, { at, actor: save.actor, action: 'edit', flowId: row.flow_id, fromVersion: latest, toVersion: null, draftId: id, note: save.note });
        return toDraft(row);
      });
      if (!saved) throw new Error(`there is no draft ${id}`);
      return saved;
    },
    async discardDraft(id, actor) {
      const at = now();
      const closed = await db.tx(async (q) => {
        const row = await q.one<DraftRow>(`UPDATE drafts SET status = 'discarded' WHERE id = $1 AND status = 'open' RETURNING *`, [id]);
        if (!row) {
          const current = await selectDraft(q, id);
          if (!current) return undefined;
          throw new DraftConflictError(toDraft(current));
        }
        const latest = await latestNumber(q, row.flow_id);
        await audit(q, { at, actor, action: 'discard', flowId: row.flow_id, fromVersion: latest, toVersion: null, draftId: id, note: null });
        return toDraft(row);
      });
      if (!closed) throw new Error(`there is no draft ${id}`);
      return closed;
    },
    async listDrafts(flowId) {
      const rows =
        flowId === undefined
          ? await db.many<DraftRow>(`SELECT ${DRAFT_SUMMARY} FROM drafts WHERE status = 'open' ORDER BY updated_at DESC, id DESC`)
          : await db.many<DraftRow>(`SELECT ${DRAFT_SUMMARY} FROM drafts WHERE status = 'open' AND flow_id = $1 ORDER BY updated_at DESC, id DESC`, [flowId]);
      return rows.map(toDraftSummary);
    },
    async setPreviewToken(id, tokenHash) {
      await db.query('UPDATE drafts SET preview_token = $1 WHERE id = $2', [tokenHash, id]);
    },
    async getDraftByPreviewToken(tokenHash) {
      const row = await db.one<DraftRow>('SELECT * FROM drafts WHERE preview_token = $1', [tokenHash]);
      return row && toDraft(row);
    },
    async listPendingUpdates() {
      return (await db.many<PendingRow>(`SELECT * FROM pending_updates ORDER BY ${BY_FLOW}`)).map(toPending);
    },
    async getPendingUpdate(flowId) {
      const row = await db.one<PendingRow>('SELECT * FROM pending_updates WHERE flow_id = $1', [flowId]);
      return row && toPending(row);
    },
    async builtinSeen(flowId) {
      return (await db.one<{ hash: string }>('SELECT hash FROM builtin_seen WHERE flow_id = $1', [flowId]))?.hash;
    },
    applyBuiltin(d: BuiltinDecision) {
      const at = now();
      const SYSTEM: Actor = { agentId: null, via: 'release' };
      return db.tx(async (q): Promise<FlowVersionRecord | undefined> => {
        // The guide's lock before any row of it: a publish here and a pending update in another instance would
        // otherwise each hold what the other waits for (builtin_seen's row, the lock). Taken again inside
        // storeVersion, which an advisory lock allows.
        await lockGuide(q, d.kind === 'publish' ? d.version.flowId : d.kind === 'pending' ? d.pending.flowId : d.flowId);
        if (d.kind === 'publish') {
          await upsertSeen(q, d.version.flowId, d.version.hash, at);
          return storeVersion(q, { ...d.version, action: 'publish' }, at);
        }
        if (d.kind === 'pending') {
          const { flowId, hash } = d.pending;
          await upsertSeen(q, flowId, hash, at);
          await q.query(
            `INSERT INTO pending_updates (flow_id, hash, document, found_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (flow_id) DO UPDATE SET hash = excluded.hash, document = excluded.document, found_at = excluded.found_at`,
            [flowId, hash, JSON.stringify(d.pending.document), at],
          );
          await audit(q, { at, actor: SYSTEM, action: 'pending', flowId, fromVersion: d.fromVersion, toVersion: null, draftId: null, note: null });
          return undefined;
        }
        await upsertSeen(q, d.flowId, d.hash, at);
        return undefined;
      });
    },
    async listAudit({ flowId, limit, offset }) {
      const rows =
        flowId === undefined
          ? await db.many<AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2', [limit, offset])
          : await db.many<AuditRow>('SELECT * FROM audit_log WHERE flow_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3', [flowId, limit, offset]);
      return rows.map(toAudit);
    },
  };
}
