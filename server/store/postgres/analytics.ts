import Cursor from 'pg-cursor';
import { OUTCOMES } from '../../../flows/types.ts';
import { EXPORT_PAGE } from '../sqlite/analytics.ts';
import { handoffsByFlow, periodFigures } from '../figures.ts';
import type { AnalyticsFilter, Figures, HandoffFigures, Store } from '../types.ts';
import type { Db } from './db.ts';

/*
 * The figures and exports of server/store/sqlite/analytics.ts on PostgreSQL, with the same row shapes, value types and order.
 * Counts are cast to int (pg hands bigint and numeric back as strings); text that is sorted is sorted with
 * COLLATE "C", the byte order SQLite uses whatever the database's collation; medians are percentile_cont, which
 * takes the mean of the two middle values as the SQLite store does.
 */

const HOUR = 3600 * 1000;

/** Positional parameters collected while a statement is written: `p(value)` returns its `$n`. */
function parameters() {
  const values: unknown[] = [];
  return {
    values,
    p(value: unknown) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

type Params = ReturnType<typeof parameters>;

/** The filter's WHERE over sessions (alias `s`), its values bound into `params`. */
function where(f: AnalyticsFilter, { p }: Params): string {
  const parts = [`s.created_at >= ${p(f.from)}`, `s.created_at < ${p(f.to)}`];
  if (f.flowId) parts.push(`s.flow_id = ${p(f.flowId)}`);
  if (f.flowVersion) parts.push(`s.flow_version = ${p(f.flowVersion)}`);
  if (f.lng) parts.push(`s.lng = ${p(f.lng)}`);
  if (f.channel) parts.push(`s.channel = ${p(f.channel)}`);
  if (f.audience) parts.push(`s.audience = ${p(f.audience)}`);
  return parts.join(' AND ');
}

/** The same filter over step_stats, whose rows are whole days (the period's bounds are whole days too). */
function statsWhere(f: AnalyticsFilter, { p }: Params): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  // Days are all 'YYYY-MM-DD': any collation orders them alike, so no COLLATE here to keep the primary key usable.
  const parts = [`day >= ${p(day(f.from))}`, `day < ${p(day(f.to))}`];
  if (f.flowId) parts.push(`flow_id = ${p(f.flowId)}`);
  if (f.lng) parts.push(`lng = ${p(f.lng)}`);
  if (f.channel) parts.push(`channel = ${p(f.channel)}`);
  if (f.audience) parts.push(`audience = ${p(f.audience)}`);
  return parts.join(' AND ');
}

/** A session's start day in UTC, as SQLite's date(created_at / 1000, 'unixepoch') writes it. */
const START_DAY = `to_char(to_timestamp(s.created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

export function analyticsPart(db: Db): Pick<Store, 'analytics' | 'exportSessions' | 'exportSteps'> {
  async function figures(f: AnalyticsFilter): Promise<Figures> {
    const params = parameters();
    const sql = where(f, params);
    const cutoff = params.p(f.abandonedBefore);
    const totals = (await db.one<Record<string, number | null>>(
      `SELECT count(*)::int AS started,
         (count(*) FILTER (WHERE s.status = 'finished'))::int AS finished,
         (count(*) FILTER (WHERE s.status = 'active' AND s.updated_at < ${cutoff}))::int AS abandoned,
         (count(*) FILTER (WHERE s.status = 'active' AND s.updated_at >= ${cutoff}))::int AS "inProgress",
         ${OUTCOMES.map((o) => `(count(*) FILTER (WHERE s.outcome = '${o}'))::int AS "${o}"`).join(', ')},
         -- A finished session without finished_at counts as 0 ms, as in the SQLite store's typed array.
         percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(s.finished_at - s.created_at, 0))
           FILTER (WHERE s.status = 'finished') AS "medianMs"
       FROM sessions s WHERE ${sql}`,
      params.values,
    ))!;
    const medianMs = totals.medianMs ?? null;

    const dayParams = parameters();
    const perDay = await db.many<Figures['perDay'][number]>(
      `SELECT ${START_DAY} AS day, count(*)::int AS started, (count(*) FILTER (WHERE s.status = 'finished'))::int AS finished
       FROM sessions s WHERE ${where(f, dayParams)} GROUP BY 1 ORDER BY ${START_DAY} COLLATE "C"`,
      dayParams.values,
    );

    const voteParams = parameters();
    const votes = await db.many<{ helpful: number; n: number }>(
      `SELECT f.helpful AS helpful, count(*)::int AS n FROM feedback f JOIN sessions s ON s.id = f.session_id
       WHERE ${where(f, voteParams)} GROUP BY f.helpful`,
      voteParams.values,
    );
    const yes = votes.find((v) => v.helpful === 1)?.n ?? 0;
    const no = votes.find((v) => v.helpful === 0)?.n ?? 0;
    const commentParams = parameters();
    const comments = (
      await db.many<{ at: number; flowId: string; helpful: number; comment: string }>(
        // Ties on `at` newest row first, as SQLite reads its (at, rowid) index backwards.
        `SELECT f.at AS at, s.flow_id AS "flowId", f.helpful AS helpful, f.comment AS comment
         FROM feedback f JOIN sessions s ON s.id = f.session_id
         WHERE ${where(f, commentParams)} AND f.comment IS NOT NULL ORDER BY f.at DESC, f.id DESC LIMIT 20`,
        commentParams.values,
      )
    ).map((c) => ({ ...c, helpful: c.helpful === 1 }));

    const out = periodFigures({ totals, medianSeconds: medianMs === null ? null : Math.round(medianMs / 1000), perDay, yes, no, comments, handoffs: await handoffFigures(f) });
    if (!f.flowId) {
      out.handoffsByFlow = handoffsByFlow(await handoffFigures(f, true));
      return out;
    }

    if (f.flowVersion) return { ...out, ...(await versionSteps(f)) };
    // Per step, from the running counts (step_stats), filtered the same way by the session's start day.
    const reachedParams = parameters();
    const reached = await db.many<{ state: string; n: number }>(
      `SELECT state, sum(first)::int AS n FROM step_stats WHERE ${statsWhere(f, reachedParams)}
       GROUP BY state HAVING sum(first) > 0 ORDER BY state COLLATE "C"`,
      reachedParams.values,
    );
    const steps: NonNullable<Figures['steps']> = {};
    for (const r of reached) steps[r.state] = { reached: r.n, abandoned: 0 };
    for (const r of await abandonedAt(f)) (steps[r.state] ??= { reached: 0, abandoned: 0 }).abandoned = r.n;
    out.steps = steps;
    const moveParams = parameters();
    out.transitions = await db.many<NonNullable<Figures['transitions']>[number]>(
      // Sessions that took the arrow (first_move), as a step counts the sessions that reached it (first).
      `SELECT prev_state AS "from", event, state AS "to", sum(first_move)::int AS count FROM step_stats
       WHERE ${statsWhere(f, moveParams)} AND prev_state <> '' AND event NOT IN ('START', 'BACK', 'RESTART')
       GROUP BY prev_state, event, state HAVING sum(first_move) > 0
       ORDER BY count DESC, prev_state COLLATE "C", event COLLATE "C", state COLLATE "C"`,
      moveParams.values,
    );
    return out;
  }

  /** Active sessions past the cut-off, per the step they stopped at. */
  function abandonedAt(f: AnalyticsFilter) {
    const params = parameters();
    return db.many<{ state: string; n: number }>(
      `SELECT s.state AS state, count(*)::int AS n FROM sessions s
       WHERE ${where(f, params)} AND s.status = 'active' AND s.updated_at < ${params.p(f.abandonedBefore)}
       GROUP BY s.state ORDER BY s.state COLLATE "C"`,
      params.values,
    );
  }

  /**
   * Hand-offs of the filter's sessions (counted in the period their session started in), in total or per guide
   * (`perFlow`: keyed by guide id, else by '').
   */
  async function handoffFigures(f: AnalyticsFilter, perFlow = false): Promise<Map<string, HandoffFigures>> {
    const params = parameters();
    const key = perFlow ? 's.flow_id' : "''";
    const rows = await db.many<{ k: string; total: number; solved: number; ms: number | null }>(
      `SELECT ${key} AS k, count(*)::int AS total, (count(*) FILTER (WHERE h.status = 'solved'))::int AS solved,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, h.solved_at - h.created_at))
           FILTER (WHERE h.status = 'solved' AND h.solved_at IS NOT NULL) AS ms
       FROM handoffs h JOIN sessions s ON s.id = h.session_id WHERE ${where(f, params)} GROUP BY 1`,
      params.values,
    );
    return new Map(
      rows.map((r) => [r.k, { total: r.total, solved: r.solved, medianHoursToSolved: r.ms === null ? null : Math.round((r.ms / HOUR) * 10) / 10 }]),
    );
  }

  /** Per step for one version of a guide, from the steps of the version's sessions (step_stats knows no versions). */
  async function versionSteps(f: AnalyticsFilter): Promise<Pick<Figures, 'steps' | 'transitions'>> {
    const reachedParams = parameters();
    const reached = await db.many<{ state: string; n: number }>(
      `SELECT st.state AS state, count(DISTINCT st.session_id)::int AS n FROM sessions s JOIN steps st ON st.session_id = s.id
       WHERE ${where(f, reachedParams)} GROUP BY st.state ORDER BY st.state COLLATE "C"`,
      reachedParams.values,
    );
    const steps: NonNullable<Figures['steps']> = {};
    for (const r of reached) steps[r.state] = { reached: r.n, abandoned: 0 };
    for (const r of await abandonedAt(f)) (steps[r.state] ??= { reached: 0, abandoned: 0 }).abandoned = r.n;
    const moveParams = parameters();
    const transitions = await db.many<NonNullable<Figures['transitions']>[number]>(
      `SELECT st.prev_state AS "from", st.event AS event, st.state AS "to", count(DISTINCT st.session_id)::int AS count
       FROM sessions s JOIN steps st ON st.session_id = s.id
       WHERE ${where(f, moveParams)} AND st.prev_state IS NOT NULL AND st.event NOT IN ('START', 'BACK', 'RESTART')
       GROUP BY 1, 2, 3 ORDER BY count DESC, st.prev_state COLLATE "C", st.event COLLATE "C", st.state COLLATE "C"`,
      moveParams.values,
    );
    return { steps, transitions };
  }

  /**
   * One statement read through a server-side cursor on a client of its own, EXPORT_PAGE rows at a time: the export
   * sees one snapshot and holds no more than a page in memory while the consumer waits for the network. The client
   * goes back to the pool however the loop ends, also when the consumer stops early (return() runs the finally);
   * a client whose cursor failed is destroyed rather than reused.
   */
  async function* stream(sql: string, values: unknown[]): AsyncGenerator<Record<string, unknown>> {
    const client = await db.client();
    let failure: Error | undefined;
    const cursor = client.query(new Cursor<Record<string, unknown>>(sql, values));
    try {
      for (;;) {
        const rows = await cursor.read(EXPORT_PAGE);
        yield* rows;
        if (rows.length < EXPORT_PAGE) return;
      }
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      await cursor.close().catch((err: unknown) => (failure ??= err instanceof Error ? err : new Error(String(err))));
      client.release(failure);
    }
  }

  function exportSessions(f: AnalyticsFilter): AsyncIterable<Record<string, unknown>> {
    const params = parameters();
    const sql = where(f, params);
    return stream(
      `SELECT s.id, s.ref, s.flow_id, s.flow_version, s.lng, s.audience, s.channel, s.origin, s.status, s.outcome,
         s.state, s.agent_id, s.ticket_ref, s.created_at, s.updated_at, s.finished_at,
         (SELECT count(*)::int FROM steps st WHERE st.session_id = s.id) AS steps,
         CASE WHEN s.status = 'active' AND s.updated_at < ${params.p(f.abandonedBefore)} THEN 1 ELSE 0 END AS abandoned
       FROM sessions s WHERE ${sql}
       ORDER BY s.created_at, s.id COLLATE "C"`,
      params.values,
    );
  }

  function exportSteps(f: AnalyticsFilter): AsyncIterable<Record<string, unknown>> {
    const params = parameters();
    return stream(
      `SELECT st.session_id, st.seq, s.flow_id, st.prev_state, st.event, st.state, st.agent_id, st.note, st.at
       FROM sessions s JOIN steps st ON st.session_id = s.id
       WHERE ${where(f, params)}
       ORDER BY s.created_at, s.id COLLATE "C", st.seq`,
      params.values,
    );
  }

  return { analytics: figures, exportSessions, exportSteps };
}
