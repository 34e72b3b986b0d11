import type { HitCounter } from '../hit-counter.ts';

/** What the counter needs of the database: a query (a pg Pool or the store's Db). */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Windows that ended this long ago are deleted now and then, so the table holds about one row per active client. */
const SWEEP_EVERY = 500;

/**
 * A HitCounter on PostgreSQL: one upsert per hit, atomic however many instances count the same key at once (the row
 * is locked for the update), starting a new window when the old one has ended.
 */
export function postgresHitCounter(db: Queryable, now: () => number = Date.now): HitCounter {
  let hits = 0;
  return {
    async increment(key, windowMs) {
      const at = now();
      if (++hits % SWEEP_EVERY === 0) void db.query('DELETE FROM rate_limits WHERE reset_at < $1', [at - 60_000]).catch(() => {});
      const { rows } = await db.query(
        `INSERT INTO rate_limits (key, reset_at, hits) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_limits.reset_at <= $3 THEN 1 ELSE rate_limits.hits + 1 END,
           reset_at = CASE WHEN rate_limits.reset_at <= $3 THEN $2 ELSE rate_limits.reset_at END
         RETURNING hits, reset_at`,
        [key, at + windowMs, at],
      );
      const row = rows[0] as { hits: number | string; reset_at: number | string };
      return { hits: Number(row.hits), resetAt: Number(row.reset_at) };
    },
    async decrement(key) {
      await db.query('UPDATE rate_limits SET hits = greatest(hits - 1, 0) WHERE key = $1', [key]);
    },
    async reset(key) {
      await db.query('DELETE FROM rate_limits WHERE key = $1', [key]);
    },
  };
}
