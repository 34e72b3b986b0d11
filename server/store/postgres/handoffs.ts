import { type DeliveryRow, type HandoffRow, toDelivery, toHandoff } from '../rows.ts';
import { HANDOFF_STATUSES, HandoffExistsError, type HandoffRecord, type HandoffStatus, type HandoffStore } from '../types.ts';
import type { Db } from './db.ts';

const isUniqueViolation = (e: unknown) => (e as { code?: unknown })?.code === '23505';

// SQLite orders text by its bytes; PostgreSQL by the database's locale unless told otherwise.
const NEWEST_FIRST = 'ORDER BY created_at DESC, id COLLATE "C"';

/**
 * The hand-off store on PostgreSQL. Deliveries are leased with FOR UPDATE SKIP LOCKED: workers in several
 * instances claiming at the same moment each get different deliveries, and none waits for another's claim.
 */
export function handoffStore(db: Db, now: () => number = Date.now): HandoffStore {
  /** Hand-offs with their deliveries, read in one more query rather than one per hand-off. */
  const withDeliveries = async (rows: HandoffRow[]): Promise<HandoffRecord[]> => {
    if (!rows.length) return [];
    const deliveries = await db.many<DeliveryRow>('SELECT * FROM deliveries WHERE handoff_id = ANY($1) ORDER BY channel COLLATE "C"', [rows.map((r) => r.id)]);
    return rows.map((r) => toHandoff(r, deliveries.filter((d) => d.handoff_id === r.id).map(toDelivery)));
  };
  const get = async (id: string) => (await withDeliveries(await db.many<HandoffRow>('SELECT * FROM handoffs WHERE id = $1', [id])))[0];

  return {
    async create(h) {
      const at = now();
      try {
        await db.tx(async (q) => {
          await q.query(
            `INSERT INTO handoffs (id, session_id, step_seq, flow_id, lng, story, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)`,
            [h.id, h.sessionId, h.stepSeq, h.flowId, h.lng, JSON.stringify(h.story), at],
          );
          for (const d of h.deliveries)
            await q.query(`INSERT INTO deliveries (id, handoff_id, channel, status, next_at, created_at) VALUES ($1, $2, $3, 'pending', $4, $4)`, [
              d.id,
              h.id,
              d.channel,
              at,
            ]);
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new HandoffExistsError(`session ${h.sessionId} has a hand-off from step ${h.stepSeq} already`);
        throw e;
      }
      return (await get(h.id))!;
    },
    get,
    async forSession(sessionId) {
      return withDeliveries(await db.many<HandoffRow>(`SELECT * FROM handoffs WHERE session_id = $1 ${NEWEST_FIRST}`, [sessionId]));
    },
    async list({ status, limit, offset }) {
      const rows = status
        ? await db.many<HandoffRow>(`SELECT * FROM handoffs WHERE status = $1 ${NEWEST_FIRST} LIMIT $2 OFFSET $3`, [status, limit, offset])
        : await db.many<HandoffRow>(`SELECT * FROM handoffs ${NEWEST_FIRST} LIMIT $1 OFFSET $2`, [limit, offset]);
      return withDeliveries(rows);
    },
    async countByStatus() {
      const counts = Object.fromEntries(HANDOFF_STATUSES.map((s) => [s, 0])) as Record<HandoffStatus, number>;
      for (const { status, n } of await db.many<{ status: HandoffStatus; n: number }>('SELECT status, count(*) AS n FROM handoffs GROUP BY status'))
        counts[status] = n;
      return counts;
    },
    async claim(id, agentId) {
      const res = await db.query(
        `UPDATE handoffs SET status = 'claimed', claimed_by = $2, claimed_at = coalesce(claimed_at, $3)
         WHERE id = $1 AND (status = 'open' OR (status = 'claimed' AND claimed_by = $2))`,
        [id, agentId, now()],
      );
      return (res.rowCount ?? 0) > 0;
    },
    setStatus(id, status) {
      const at = now();
      return db.tx(async (q) => {
        if (!(await q.one('SELECT id FROM handoffs WHERE id = $1 FOR UPDATE', [id]))) return false;
        if (status === 'open') await q.query(`UPDATE handoffs SET status = 'open', claimed_by = NULL, claimed_at = NULL, done_at = NULL WHERE id = $1`, [id]);
        else if (status === 'done') await q.query(`UPDATE handoffs SET status = 'done', done_at = $1 WHERE id = $2 AND status <> 'solved'`, [at, id]);
        else await q.query(`UPDATE handoffs SET status = 'solved', solved_at = coalesce(solved_at, $1) WHERE id = $2`, [at, id]);
        return true;
      });
    },
    async claimDue(owner, leaseMs, limit) {
      const at = now();
      // One statement: the due deliveries not leased (or whose lease ran out), oldest due first, leased at once.
      // Rows another worker is claiming right now are skipped, not waited for; a row it committed meanwhile is
      // re-checked against the WHERE and no longer qualifies.
      const rows = await db.many<DeliveryRow & { story: string }>(
        `WITH leased AS (
           UPDATE deliveries SET lease_owner = $1, lease_until = $2
           WHERE id IN (
             SELECT id FROM deliveries
             WHERE status = 'pending' AND next_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
             ORDER BY next_at LIMIT $4
             FOR UPDATE SKIP LOCKED
           )
           RETURNING *
         )
         SELECT leased.*, h.story FROM leased JOIN handoffs h ON h.id = leased.handoff_id ORDER BY leased.next_at, leased.id COLLATE "C"`,
        [owner, at + leaseMs, at, limit],
      );
      return rows.map((r) => ({ ...toDelivery(r), story: JSON.parse(r.story) }));
    },
    async delivered(id, owner, result) {
      const res = await db.query(
        `UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = $3, external_id = $4, external_url = $5,
           last_error = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`,
        [id, owner, now(), result.externalId ?? null, result.externalUrl ?? null],
      );
      return (res.rowCount ?? 0) > 0;
    },
    async attemptFailed(id, owner, error, nextAt) {
      const res = await db.query(
        `UPDATE deliveries SET attempts = attempts + 1, last_error = $3, lease_owner = NULL, lease_until = NULL,
           status = CASE WHEN $4::bigint IS NULL THEN 'failed' ELSE 'pending' END, next_at = coalesce($4::bigint, next_at)
         WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`,
        [id, owner, error.slice(0, 2000), nextAt],
      );
      return (res.rowCount ?? 0) > 0;
    },
    async retry(id) {
      const res = await db.query(
        `UPDATE deliveries SET status = 'pending', attempts = 0, next_at = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2 AND status = 'failed'`,
        [now(), id],
      );
      return (res.rowCount ?? 0) > 0;
    },
    async failed(limit) {
      const rows = await db.many<DeliveryRow & { flow_id: string; ref: string }>(
        `SELECT d.*, h.flow_id, s.ref FROM deliveries d JOIN handoffs h ON h.id = d.handoff_id JOIN sessions s ON s.id = h.session_id
         WHERE d.status = 'failed' ORDER BY d.next_at DESC LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({ ...toDelivery(r), flowId: r.flow_id, ref: r.ref }));
    },
    async nextDue() {
      return (await db.one<{ at: number | null }>(`SELECT min(next_at) AS at FROM deliveries WHERE status = 'pending'`))?.at ?? undefined;
    },
  };
}
