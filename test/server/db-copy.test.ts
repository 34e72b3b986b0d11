import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/auth/password.ts';
import { COPIED_TABLES, copyToPostgres, openSqliteSource } from '../../server/store/copy.ts';
import { openPool } from '../../server/store/postgres/db.ts';
import { migrate } from '../../server/store/postgres/migrate.ts';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { createPostgresStore } from '../../server/store/postgres/index.ts';
import type { DraftRecord, FlowVersionRecord, HandoffRecord, SessionRecord, Store, StepRecord } from '../../server/store/types.ts';
import { addAgent, PASSWORD } from '../support/agents.ts';
import { tempDir } from '../support/app.ts';
import { runTool } from '../support/cli.ts';
import { syncedApp } from '../support/content.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';
import { WEBHOOK_SECRET } from '../support/webhook-receiver.ts';

/*
 * `npm run db -- copy`: a SQLite database the real app wrote (guides synced, sessions walked through the API, an
 * agent, a note, feedback, a draft, a hand-off with its delivery) is copied into a fresh PostgreSQL database by the
 * tool as an operator runs it, and the PostgreSQL store then serves the same records. Running it again changes
 * nothing; a copy that lost half its steps completes; the app's next rows get ids of their own.
 */

const FLOW = 'participant-no-email';

/** What the SQLite store served before the copy: the PostgreSQL store must serve the same. */
interface Expected {
  sessions: SessionRecord[];
  steps: StepRecord[][];
  versions: FlowVersionRecord[];
  mark: number;
  draft: DraftRecord;
  handoff: HandoffRecord;
  agentEmail: string;
  maxAgentId: number;
}

let dir: ReturnType<typeof tempDir>;
let source: string;
let expected: Expected;

/** The app's database, as a few days of use leave it. */
async function buildSqlite(file: string): Promise<Expected> {
  const t = await syncedApp(file, { config: { HANDOFF_WEBHOOK_URL: 'http://127.0.0.1:9/hook', HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  try {
    const { ctx } = t.app.locals;
    await addAgent(t, 'first@example.se');
    const agent = await addAgent(t, 'anna@example.se', 'admin');
    const walks = [['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED'], ['OVER_A_MINUTE'], []];
    const ids: string[] = [];
    for (const [i, events] of walks.entries()) {
      const started = await request(t.app).post('/api/sessions').send({ flowId: FLOW, lng: ['sv', 'de', 'en'][i] }).expect(201);
      for (const type of events) await request(t.app).post(`/api/sessions/${started.body.sessionId}/events`).send({ type }).expect(200);
      ids.push(started.body.sessionId);
    }
    const escalated = ids[0]!;
    await request(t.app).post(`/api/sessions/${escalated}/feedback`).send({ helpful: false, comment: 'Inget mejl.' }).expect(204);
    await t.store.setNote(escalated, { seq: 1, note: 'Ringde tillbaka.', agentId: agent.id });
    const draft = await ctx.drafts.start(FLOW, { actor: { agentId: agent.id, via: 'console' } });
    const handoff = await ctx.handoffs.request(escalated, { message: 'Länken kom aldrig.', email: 'anna@example.se', name: 'Anna' });
    expect(handoff.deliveries).toHaveLength(1);
    return {
      sessions: await Promise.all(ids.map(async (id) => (await t.store.getSession(id))!)),
      steps: await Promise.all(ids.map((id) => t.store.listSteps(id))),
      versions: (await t.store.versionsSince(0)).versions,
      mark: await t.store.versionsMark(),
      draft: (await t.store.getDraft(draft.id))!,
      handoff: (await t.store.handoffs.get(handoff.id))!,
      agentEmail: agent.email,
      maxAgentId: agent.id,
    };
  } finally {
    await t.close();
  }
}

const copy = (url: string, from = source) => runTool('db', ['copy', '--from', `sqlite:${from}`, '--to', url]);

/** Each table's row count in the database at `url`. */
async function pgCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of COPIED_TABLES) counts[table] = (await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    return counts;
  } finally {
    await c.end();
  }
}

async function sql(url: string, text: string): Promise<number> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query(text)).rowCount ?? 0;
  } finally {
    await c.end();
  }
}

function sqliteCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(COPIED_TABLES.map((t) => [t, db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()!.n]));
  } finally {
    db.close();
  }
}

// One SQLite database for every PostgreSQL test: the copy only reads it.
beforeAll(async () => {
  if (!POSTGRES) return;
  dir = tempDir();
  source = join(dir.dir, 'mailhelp.db');
  expected = await buildSqlite(source);
});
afterAll(() => dir?.remove());

describe.skipIf(!POSTGRES)(`npm run db -- copy, SQLite to PostgreSQL${SKIP_REASON}`, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function copied(): Promise<{ url: string; open(): Promise<Store> }> {
    const target = await freshPostgres();
    cleanups.push(() => target.drop());
    const run = await copy(target.url);
    expect(run.err).not.toContain('Error:');
    expect(run.code).toBe(0);
    return {
      url: target.url,
      async open() {
        const store = await createPostgresStore(target.url, { poolSize: 2 });
        cleanups.push(() => store.close());
        return store;
      },
    };
  }

  it('copies every table: the PostgreSQL store serves the same sessions, steps, versions, agents, drafts and hand-offs', async () => {
    const target = await freshPostgres();
    cleanups.push(() => target.drop());
    const url = new URL(target.url);
    url.password = 'not-printed';
    const run = await copy(url.toString());
    expect(run.code).toBe(0);
    // Progress table by table on stderr, the counts on stdout; the password in neither.
    for (const table of COPIED_TABLES) expect(run.err).toMatch(new RegExp(`^${table}: \\d+ row\\(s\\) copied$`, 'm'));
    expect(run.out).toMatch(/^sessions +sqlite +3 +postgres +3 +ok$/m);
    expect(run.out).not.toContain('DIFFERS');
    expect(`${run.out}${run.err}`).not.toContain('not-printed');
    expect(await pgCounts(target.url)).toEqual(sqliteCounts(source));
    expect(sqliteCounts(source).steps).toBeGreaterThan(3);

    const store = await createPostgresStore(target.url, { poolSize: 2 });
    cleanups.push(() => store.close());
    for (const [i, session] of expected.sessions.entries()) {
      expect(await store.getSession(session.id)).toEqual(session);
      expect(await store.listSteps(session.id)).toEqual(expected.steps[i]);
    }
    // Versions: same numbers, hashes and documents, in the order they were published, and the same mark.
    expect(expected.mark).toBeGreaterThan(0);
    expect(await store.versionsMark()).toBe(expected.mark);
    expect((await store.versionsSince(0)).versions).toEqual(expected.versions);
    expect(await store.getDraft(expected.draft.id)).toEqual(expected.draft);
    expect(await store.handoffs.get(expected.handoff.id)).toEqual(expected.handoff);
    expect(await store.listNotes(expected.sessions[0]!.id, 10)).toMatchObject([{ text: 'Ringde tillbaka.' }]);
    expect(await store.listFeedback(expected.sessions[0]!.id)).toMatchObject([{ helpful: false, comment: 'Inget mejl.' }]);
    // Sign-in still works: the password hash came along.
    const agent = (await store.findAgentByEmail(expected.agentEmail))!;
    expect(agent.id).toBe(expected.maxAgentId);
    expect(await verifyPassword(PASSWORD, agent.passwordHash)).toBe(true);
  });

  it('run again, it changes nothing and exits 0; a copy that lost half its steps completes', async () => {
    const target = await copied();
    const before = await pgCounts(target.url);
    const again = await copy(target.url);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Copied 0 new row(s)');
    expect(await pgCounts(target.url)).toEqual(before);

    // Stopped half-way: half the steps and the later half of the versions never arrived.
    const lost = await sql(target.url, 'DELETE FROM steps WHERE ctid IN (SELECT ctid FROM steps ORDER BY session_id, seq LIMIT (SELECT count(*) / 2 FROM steps))');
    expect(lost).toBeGreaterThan(0);
    expect(await sql(target.url, `DELETE FROM flow_versions WHERE seq > ${Math.floor(expected.mark / 2)}`)).toBeGreaterThan(0);
    const resumed = await copy(target.url);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain(`steps: ${lost} row(s) copied`);
    expect(resumed.err).toContain('sessions: 0 row(s) copied');
    expect(await pgCounts(target.url)).toEqual(before);
    const store = await target.open();
    for (const [i, session] of expected.sessions.entries()) expect(await store.listSteps(session.id)).toEqual(expected.steps[i]);
    // The versions resumed keep their place in the order (their rowid), whatever the rows skipped before them.
    expect(await store.versionsMark()).toBe(expected.mark);
    expect((await store.versionsSince(0)).versions).toEqual(expected.versions);
  });

  it('the app\'s next agents, feedback, drafts and versions after the copy get ids of their own', async () => {
    const target = await copied();
    const store = await target.open();
    const agent = await store.createAgent({ email: 'new@example.se', name: 'New', role: 'author', passwordHash: 'x' });
    expect(agent.id).toBe(expected.maxAgentId + 1);
    // A new session through the PostgreSQL store, with feedback at its outcome: the feedback identity is past the copied one's.
    const [first] = expected.steps[0]!;
    const created = await store.createSession(
      { id: 'copied-after', ref: 'ZZZ-9ZZ', flowId: FLOW, flowVersion: expected.sessions[0]!.flowVersion, lng: 'sv', audience: 'participant', channel: 'api', origin: null, snapshot: first!.snapshot },
      { seq: 0, state: first!.state, event: first!.event, data: null, snapshot: first!.snapshot },
    );
    await store.addFeedback(created.id, { helpful: true, comment: null, state: first!.state });
    expect(await store.listFeedback(created.id)).toHaveLength(1);
    const draft = await store.createDraft(
      { flowId: FLOW, hash: expected.draft.hash, document: expected.draft.document, createdBy: agent.id },
      { actor: { agentId: agent.id, via: 'console' }, action: 'draft', note: null },
    );
    expect(draft.id).toBeGreaterThan(expected.draft.id);
    const published = await store.publishVersion({
      flowId: FLOW,
      hash: 'new-hash',
      document: expected.draft.document,
      note: null,
      actor: { agentId: agent.id, via: 'console' },
      action: 'publish',
    });
    expect(published.number).toBe(2);
    expect(await store.versionsMark()).toBe(expected.mark + 1);
  });
});

describe.skipIf(!POSTGRES)(`copying while the app still writes, or into another database${SKIP_REASON}`, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A copy of `expected`'s file to write to, and a migrated, empty PostgreSQL database. */
  async function setup() {
    const d = tempDir();
    cleanups.push(async () => d.remove());
    const file = join(d.dir, 'writing.db');
    const original = new Database(source, { readonly: true });
    await original.backup(file);
    original.close();
    const target = await freshPostgres();
    cleanups.push(() => target.drop());
    const db = openPool(target.url, 2);
    cleanups.push(() => db.end());
    await migrate(db);
    return { file, url: target.url, db };
  }

  it('rows a writer adds during the copy show as a difference in the counts; the next run copies them', async () => {
    const { file, db } = await setup();
    const writer = new Database(file);
    cleanups.push(async () => writer.close());
    const reader = openSqliteSource(file);
    cleanups.push(async () => reader.close());
    const write = () =>
      writer.prepare('INSERT INTO feedback (session_id, state, helpful, comment, at) VALUES (?, ?, 1, NULL, ?)').run(expected.sessions[1]!.id, 'late', Date.now());
    // The app answers a "did this help?" while the copy is at sessions: after the copy's snapshot was taken. Batches
    // of two rows: most tables take several.
    const counts = await copyToPostgres(reader, db, { batchRows: 2, progress: (line) => line.startsWith('sessions:') && write() });
    expect(counts.filter((c) => c.sqlite !== c.postgres)).toEqual([{ table: 'feedback', sqlite: 2, postgres: 1, inserted: 1 }]);
    const again = await copyToPostgres(reader, db);
    expect(again.every((c) => c.sqlite === c.postgres)).toBe(true);
    expect(again.find((c) => c.table === 'feedback')).toMatchObject({ sqlite: 2, inserted: 1 });
  });

  it('refuses a PostgreSQL database that holds rows the file does not (the app ran on it)', async () => {
    const { url, db } = await setup();
    await db.query("INSERT INTO builtin_seen SELECT 'other-' || n, 'h', 1 FROM generate_series(1, 100) n");
    const run = await copy(url);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/PostgreSQL's builtin_seen has more rows \(100\) than the SQLite file's \(\d+\)/);
    expect(await pgCounts(url)).toMatchObject({ agents: 0, sessions: 0 });
  });
});

describe('npm run db -- copy refuses what it cannot copy', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterAll(() => dirs.forEach((d) => d.remove()));

  it('a file on an older schema (start the app on it first), a target that is not PostgreSQL, a missing command', async () => {
    const d = tempDir();
    dirs.push(d);
    const old = join(d.dir, 'old.db');
    const db = new Database(old);
    db.exec(migrations[0]!);
    db.pragma('user_version = 1');
    db.close();
    const run = await copy('postgres://nobody:secret@127.0.0.1:1/none', old);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`schema version 1, this app's is ${migrations.length}: start the app once on it`);
    expect(run.err).not.toContain('secret');

    const mysql = await runTool('db', ['copy', '--from', `sqlite:${old}`, '--to', 'mysql://x@127.0.0.1/x']);
    expect(mysql.code).toBe(2);
    expect(mysql.err).toContain('--to must be a postgres:// or postgresql:// URL');
    const none = await runTool('db', ['--from', `sqlite:${old}`]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: npm run db -- copy');
  });

  it('knows every table of both schemas (rate_limits is PostgreSQL\'s own)', () => {
    const created = (list: readonly string[]) => new Set(list.join('\n').match(/CREATE TABLE (\w+)/g)!.map((m) => m.slice('CREATE TABLE '.length)));
    const sqliteTables = [...created(migrations)].filter((t) => !t.endsWith('_rebuilt'));
    expect(new Set(sqliteTables)).toEqual(new Set(COPIED_TABLES));
    expect(created(postgresMigrations)).toEqual(new Set([...COPIED_TABLES, 'rate_limits']));
  });
});
