import type Database from 'better-sqlite3';
import { OUTCOMES } from '../../../flows/types.ts';
import { handoffsByFlow, periodFigures } from '../figures.ts';
import type { AnalyticsFilter, Figures, HandoffFigures } from '../types.ts';

/** Rows per export page: one page is a few milliseconds of work for the event loop. */
export const EXPORT_PAGE = 2000;

/** Resolves after the event loop has handled the I/O that waited meanwhile (a setImmediate, not a microtask). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const HOUR = 3600 * 1000;

/** The middle of sorted values (the mean of the two middle ones for an even count); null for none. */
function median(sorted: Float64Array): number | null {
  if (!sorted.length) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The figures content owners see, as aggregate SQL over sessions and steps. Every filter is a bound parameter of a
 * WHERE clause of fixed shape; sessions are picked by the (flow_id, created_at) or (created_at) index first, and their
 * steps reached through the steps primary key.
 */

export function createAnalytics(db: Database.Database) {
  function where(f: AnalyticsFilter, alias = 's') {
    const parts = [`${alias}.created_at >= @from`, `${alias}.created_at < @to`];
    const params: Record<string, string | number> = { from: f.from, to: f.to, cutoff: f.abandonedBefore };
    if (f.flowId) (parts.push(`${alias}.flow_id = @flowId`), (params.flowId = f.flowId));
    if (f.flowVersion) (parts.push(`${alias}.flow_version = @flowVersion`), (params.flowVersion = f.flowVersion));
    if (f.lng) (parts.push(`${alias}.lng = @lng`), (params.lng = f.lng));
    if (f.channel) (parts.push(`${alias}.channel = @channel`), (params.channel = f.channel));
    if (f.audience) (parts.push(`${alias}.audience = @audience`), (params.audience = f.audience));
    return { sql: parts.join(' AND '), params };
  }

  /** The same filter over step_stats, whose rows are whole days (the period's bounds are whole days too). */
  function statsWhere(f: AnalyticsFilter) {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const parts = ['day >= @fromDay', 'day < @toDay'];
    const params: Record<string, string> = { fromDay: day(f.from), toDay: day(f.to) };
    if (f.flowId) (parts.push('flow_id = @flowId'), (params.flowId = f.flowId));
    if (f.lng) (parts.push('lng = @lng'), (params.lng = f.lng));
    if (f.channel) (parts.push('channel = @channel'), (params.channel = f.channel));
    if (f.audience) (parts.push('audience = @audience'), (params.audience = f.audience));
    return { sql: parts.join(' AND '), params };
  }

  function figures(f: AnalyticsFilter): Figures {
    const { sql, params } = where(f);
    const totals = db
      .prepare(
        `SELECT count(*) AS started,
           coalesce(sum(s.status = 'finished'), 0) AS finished,
           coalesce(sum(s.status = 'active'), 0) AS active,
           ${OUTCOMES.map((o) => `coalesce(sum(s.outcome = '${o}'), 0) AS ${o}`).join(', ')}
         FROM sessions s WHERE ${sql}`,
      )
      .get(params) as Record<string, number>;
    // Which active sessions are abandoned asks for updated_at, which only the index of active sessions holds (it
    // changes with every step, so the period's covering indexes leave it out). Named, as the planner would rather
    // take the period's index and read every row it finds.
    const abandoned = db
      .prepare(`SELECT count(*) FROM sessions s INDEXED BY sessions_active WHERE ${sql} AND s.status = 'active' AND s.updated_at < @cutoff`)
      .pluck()
      .get(params) as number;
    totals.abandoned = abandoned;
    totals.inProgress = totals.active! - abandoned;
    delete totals.active;

    // Median time to outcome. Sorting in SQLite would need a temporary b-tree; the durations as a typed array sort
    // in a few milliseconds.
    const durations = Float64Array.from(
      db
        // `+status`: not the status index, whose rows would send SQLite to the table for every session.
        .prepare(`SELECT s.finished_at - s.created_at FROM sessions s WHERE ${sql} AND +s.status = 'finished'`)
        .pluck()
        .all(params) as number[],
    ).sort();
    const middle = median(durations);
    const medianSeconds = middle === null ? null : Math.round(middle / 1000);

    const perDay = db
      .prepare(
        `SELECT date(s.created_at / 1000, 'unixepoch') AS day, count(*) AS started,
           coalesce(sum(s.status = 'finished'), 0) AS finished
         FROM sessions s WHERE ${sql} GROUP BY day ORDER BY day`,
      )
      .all(params) as Figures['perDay'];

    const votes = db
      .prepare(`SELECT f.helpful AS helpful, count(*) AS n FROM feedback f JOIN sessions s ON s.id = f.session_id WHERE ${sql} GROUP BY f.helpful`)
      .all(params) as { helpful: number; n: number }[];
    const yes = votes.find((v) => v.helpful === 1)?.n ?? 0;
    const no = votes.find((v) => v.helpful === 0)?.n ?? 0;
    const comments = (
      db
        .prepare(
          // Newest first by the feedback_at index, stopping at 20: no sort of every comment in the period.
          `SELECT f.at AS at, s.flow_id AS flowId, f.helpful AS helpful, f.comment AS comment
           FROM feedback f INDEXED BY feedback_at JOIN sessions s ON s.id = f.session_id
           WHERE ${sql} AND f.comment IS NOT NULL ORDER BY f.at DESC LIMIT 20`,
        )
        .all(params) as { at: number; flowId: string; helpful: number; comment: string }[]
    ).map((c) => ({ ...c, helpful: c.helpful === 1 }));

    const out = periodFigures({ totals, medianSeconds: medianSeconds, perDay, yes, no, comments, handoffs: handoffFigures(f) });
    if (!f.flowId) {
      out.handoffsByFlow = handoffsByFlow(handoffFigures(f, true));
      return out;
    }

    if (f.flowVersion) return { ...out, ...versionSteps(f) };
    // Per step, from the running counts (step_stats), filtered the same way by the session's start day.
    const stats = statsWhere(f);
    const reached = db
      .prepare(`SELECT state, sum(first) AS n FROM step_stats WHERE ${stats.sql} GROUP BY state HAVING n > 0`)
      .all(stats.params) as { state: string; n: number }[];
    const abandonedAt = db
      .prepare(`SELECT s.state AS state, count(*) AS n FROM sessions s INDEXED BY sessions_active WHERE ${sql} AND s.status = 'active' AND s.updated_at < @cutoff GROUP BY s.state`)
      .all(params) as { state: string; n: number }[];
    out.steps = {};
    for (const r of reached) out.steps[r.state] = { reached: r.n, abandoned: 0 };
    for (const r of abandonedAt) (out.steps[r.state] ??= { reached: 0, abandoned: 0 }).abandoned = r.n;
    out.transitions = db
      .prepare(
        // Sessions that took the arrow (first_move), as a step counts the sessions that reached it (first).
        `SELECT prev_state AS "from", event, state AS "to", sum(first_move) AS count FROM step_stats
         WHERE ${stats.sql} AND prev_state <> '' AND event NOT IN ('START', 'BACK', 'RESTART')
         GROUP BY prev_state, event, state HAVING count > 0 ORDER BY count DESC, "from", event`,
      )
      .all(stats.params) as NonNullable<Figures['transitions']>;
    return out;
  }

  /**
   * Hand-offs of the filter's sessions (a hand-off counts in the period its session started in, like every other
   * figure), in total or per guide (`perFlow`: keyed by guide id, else by ''). Solved ones are few: their times
   * are read and the median taken here, as for the time to outcome.
   */
  function handoffFigures(f: AnalyticsFilter, perFlow = false): Map<string, HandoffFigures> {
    const { sql, params } = where(f);
    const key = perFlow ? 's.flow_id' : "''";
    const counts = db
      .prepare(
        `SELECT ${key} AS k, count(*) AS total, coalesce(sum(h.status = 'solved'), 0) AS solved
         FROM handoffs h JOIN sessions s ON s.id = h.session_id WHERE ${sql} GROUP BY k`,
      )
      .all(params) as { k: string; total: number; solved: number }[];
    const times = db
      .prepare(
        `SELECT ${key} AS k, h.solved_at - h.created_at AS ms FROM handoffs h JOIN sessions s ON s.id = h.session_id
         WHERE ${sql} AND h.status = 'solved' AND h.solved_at IS NOT NULL`,
      )
      .all(params) as { k: string; ms: number }[];
    const out = new Map<string, HandoffFigures>();
    for (const c of counts) {
      const sorted = Float64Array.from(times.filter((t) => t.k === c.k).map((t) => Math.max(0, t.ms))).sort();
      const middle = median(sorted);
      out.set(c.k, { total: c.total, solved: c.solved, medianHoursToSolved: middle === null ? null : Math.round((middle / HOUR) * 10) / 10 });
    }
    return out;
  }

  /**
   * Per step for one version of a guide. step_stats does not know versions, so these come from the steps of the
   * version's sessions: a join, fine for the narrower question one version asks.
   */
  function versionSteps(f: AnalyticsFilter): Pick<Figures, 'steps' | 'transitions'> {
    const { sql, params } = where(f);
    const reached = db
      .prepare(`SELECT st.state AS state, count(DISTINCT st.session_id) AS n FROM sessions s JOIN steps st ON st.session_id = s.id WHERE ${sql} GROUP BY st.state`)
      .all(params) as { state: string; n: number }[];
    const abandonedAt = db
      .prepare(`SELECT s.state AS state, count(*) AS n FROM sessions s INDEXED BY sessions_active WHERE ${sql} AND s.status = 'active' AND s.updated_at < @cutoff GROUP BY s.state`)
      .all(params) as { state: string; n: number }[];
    const steps: NonNullable<Figures['steps']> = {};
    for (const r of reached) steps[r.state] = { reached: r.n, abandoned: 0 };
    for (const r of abandonedAt) (steps[r.state] ??= { reached: 0, abandoned: 0 }).abandoned = r.n;
    const transitions = db
      .prepare(
        `SELECT st.prev_state AS "from", st.event AS event, st.state AS "to", count(DISTINCT st.session_id) AS count
         FROM sessions s JOIN steps st ON st.session_id = s.id
         WHERE ${sql} AND st.prev_state IS NOT NULL AND st.event NOT IN ('START', 'BACK', 'RESTART')
         GROUP BY 1, 2, 3 ORDER BY count DESC, "from", event`,
      )
      .all(params) as NonNullable<Figures['transitions']>;
    return { steps, transitions };
  }

  /*
   * Exports read in pages of EXPORT_PAGE rows by keyset (never OFFSET), each page a finished query: better-sqlite3
   * allows no other statement on the connection while an iterator is open, and the consumer may wait for the
   * network between rows. Between pages the generator waits for the event loop's check phase, so every other
   * request waiting meanwhile is served before the next page is read. A step written during the export appears in
   * it only if it sorts after the page being read; rows are never repeated or skipped.
   */
  async function* sessionRows(f: AnalyticsFilter): AsyncIterable<Record<string, unknown>> {
    const { sql, params } = where(f);
    const page = db.prepare(
      `SELECT s.id, s.ref, s.flow_id, s.flow_version, s.lng, s.audience, s.channel, s.origin, s.status, s.outcome,
         s.state, s.agent_id, s.ticket_ref, s.created_at, s.updated_at, s.finished_at,
         (SELECT count(*) FROM steps st WHERE st.session_id = s.id) AS steps,
         CASE WHEN s.status = 'active' AND s.updated_at < @cutoff THEN 1 ELSE 0 END AS abandoned
       FROM sessions s WHERE ${sql} AND (s.created_at, s.id) > (@afterAt, @afterId)
       ORDER BY s.created_at, s.id LIMIT ${EXPORT_PAGE}`,
    );
    let after = { afterAt: -1, afterId: '' };
    for (;;) {
      const rows = page.all({ ...params, ...after }) as Record<string, unknown>[];
      yield* rows;
      if (rows.length < EXPORT_PAGE) return;
      const last = rows.at(-1)!;
      after = { afterAt: last.created_at as number, afterId: last.id as string };
      await nextTurn();
    }
  }

  async function* stepRows(f: AnalyticsFilter): AsyncIterable<Record<string, unknown>> {
    const { sql, params } = where(f);
    const page = db.prepare(
      `SELECT st.session_id, st.seq, s.flow_id, st.prev_state, st.event, st.state, st.agent_id, st.note, st.at,
         s.created_at AS session_created_at
       FROM sessions s JOIN steps st ON st.session_id = s.id
       WHERE ${sql} AND (s.created_at, s.id, st.seq) > (@afterAt, @afterId, @afterSeq)
       ORDER BY s.created_at, s.id, st.seq LIMIT ${EXPORT_PAGE}`,
    );
    let after = { afterAt: -1, afterId: '', afterSeq: -1 };
    for (;;) {
      const rows = page.all({ ...params, ...after }) as Record<string, unknown>[];
      for (const { session_created_at: _, ...row } of rows) yield row;
      if (rows.length < EXPORT_PAGE) return;
      const last = rows.at(-1)!;
      after = { afterAt: last.session_created_at as number, afterId: last.session_id as string, afterSeq: last.seq as number };
      await nextTurn();
    }
  }

  return { figures, sessionRows, stepRows };
}
