import type Database from 'better-sqlite3';
import { type DeliveryRow, type HandoffRow, toDelivery, toHandoff } from '../rows.ts';
import { HANDOFF_STATUSES, HandoffExistsError, type HandoffRecord, type HandoffStatus, type HandoffStore, type NewHandoff } from '../types.ts';

const isUnique = (e: unknown) => e instanceof Error && 'code' in e && (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');

/**
 * The hand-off store on SQLite. Writes are rare (a person asks for help, a worker records an attempt) and each is one
 * short IMMEDIATE transaction, run through `write` (which waits out another process's lock).
 */
export function createHandoffStore(db: Database.Database, now: () => number, write: <T>(fn: () => T) => Promise<T>): HandoffStore {
  const insertHandoff = db.prepare(
    `INSERT INTO handoffs (id, session_id, step_seq, flow_id, lng, story, status, created_at)
     VALUES (@id, @sessionId, @stepSeq, @flowId, @lng, @story, 'open', @at)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (id, handoff_id, channel, status, next_at, created_at) VALUES (?, ?, ?, 'pending', ?, ?)`,
  );
  const selectHandoff = db.prepare<[string], HandoffRow>('SELECT * FROM handoffs WHERE id = ?');
  const selectForSession = db.prepare<[string], HandoffRow>('SELECT * FROM handoffs WHERE session_id = ? ORDER BY created_at DESC, id');
  const selectList = db.prepare<[number, number], HandoffRow>('SELECT * FROM handoffs ORDER BY created_at DESC, id LIMIT ? OFFSET ?');
  const selectListByStatus = db.prepare<[string, number, number], HandoffRow>(
    'SELECT * FROM handoffs WHERE status = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?',
  );
  const selectCounts = db.prepare<[], { status: HandoffStatus; n: number }>('SELECT status, count(*) AS n FROM handoffs GROUP BY status');
  const selectDeliveries = db.prepare<[string], DeliveryRow>('SELECT * FROM deliveries WHERE handoff_id = ? ORDER BY channel');
  const updateClaim = db.prepare(
    `UPDATE handoffs SET status = 'claimed', claimed_by = @agentId, claimed_at = coalesce(claimed_at, @at)
     WHERE id = @id AND (status = 'open' OR (status = 'claimed' AND claimed_by = @agentId))`,
  );
  const updateOpen = db.prepare(`UPDATE handoffs SET status = 'open', claimed_by = NULL, claimed_at = NULL, done_at = NULL WHERE id = ?`);
  const updateDone = db.prepare(`UPDATE handoffs SET status = 'done', done_at = ? WHERE id = ? AND status <> 'solved'`);
  const updateSolved = db.prepare(`UPDATE handoffs SET status = 'solved', solved_at = coalesce(solved_at, ?) WHERE id = ?`);
  const exists = db.prepare<[string], { id: string }>('SELECT id FROM handoffs WHERE id = ?');
  // The due deliveries not leased (or whose lease ran out), oldest due first, leased in the same statement.
  const leaseDue = db.prepare(
    `UPDATE deliveries SET lease_owner = @owner, lease_until = @until
     WHERE id IN (
       SELECT id FROM deliveries
       WHERE status = 'pending' AND next_at <= @now AND (lease_until IS NULL OR lease_until < @now)
       ORDER BY next_at LIMIT @limit
     )
     RETURNING *`,
  );
  const storyOf = db.prepare<[string], { story: string }>('SELECT story FROM handoffs WHERE id = ?');
  const markSent = db.prepare(
    `UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = @at, external_id = @externalId, external_url = @externalUrl,
       last_error = NULL, lease_owner = NULL, lease_until = NULL
     WHERE id = @id AND lease_owner = @owner AND status = 'pending'`,
  );
  const markFailedAttempt = db.prepare(
    `UPDATE deliveries SET attempts = attempts + 1, last_error = @error, lease_owner = NULL, lease_until = NULL,
       status = CASE WHEN @nextAt IS NULL THEN 'failed' ELSE 'pending' END, next_at = coalesce(@nextAt, next_at)
     WHERE id = @id AND lease_owner = @owner AND status = 'pending'`,
  );
  const markRetry = db.prepare(
    `UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'failed'`,
  );
  const selectFailed = db.prepare<[number], DeliveryRow & { flow_id: string; ref: string }>(
    `SELECT d.*, h.flow_id, s.ref FROM deliveries d JOIN handoffs h ON h.id = d.handoff_id JOIN sessions s ON s.id = h.session_id
     WHERE d.status = 'failed' ORDER BY d.next_at DESC LIMIT ?`,
  );
  const selectNextDue = db.prepare<[], { at: number | null }>(`SELECT min(next_at) AS at FROM deliveries WHERE status = 'pending'`);

  const withDeliveries = (r: HandoffRow): HandoffRecord => toHandoff(r, selectDeliveries.all(r.id).map(toDelivery));

  const create = db.transaction((h: NewHandoff, at: number) => {
    insertHandoff.run({ id: h.id, sessionId: h.sessionId, stepSeq: h.stepSeq, flowId: h.flowId, lng: h.lng, story: JSON.stringify(h.story), at });
    for (const d of h.deliveries) insertDelivery.run(d.id, h.id, d.channel, at, at);
  });

  return {
    async create(h) {
      try {
        await write(() => create.immediate(h, now()));
      } catch (e) {
        if (isUnique(e)) throw new HandoffExistsError(`session ${h.sessionId} has a hand-off from step ${h.stepSeq} already`);
        throw e;
      }
      return withDeliveries(selectHandoff.get(h.id)!);
    },
    async get(id) {
      const row = selectHandoff.get(id);
      return row && withDeliveries(row);
    },
    async forSession(sessionId) {
      return selectForSession.all(sessionId).map(withDeliveries);
    },
    async list({ status, limit, offset }) {
      return (status ? selectListByStatus.all(status, limit, offset) : selectList.all(limit, offset)).map(withDeliveries);
    },
    async countByStatus() {
      const counts = Object.fromEntries(HANDOFF_STATUSES.map((s) => [s, 0])) as Record<HandoffStatus, number>;
      for (const { status, n } of selectCounts.all()) counts[status] = n;
      return counts;
    },
    async claim(id, agentId) {
      return (await write(() => updateClaim.run({ id, agentId, at: now() }))).changes > 0;
    },
    async setStatus(id, status) {
      const at = now();
      return write(() => {
        if (!exists.get(id)) return false;
        if (status === 'open') updateOpen.run(id);
        else if (status === 'done') updateDone.run(at, id);
        else updateSolved.run(at, id);
        return true;
      });
    },
    async claimDue(owner, leaseMs, limit) {
      const at = now();
      const rows = await write(() => leaseDue.all({ owner, until: at + leaseMs, now: at, limit }) as DeliveryRow[]);
      return rows.map((r) => ({ ...toDelivery(r), story: JSON.parse(storyOf.get(r.handoff_id)!.story) }));
    },
    async delivered(id, owner, result) {
      const info = await write(() => markSent.run({ id, owner, at: now(), externalId: result.externalId ?? null, externalUrl: result.externalUrl ?? null }));
      return info.changes > 0;
    },
    async attemptFailed(id, owner, error, nextAt) {
      return (await write(() => markFailedAttempt.run({ id, owner, error: error.slice(0, 2000), nextAt }))).changes > 0;
    },
    async retry(id) {
      return (await write(() => markRetry.run(now(), id))).changes > 0;
    },
    async failed(limit) {
      return selectFailed.all(limit).map((r) => ({ ...toDelivery(r), flowId: r.flow_id, ref: r.ref }));
    },
    async nextDue() {
      return selectNextDue.get()?.at ?? undefined;
    },
  };
}
