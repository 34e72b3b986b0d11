import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { Engine, type SessionView } from '../../server/engine/engine.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { openStore, StoreOpenError } from '../../server/store/index.ts';
import { openPool } from '../../server/store/postgres/db.ts';
import { createPostgresStore } from '../../server/store/postgres/index.ts';
import { migrate } from '../../server/store/postgres/migrate.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import { postgresSql, sqliteSql } from '../support/store-sql.ts';
import {
  MAX_STEPS_PER_SESSION,
  type NewStep,
  type SessionChange,
  StepConflictError,
  type Store,
} from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';
import { change, newSession, START, step } from '../support/store-records.ts';
import { SOURCE } from '../support/child-server.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

const file = useTempFiles('pg-sessions.db');
const T0 = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Everything a test opened, closed after it (stores first, then the databases). */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const done of cleanups.splice(0).reverse()) await done();
});

async function database() {
  const fresh = await freshPostgres();
  cleanups.push(() => fresh.drop());
  return fresh.url;
}

async function postgresStore(url: string, now: () => number = Date.now) {
  const store = await createPostgresStore(url, { poolSize: 4, now });
  cleanups.push(() => store.close());
  return store;
}

/** Plain SQL on a store's own database, written with `?` placeholders, for what the Store interface does not say. */
type Sql = (query: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

interface Side {
  name: 'sqlite' | 'postgres';
  store: Store;
  sql: Sql;
  tick(ms: number): void;
}

/** A clock the test moves, starting at T0. */
function clock() {
  let time = T0;
  return { now: () => time, tick: (ms: number) => void (time += ms) };
}

/** SQLite and PostgreSQL, each empty and on its own clock, both starting at T0. */
async function bothStores(): Promise<[Side, Side]> {
  const sqliteClock = clock();
  const { store: sqlite, db } = openSqliteFile(file(), { now: sqliteClock.now });
  cleanups.push(() => sqlite.close());
  const onSqlite = sqliteSql(db);
  const url = await database();
  const postgresClock = clock();
  const postgres = await postgresStore(url, postgresClock.now);
  const onPostgres = postgresSql(url);
  cleanups.push(() => onPostgres.close());
  return [
    {
      name: 'sqlite',
      store: sqlite,
      tick: sqliteClock.tick,
      sql: (q, params) => onSqlite.all(q, params),
    },
    {
      name: 'postgres',
      store: postgres,
      tick: postgresClock.tick,
      sql: (q, params) => onPostgres.all(q, params),
    },
  ];
}

/** Runs the same scenario (from T0) on SQLite and on PostgreSQL and returns what each gave. */
async function sideBySide<T>(scenario: (side: Side, start: number) => Promise<T>): Promise<[T, T]> {
  const [sqlite, postgres] = await bothStores();
  return [await scenario(sqlite, T0), await scenario(postgres, T0)];
}

/** What a call threw, as comparable data. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => ({ type: e.constructor.name, message: e.message }),
  );
const stepStats = (sql: Sql) => sql('SELECT * FROM step_stats ORDER BY day, state, event, prev_state');

describe.skipIf(!POSTGRES)(`the PostgreSQL store's sessions behave as SQLite's${SKIP_REASON}`, () => {
  it('a session, its steps, a taken seq and a taken ref', async () => {
    const [sqlite, postgres] = await sideBySide(async ({ store, sql, tick }) => {
      const created = await store.createSession(newSession('s1', { origin: 'https://help.example.com', ticketRef: 'T-1' }), START);
      tick(MINUTE);
      await store.appendStep('s1', step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute', { data: { x: 1 } }), change('waitAMinute', [0, 1]));
      tick(MINUTE);
      const taken = await failure(store.appendStep('s1', step(1, 'howLongAgo', 'OVER_A_MINUTE', 'checkSpam'), change('checkSpam', [0, 1])));
      const refTaken = await failure(store.createSession(newSession('s2', { ref: 'REF-s1' }), START));
      await store.appendStep('s1', step(2, 'waitAMinute', 'ARRIVED', 'arrivedAfterWaiting'), change('arrivedAfterWaiting', [0, 1, 2], 'resolved'));
      return {
        created,
        taken,
        refTaken,
        session: await store.getSession('s1'),
        byRef: await store.getSessionByRef('REF-s1'),
        missing: [await store.getSession('s2'), await store.getSessionByRef('NOPE'), await store.openSession('s2')],
        steps: await store.listSteps('s1'),
        firstTwo: await store.listSteps('s1', 2),
        opened: await store.openSession('s1'),
        row: await sql('SELECT state, status, outcome, finished_at, path FROM sessions'),
        stats: await stepStats(sql),
      };
    });
    expect(sqlite.taken).toMatchObject({ type: StepConflictError.name });
    expect(sqlite.refTaken).toMatchObject({ type: 'RefTakenError' });
    expect(sqlite.session).toMatchObject({ status: 'finished', outcome: 'resolved', lastSeq: 2, ticketRef: 'T-1' });
    expect(sqlite.stats).toHaveLength(3);
    expect(postgres).toEqual(sqlite);
  });

  it('Back, Start over and the path a step reads, also for a session stored before paths were kept', async () => {
    const [sqlite, postgres] = await sideBySide(async ({ store, sql, tick }) => {
      await store.createSession(newSession('s1'), START);
      const walk: [NewStep, SessionChange][] = [
        [step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [0, 1])],
        [step(2, 'waitAMinute', 'BACK', 'howLongAgo'), change('howLongAgo', [0])],
        [step(3, 'howLongAgo', 'OVER_A_MINUTE', 'checkSpam'), change('checkSpam', [0, 3])],
        [step(4, 'checkSpam', 'FOUND_IN_SPAM', 'whyInSpam'), change('whyInSpam', [0, 3, 4])],
        [step(5, 'whyInSpam', 'BACK', 'checkSpam'), change('checkSpam', [0, 3])],
        [step(6, 'checkSpam', 'FOUND_IN_SPAM', 'whyInSpam'), change('whyInSpam', [0, 3, 6])],
      ];
      const paths: number[][] = [];
      for (const [s, c] of walk) {
        tick(1000);
        await store.appendStep('s1', s, c);
        paths.push((await store.listPath('s1')).map((r) => r.seq));
      }
      // As a session stored before paths were kept: its rows make the path.
      await sql('UPDATE sessions SET path = NULL');
      const legacy = (await store.listPath('s1')).map((r) => r.seq);
      await store.appendStep('s1', step(7, 'whyInSpam', 'RESTART', 'howLongAgo'), change('howLongAgo', [7]));
      const restarted = (await store.listPath('s1')).map((r) => r.seq);
      await sql('UPDATE sessions SET path = NULL');
      const legacyRestarted = (await store.listPath('s1')).map((r) => r.seq);
      const opened = await store.openSession('s1');
      // A path longer than the cap is read from its end: here, only seqs no row has.
      const long = [0, 3, 7, ...Array.from({ length: MAX_STEPS_PER_SESSION }, (_, i) => 100 + i)];
      await sql('UPDATE sessions SET path = ?', [JSON.stringify(long)]);
      const capped = (await store.listPath('s1')).map((r) => r.seq);
      await sql('UPDATE sessions SET path = ?', [JSON.stringify(long.slice(0, -3))]);
      const underCap = (await store.listPath('s1')).map((r) => r.seq);
      const none = await store.listPath('nope');
      return { paths, legacy, restarted, legacyRestarted, opened, capped, underCap, none, stats: await stepStats(sql) };
    });
    expect(sqlite.paths).toEqual([[0, 1], [0], [0, 3], [0, 3, 4], [0, 3], [0, 3, 6]]);
    expect(sqlite.legacy).toEqual([0, 3, 6]);
    expect(sqlite.legacyRestarted).toEqual([7]);
    expect(sqlite.capped).toEqual([]);
    expect(sqlite.underCap).toEqual([0, 3, 7]);
    expect(postgres).toEqual(sqlite);
  });

  it('listSessions: every filter, the total, the order (ids compared byte by byte, as SQLite does) and the page', async () => {
    const [sqlite, postgres] = await sideBySide(async ({ name, store, sql, tick }, t) => {
      // As in a database created with a linguistic default collation (en_US.UTF-8, common), not this server's C.UTF-8.
      if (name === 'postgres') await sql('ALTER TABLE sessions ALTER COLUMN id TYPE TEXT COLLATE "en-x-icu"');
      await sql(`INSERT INTO agents (email, name, role, password_hash, created_at) VALUES ('a@example.com', 'A', 'agent', 'x', 0)`);
      await store.createSession(newSession('b1', { lng: 'sv', channel: 'widget' }), START);
      // Same moment: the id decides, and 'B' < 'a' < 'b' byte by byte (a linguistic collation says otherwise).
      await store.createSession(newSession('a2', { agentId: 1, channel: 'agent', audience: 'agent' }), START);
      await store.createSession(newSession('B1', { flowId: 'missing-email' }), START);
      tick(MINUTE);
      await store.createSession(newSession('c3', { lng: 'de' }), START);
      await store.appendStep('c3', step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [0, 1]));
      await store.appendStep('c3', step(2, 'waitAMinute', 'ARRIVED', 'arrivedAfterWaiting'), change('arrivedAfterWaiting', [0, 1, 2], 'resolved'));
      const page = { limit: 10, offset: 0 };
      const ids = async (filter: Partial<Parameters<Store['listSessions']>[0]>) => {
        const { sessions, total } = await store.listSessions({ ...page, ...filter });
        return { ids: sessions.map((s) => s.id), total };
      };
      return {
        all: await store.listSessions(page),
        agent: await ids({ agentId: 1 }),
        flow: await ids({ flowId: 'missing-email' }),
        outcome: await ids({ outcome: 'resolved' }),
        active: await ids({ status: 'active' }),
        finished: await ids({ status: 'finished' }),
        lng: await ids({ lng: 'sv' }),
        channel: await ids({ channel: 'agent' }),
        from: await ids({ from: t + 1 }),
        to: await ids({ to: t + 1 }),
        both: await ids({ flowId: 'participant-no-email', to: t + 1, lng: 'en' }),
        paged: await ids({ limit: 2, offset: 1 }),
        beyond: await ids({ limit: 2, offset: 10 }),
      };
    });
    expect(sqlite.all.sessions.map((s) => s.id)).toEqual(['c3', 'B1', 'a2', 'b1']);
    expect(sqlite.paged).toEqual({ ids: ['B1', 'a2'], total: 4 });
    expect(sqlite.outcome).toEqual({ ids: ['c3'], total: 1 });
    expect(postgres).toEqual(sqlite);
  });

  it('retention: purging text and sessions before a cut-off, figures by whole days', async () => {
    const [sqlite, postgres] = await sideBySide(async ({ store, sql, tick }, t) => {
      // The fields purgeText empties, and one it keeps.
      const story = (n: number) =>
        JSON.stringify({ id: `h${n}`, message: `help ${n}`, email: `p${n}@example.com`, name: `P ${n}`, transcriptText: 'notes', transcriptMarkdown: 'notes', flowId: 'x' });
      for (const [n, id] of ['old', 'new'].entries()) {
        await store.createSession(newSession(id), START);
        const note = { seq: 0, note: `note ${id}` };
        await store.appendStep(id, step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [0, 1]), note);
        await store.addFeedback(id, { helpful: true, comment: `comment ${id}`, state: 'waitAMinute' });
        await sql(
          `INSERT INTO handoffs (id, session_id, step_seq, flow_id, lng, story, status, created_at) VALUES (?, ?, 1, 'x', 'en', ?, 'open', ?)`,
          [`h${n}`, id, story(n), t],
        );
        tick(40 * DAY);
      }
      const cut = t + 20 * DAY;
      const emptied = await store.purgeText(cut);
      const again = await store.purgeText(cut);
      const text = {
        steps: await sql('SELECT session_id, seq, note FROM steps ORDER BY session_id, seq'),
        notes: await sql('SELECT session_id, text FROM notes ORDER BY session_id'),
        comments: await sql('SELECT session_id, comment FROM feedback ORDER BY session_id'),
        // Parsed: jsonb orders the keys its own way, and both stores' readers parse the text.
        stories: (await sql('SELECT id, story FROM handoffs ORDER BY id')).map((r) => ({ id: r.id, story: JSON.parse(String(r.story)) })),
      };
      const deleted = await store.purgeSessions(cut);
      return {
        emptied,
        again,
        text,
        deleted,
        left: await sql('SELECT id FROM sessions'),
        rows: await sql(
          'SELECT (SELECT count(*) FROM steps) AS steps, (SELECT count(*) FROM feedback) AS feedback, (SELECT count(*) FROM handoffs) AS handoffs',
        ),
        stats: await stepStats(sql),
      };
    });
    expect(sqlite.emptied).toBe(3);
    expect(sqlite.again).toBe(0);
    expect(sqlite.text.stories[0]!.story).toEqual({ id: 'h0', message: '', email: null, name: null, transcriptText: '', transcriptMarkdown: '', flowId: 'x' });
    expect(sqlite.deleted).toBe(1);
    expect(sqlite.stats.map((r) => r.day)).toEqual(['2026-04-10', '2026-04-10']);
    expect(postgres).toEqual(sqlite);
  });
  it('the engine walks a guide on both alike: answers, a note, Back, Start over, feedback', async () => {
    const [sqlite, postgres] = await sideBySide(async ({ store, tick }) => {
      const engine = new Engine(store, new FlowRegistry(), new StepRenderer(createI18n()), { emailDomain: () => Promise.reject(new Error('unused')), headers: () => Promise.reject(new Error('unused')), bounce: () => Promise.reject(new Error('unused')) });
      // What a person sees, without the random id and ref and the wall-clock times the engine adds.
      const seen = (v: SessionView) => ({
        step: v.step,
        note: v.note,
        history: v.history.map(({ at: _at, ...entry }) => entry),
        canGoBack: v.canGoBack,
        status: v.session.status,
        outcome: v.session.outcome,
        lastSeq: v.session.lastSeq,
      });
      const { session } = await engine.start({ flowId: 'participant-no-email', lng: 'sv' });
      const views: ReturnType<typeof seen>[] = [];
      const act = async (view: Promise<SessionView>) => {
        tick(1000);
        views.push(seen(await view));
      };
      await act(engine.send(session.id, 'UNDER_A_MINUTE', undefined, { note: 'said under a minute' }));
      await act(engine.back(session.id));
      await act(engine.send(session.id, 'OVER_A_MINUTE'));
      await act(engine.send(session.id, 'FOUND_IN_SPAM'));
      await act(engine.restart(session.id));
      await act(engine.send(session.id, 'UNDER_A_MINUTE'));
      await act(engine.send(session.id, 'ARRIVED'));
      await engine.feedback(session.id, true, 'it came');
      views.push(seen(await engine.get(session.id)));
      const steps = (await store.listSteps(session.id)).map(({ sessionId: _id, ...row }) => row);
      return { views, steps, notes: (await store.listNotes(session.id, 10)).map((n) => n.text) };
    });
    expect(sqlite.views.at(-1)).toMatchObject({ status: 'finished', outcome: 'resolved', lastSeq: 7 });
    expect(postgres).toEqual(sqlite);
  });
});

describe.skipIf(!POSTGRES)(`several instances on one PostgreSQL${SKIP_REASON}`, () => {
  it('the pool wrapper: a transaction lost to a serialization failure runs again (three tries), anything else rolls back once', async () => {
    const db = openPool(await database(), 2);
    cleanups.push(() => db.end());
    await db.query('CREATE TABLE t (n INT)');
    const lost = (code: string) => Object.assign(new Error(`lost (${code})`), { code });
    let tries = 0;
    const value = await db.tx(async (q) => {
      await q.query('INSERT INTO t VALUES ($1)', [++tries]);
      if (tries < 3) throw lost('40001');
      return 'done';
    });
    expect([value, tries]).toEqual(['done', 3]);
    // Only the try that committed left its row.
    expect(await db.many('SELECT n FROM t')).toEqual([{ n: 3 }]);
    tries = 0;
    const alwaysLost = async () => {
      tries++;
      throw lost('40P01');
    };
    await expect(db.tx(alwaysLost)).rejects.toThrow('40P01');
    expect(tries).toBe(3);
    tries = 0;
    await expect(
      db.tx(async (q) => {
        tries++;
        await q.query('INSERT INTO t VALUES (99)');
        throw lost('23505');
      }),
    ).rejects.toThrow('23505');
    expect(tries).toBe(1);
    expect(await db.one('SELECT count(*) AS n FROM t')).toEqual({ n: 1 });
    await db.end();
    await db.end(); // closing twice is harmless, as with SQLite
  });

  it('instances starting together migrate once, under the advisory lock; a newer schema is refused', async () => {
    const url = await database();
    const pools = [openPool(url, 2), openPool(url, 2), openPool(url, 2)];
    cleanups.push(async () => void (await Promise.all(pools.map((p) => p.end()))));
    const ran = await Promise.all(pools.map((p) => migrate(p)));
    expect(ran.sort()).toEqual([0, 0, postgresMigrations.length]);
    expect(await pools[0]!.many('SELECT version FROM mailhelp_schema')).toEqual([{ version: postgresMigrations.length }]);
    expect(await migrate(pools[1]!)).toBe(0);
    await expect(migrate(pools[2]!, [])).rejects.toThrow(/newer than this app knows/);
    // A failed migration leaves nothing behind: all or nothing.
    await expect(migrate(pools[2]!, [...postgresMigrations, 'CREATE TABLE x (a INT); SELECT nope'])).rejects.toThrow(/nope/);
    expect(await pools[0]!.one("SELECT to_regclass('x') AS t")).toEqual({ t: null });
    expect(await pools[0]!.many('SELECT version FROM mailhelp_schema')).toEqual([{ version: postgresMigrations.length }]);
  });

  it('openStore: PostgreSQL when DATABASE_URL is set (migrated), SQLite otherwise; an unreachable server is one line without its password', async () => {
    const url = await database();
    const base = { DATABASE_POOL_SIZE: 2, DB_PATH: file(), SQLITE_SYNCHRONOUS: 'NORMAL' as const };
    const store = await openStore({ ...base, DATABASE_URL: url });
    cleanups.push(() => store.close());
    await expect(store.ping()).resolves.toBeUndefined();
    expect('db' in store).toBe(false);
    const sqlite = await openStore(base);
    cleanups.push(() => sqlite.close());
    // A plain Store either way: no database handle leaks out of the factory.
    expect('db' in sqlite).toBe(false);

    const failed = await openStore({ ...base, DATABASE_URL: 'postgres://mailhelp:secret@127.0.0.1:1/mailhelp' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreOpenError);
    expect((failed as Error).message).toMatch(/^DATABASE_URL=postgres:\/\/mailhelp:\*\*\*@127\.0\.0\.1:1\/mailhelp: .*ECONNREFUSED/);
    expect((failed as Error).message).not.toContain('secret');
  });
});

/** Starts the server with `env` and waits for it to end by itself (it must not START). */
async function failedStart(env: Record<string, string>) {
  const proc = spawn(SOURCE[0]!, SOURCE.slice(1), {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DB_PATH: file(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (stdout.includes('listening')) proc.kill('SIGTERM');
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, lines: stderr.trim().split('\n') };
}

describe('DATABASE_URL and DATABASE_POOL_SIZE', () => {
  it('a PostgreSQL that cannot be reached stops the start with one line, its password hidden', async () => {
    const run = await failedStart({ DATABASE_URL: 'postgres://mailhelp:secret@127.0.0.1:1/mailhelp' });
    expect(run.stdout).not.toContain('listening');
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(/^mailhelp: cannot start: DATABASE_URL=postgres:\/\/mailhelp:\*\*\*@127\.0\.0\.1:1\/mailhelp: .*ECONNREFUSED/);
  });

  it.skipIf(!POSTGRES)(`a database that does not exist says so${SKIP_REASON}`, async () => {
    const url = new URL(POSTGRES!);
    url.pathname = '/mailhelp_no_such_database';
    const run = await failedStart({ DATABASE_URL: url.toString() });
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([expect.stringMatching(/^mailhelp: cannot start: DATABASE_URL=.*: database "mailhelp_no_such_database" does not exist/)]);
  });

  it('take a postgres URL and a pool size (default 10), and refuse anything else naming the variable', () => {
    expect(loadConfig({})).toMatchObject({ DATABASE_POOL_SIZE: 10 });
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db/mailhelp', DATABASE_POOL_SIZE: '3' })).toMatchObject({ DATABASE_POOL_SIZE: 3 });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:p@db/mailhelp' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('retention runs on one instance at a time: another that purges meanwhile finds it being done', async () => {
    const url = await database();
    const a = await postgresStore(url);
    const b = await postgresStore(url);
    await a.createSession(newSession('old'), START);
    // Instance A's purge is under way (it holds the retention lock in its transaction).
    const holder = openPool(url, 1);
    cleanups.push(() => holder.end());
    let release!: () => void;
    const held = holder.tx(async (q) => {
      await q.query("SELECT pg_advisory_xact_lock(hashtext('mailhelp:retention'))");
      await new Promise<void>((r) => (release = r));
    });
    // Until A holds it (a fixed wait is too short on a loaded machine).
    const probe = openPool(url, 1);
    cleanups.push(() => probe.end());
    const advisoryLocks = "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()";
    while (!(await probe.one<{ n: number }>(advisoryLocks))!.n) await new Promise((r) => setTimeout(r, 10));
    expect(await b.purgeSessions(Date.now() + 1000)).toBe(0);
    expect(await b.purgeText(Date.now() + 1000)).toBe(0);
    expect(await b.getSession('old')).toBeDefined();
    release();
    await held;
    expect(await b.purgeSessions(Date.now() + 1000)).toBe(1);
  });
});
