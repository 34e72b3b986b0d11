import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { EXPORT_PAGE } from '../../server/store/sqlite/analytics.ts';
import { analyticsPart } from '../../server/store/postgres/analytics.ts';
import { createDb, type Db } from '../../server/store/postgres/db.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { seedHistory } from '../../server/store/sqlite/seed.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import type { AnalyticsFilter, Store } from '../../server/store/types.ts';
import { tempDir } from '../support/app.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

/*
 * One history in both stores: seeded into SQLite (seedHistory walks the real guides), touched up there with what the
 * seed leaves out (hand-offs in every status, comments with tied times, agents, notes, an older version, a finished
 * session without finished_at), then copied row for row into PostgreSQL. Every figure and export must then be equal.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const NOW = day('2026-03-10') + 12 * HOUR;
const TABLES = ['agents', 'sessions', 'steps', 'feedback', 'step_stats', 'handoffs'];

/** Copies a table's rows from SQLite to PostgreSQL, the columns both have, in batches under pg's parameter limit. */
async function copyTable(from: Database.Database, to: Db, table: string) {
  const pgColumns = new Set(
    (await to.many<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1', [table])).map((c) => c.column_name),
  );
  const columns = (from.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name).filter((c) => pgColumns.has(c));
  const rows = from.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${table}`).raw().all() as unknown[][];
  const batch = Math.floor(30_000 / columns.length);
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const tuples = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    await to.query(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, chunk.flat());
  }
  return rows.length;
}

/** What the seed does not write, so every branch of the figures has rows to count. */
function touchUp(db: Database.Database) {
  db.exec(`
    INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES (1, 'a@example.org', 'Agent', 'agent', 'x', 0);
    UPDATE sessions SET agent_id = 1, ticket_ref = 'T-' || rowid, origin = 'https://help.example.org', channel = 'agent'
      WHERE rowid % 11 = 0;
    UPDATE sessions SET flow_version = 'older' WHERE rowid % 3 = 0;
    UPDATE sessions SET finished_at = NULL WHERE status = 'finished' AND rowid % 13 = 0;
    UPDATE steps SET note = 'note ' || seq, agent_id = 1 WHERE seq = 1 AND at % 5 = 0;
    UPDATE feedback SET comment = 'comment ' || id WHERE id % 2 = 0;
    -- Ties at the newest time, so the order of equal times decides which 20 comments show.
    UPDATE feedback SET at = (SELECT max(at) FROM feedback) WHERE id % 4 = 0;
    INSERT INTO handoffs (id, session_id, step_seq, flow_id, lng, story, status, claimed_by, claimed_at, solved_at, created_at)
      SELECT 'h-' || id, id, 0, flow_id, lng, '{}',
        CASE rowid % 4 WHEN 0 THEN 'open' WHEN 1 THEN 'claimed' WHEN 2 THEN 'done' ELSE 'solved' END,
        CASE WHEN rowid % 4 = 1 THEN 1 END, CASE WHEN rowid % 4 = 1 THEN updated_at END,
        -- Solved ones: hours later, some without a time, and half of them reported before they were handed off (a
        -- clock off at the help desk): those count as 0 hours, which moves the median.
        CASE WHEN rowid % 4 = 3 AND rowid % 5 <> 0 THEN updated_at + (rowid % 50) * 600000 * CASE WHEN rowid % 8 = 7 THEN -1 ELSE 1 END END,
        updated_at
      FROM sessions WHERE rowid % 2 = 1;
    -- Two sessions started in the same millisecond whose ids sort differently by bytes ('Z' < 'a') than by a
    -- language's rules: the exports' order must be SQLite's whatever the PostgreSQL database's collation.
    CREATE TEMP TABLE twins AS SELECT * FROM sessions WHERE rowid IN (5, 6);
    UPDATE twins SET id = CASE WHEN rowid = 1 THEN 'Zulu' ELSE 'alpha' END, ref = CASE WHEN rowid = 1 THEN 'RZULU' ELSE 'RALPHA' END,
      created_at = (SELECT min(created_at) FROM twins);
    INSERT INTO sessions SELECT * FROM twins;
    INSERT INTO steps (session_id, seq, state, event, snapshot, at, prev_state)
      SELECT id, 0, state, 'START', snapshot, created_at, NULL FROM twins;
  `);
}

/** A new database whose default collation is ICU's en-US, where 'alpha' sorts before 'Zulu' and case waits. */
async function freshIcuPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mailhelp_test_icu_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client(POSTGRES);
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
  const url = new URL(POSTGRES!);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

describe.skipIf(!POSTGRES).each([
  { collation: 'the server default collation', create: freshPostgres },
  { collation: 'an ICU en-US collation', create: freshIcuPostgres },
])(`PostgreSQL analytics and exports equal SQLite's, database with $collation${SKIP_REASON}`, ({ create }) => {
  // Opened in beforeAll, so a skipped run leaves no files behind.
  let tmp: ReturnType<typeof tempDir> | undefined;
  let sqlite: Store;
  /** The SQLite file's own connection: the history is seeded into it and copied from it. */
  let sqliteFile: ReturnType<typeof openSqliteFile>['db'];
  let database: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  let pool: pg.Pool;
  let store: Pick<Store, 'analytics' | 'exportSessions' | 'exportSteps'>;
  let flowId = '';
  let version = '';
  const seeded = { sessions: 0, steps: 0 };

  beforeAll(async () => {
    tmp = tempDir();
    ({ store: sqlite, db: sqliteFile } = openSqliteFile(join(tmp.dir, 'analytics.db'), { now: () => NOW }));
    database = await create();
    pool = new pg.Pool({ connectionString: database.url, max: 3 });
    pool.on('error', () => {});
    const db = createDb(pool);
    await db.query(postgresMigrations[0]!);
    Object.assign(seeded, seedHistory(sqliteFile, new FlowRegistry().list, { steps: 3 * EXPORT_PAGE, days: 9, now: NOW, seed: 7 }));
    touchUp(sqliteFile);
    for (const table of TABLES) await copyTable(sqliteFile, db, table);
    const top = sqliteFile
      .prepare(`SELECT flow_id, flow_version FROM sessions WHERE flow_version <> 'older' GROUP BY flow_id ORDER BY count(*) DESC, flow_id LIMIT 1`)
      .get() as { flow_id: string; flow_version: string };
    flowId = top.flow_id;
    version = top.flow_version;
    store = analyticsPart(db);
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    await sqlite?.close();
    tmp?.remove();
  });

  const period = (extra: Partial<AnalyticsFilter> = {}): AnalyticsFilter => ({
    from: day('2026-03-01'),
    to: day('2026-03-11'),
    abandonedBefore: NOW - 30 * MIN,
    ...extra,
  });
  const collect = async (rows: AsyncIterable<Record<string, unknown>>) => {
    const out: Record<string, unknown>[] = [];
    for await (const row of rows) out.push(row);
    return out;
  };

  it('the copied history has every kind of row the figures count', async () => {
    const pgCount = async (sql: string) => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n;
    for (const table of TABLES) {
      const { n } = sqliteFile.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
      expect(await pgCount(table), table).toBe(n);
    }
    expect(await pgCount('sessions')).toBe(seeded.sessions + 2);
    expect(await pgCount(`handoffs WHERE status = 'solved' AND solved_at IS NOT NULL`)).toBeGreaterThan(10);
    expect(await pgCount('feedback WHERE comment IS NOT NULL')).toBeGreaterThan(20);
    expect(await pgCount(`sessions WHERE status = 'finished' AND finished_at IS NULL`)).toBeGreaterThan(0);
  });

  it('figures for the whole period, all guides (with hand-offs per guide), are equal', async () => {
    const f = period();
    const [expected, actual] = [await sqlite.analytics(f), await store.analytics(f)];
    expect(expected.started).toBeGreaterThan(100);
    expect(expected.handoffsByFlow!.length).toBeGreaterThan(1);
    expect(expected.comments).toHaveLength(20);
    expect(expected.handoffs.medianHoursToSolved).not.toBeNull();
    expect(expected.medianSecondsToOutcome).not.toBeNull();
    expect(actual).toEqual(expected);
    // The same key order too: the JSON the console is sent is the same text.
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  });

  it('figures for one guide, per step and per arrow from step_stats, are equal', async () => {
    const f = period({ flowId });
    const expected = await sqlite.analytics(f);
    expect(Object.keys(expected.steps!).length).toBeGreaterThan(2);
    expect(expected.transitions!.length).toBeGreaterThan(2);
    expect(JSON.stringify(await store.analytics(f))).toBe(JSON.stringify(expected));
  });

  it('figures narrowed by language, channel, audience and a period of part days are equal', async () => {
    for (const f of [
      period({ flowId, lng: 'sv', channel: 'self' }),
      period({ channel: 'agent' }),
      period({ flowId, audience: 'participant', from: day('2026-03-03') + 7 * HOUR, to: day('2026-03-06') + 15 * HOUR }),
      period({ audience: 'agent' }),
    ]) {
      expect(JSON.stringify(await store.analytics(f)), JSON.stringify(f)).toBe(JSON.stringify(await sqlite.analytics(f)));
    }
  });

  it('figures for one version of a guide (per step from its sessions\' steps) are equal', async () => {
    for (const flowVersion of [version, 'older']) {
      const f = period({ flowId, flowVersion });
      const expected = await sqlite.analytics(f);
      expect(expected.started).toBeGreaterThan(0);
      expect(JSON.stringify(await store.analytics(f))).toBe(JSON.stringify(expected));
    }
  });

  it('an empty period gives the same zeros and nulls', async () => {
    const f = period({ from: day('2020-01-01'), to: day('2020-01-02') });
    const actual = await store.analytics(f);
    expect(actual).toMatchObject({ started: 0, resolutionRate: null, medianSecondsToOutcome: null, handoffs: { total: 0, medianHoursToSolved: null } });
    expect(actual).toEqual(await sqlite.analytics(f));
    const one = period({ from: day('2020-01-01'), to: day('2020-01-02'), flowId });
    expect(await store.analytics(one)).toEqual(await sqlite.analytics(one));
  });

  it('exports give the same rows, values and order, across more than one page', async () => {
    for (const f of [period(), period({ flowId, flowVersion: 'older' })]) {
      const sessions = await collect(store.exportSessions(f));
      expect(sessions).toEqual(await collect(sqlite.exportSessions(f)));
      const steps = await collect(store.exportSteps(f));
      expect(steps).toEqual(await collect(sqlite.exportSteps(f)));
      expect(steps.length).toBeGreaterThan(0);
    }
    expect((await collect(store.exportSteps(period()))).length).toBeGreaterThan(EXPORT_PAGE);
  });

  it('an export stopped after its first row gives its client back to the pool', async () => {
    for (const rows of [store.exportSteps(period()), store.exportSessions(period())]) {
      for await (const row of rows) {
        expect(row).toHaveProperty('flow_id');
        // Mid-export the cursor holds a client of its own.
        expect(pool.totalCount - pool.idleCount).toBe(1);
        break;
      }
      expect(pool.totalCount).toBeGreaterThan(0);
      expect(pool.idleCount).toBe(pool.totalCount);
    }
    // The clients given back work: a whole export after them still reads everything.
    expect((await collect(store.exportSessions(period()))).length).toBe((await collect(sqlite.exportSessions(period()))).length);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('an export whose consumer fails, or whose query fails, gives its client back too', async () => {
    const consumer = async () => {
      for await (const _ of store.exportSessions(period())) throw new Error('the network went away');
    };
    await expect(consumer()).rejects.toThrow('the network went away');
    expect(pool.idleCount).toBe(pool.totalCount);
    // NaN is no BIGINT: the cursor's first read fails on the server.
    await expect(collect(store.exportSteps(period({ from: Number.NaN })))).rejects.toThrow(/bigint/);
    expect(pool.idleCount).toBe(pool.totalCount);
    expect((await collect(store.exportSessions(period({ flowId })))).length).toBeGreaterThan(0);
  });

  it('an export never read takes no client', async () => {
    const before = pool.totalCount - pool.idleCount;
    store.exportSteps(period());
    expect(pool.totalCount - pool.idleCount).toBe(before);
  });
});
