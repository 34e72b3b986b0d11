import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openPostgresStore } from '../../server/store/postgres/index.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import type { AnalyticsFilter } from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';
import { newSession as session, snapshot, START, step as recordStep } from '../support/store-records.ts';

const file = useTempFiles('indexes.db');
const HOUR = 3600_000;
const NOW = Date.UTC(2026, 2, 2, 12);
const FLOW = 'participant-no-email';
const period = (flowId?: string): AnalyticsFilter => ({ from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 3), abandonedBefore: NOW - HOUR, ...(flowId ? { flowId } : {}) });

const newSession = (id: string) => session(id, { ref: id, flowId: FLOW });
const first = START;
const step = (seq: number, state: string) => recordStep(seq, 'howLongAgo', 'NEXT', state);

/** The tables and indexes whose pages the WAL holds: what the writes since the last checkpoint touched. */
function touched(db: Database.Database, path: string): Set<string> {
  const wal = readFileSync(`${path}-wal`);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = new Set<number>();
  for (let at = 32; at + 24 <= wal.length; at += 24 + pageSize) pages.add(wal.readUInt32BE(at));
  const names = db.prepare<[], { name: string; pageno: number }>('SELECT name, pageno FROM dbstat').all();
  return new Set(names.filter((n) => pages.has(n.pageno)).map((n) => n.name));
}

describe('what a step writes', () => {
  it('a step between active states leaves the period indexes alone; reaching an outcome and Back from it update them', async () => {
    const path = file();
    const { store, db } = openSqliteFile(path);
    await store.createSession(newSession('s1'), first);
    const write = async (seq: number, state: string, status: 'active' | 'finished') => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      await store.appendStep('s1', step(seq, state), { snapshot: snapshot(state), status, outcome: status === 'finished' ? 'resolved' : null, flowVersion: 'v1', path: [0, seq] });
      return touched(db, path);
    };
    db.pragma('wal_autocheckpoint = 0');
    const plain = await write(1, 'checkSpam', 'active');
    expect(plain).toContain('sessions');
    expect(plain).toContain('sessions_active');
    expect(plain).not.toContain('sessions_period');
    expect(plain).not.toContain('sessions_flow_period');
    const finishing = await write(2, 'foundInSpam', 'finished');
    expect(finishing).toContain('sessions_period');
    expect(finishing).toContain('sessions_flow_period');
    const back = await write(3, 'checkSpam', 'active');
    expect(back).toContain('sessions_period');
    expect((await store.getSession('s1'))!).toMatchObject({ status: 'active', outcome: null, lastSeq: 3 });
    expect(db.prepare("SELECT state, finished_at FROM sessions WHERE id = 's1'").get()).toEqual({ state: 'checkSpam', finished_at: null });
    await store.close();
  });
});

describe('the migration to the narrow index of active sessions', () => {
  it('an existing database migrates, and its figures read the same from the new indexes', async () => {
    const path = file();
    const before = migrations.findIndex((sql) => sql.includes('CREATE INDEX sessions_active'));
    const old = new Database(path);
    for (const sql of migrations.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    const insert = old.prepare(
      `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, outcome, created_at, updated_at, finished_at)
       VALUES (?, ?, ?, 'v1', 'en', 'participant', 'self', '{}', ?, ?, ?, ?, ?, ?)`,
    );
    const start = Date.UTC(2026, 2, 1, 9);
    insert.run('gone1', 'G1', FLOW, 'checkSpam', 'active', null, start, start + HOUR, null);
    insert.run('gone2', 'G2', FLOW, 'checkSpam', 'active', null, start, start + 2 * HOUR, null);
    insert.run('gone3', 'G3', 'missing-email', 'howLongAgo', 'active', null, start, start, null);
    insert.run('here', 'H', FLOW, 'waitAMinute', 'active', null, NOW - HOUR, NOW - 60_000, null);
    insert.run('done', 'D', FLOW, 'foundInSpam', 'finished', 'resolved', start, start + HOUR, start + HOUR);
    old.close();

    const { store, db } = openSqliteFile(path, { now: () => NOW });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name").pluck().all();
    expect(indexes).toEqual(['sessions_active', 'sessions_agent_created', 'sessions_created', 'sessions_flow_created', 'sessions_flow_period', 'sessions_period']);
    const all = await store.analytics(period());
    expect(all).toMatchObject({ started: 5, finished: 1, abandoned: 3, inProgress: 1 });
    const one = await store.analytics(period(FLOW));
    expect(one).toMatchObject({ started: 4, finished: 1, abandoned: 2, inProgress: 1 });
    expect(one.steps!.checkSpam!.abandoned).toBe(2);
    expect(one.steps!.waitAMinute?.abandoned ?? 0).toBe(0);

    // Abandoned sessions are counted from the index alone, never from the rows (which carry the snapshot).
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM sessions s INDEXED BY sessions_active WHERE s.created_at >= 0 AND s.created_at < 1 AND s.flow_id = 'x' AND s.status = 'active' AND s.updated_at < 1`)
      .all()
      .map((r) => (r as { detail: string }).detail);
    expect(plan.join(' ')).toContain('COVERING INDEX sessions_active');
    await store.close();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the same migration on PostgreSQL', () => {
  it('an existing schema migrates, and its figures read the same', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const before = postgresMigrations.findIndex((sql) => sql.includes('CREATE INDEX sessions_active'));
    const client = new pg.Client(url);
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      for (const sql of postgresMigrations.slice(0, before)) await client.query(sql);
      await client.query(`CREATE TABLE mailhelp_schema (version INTEGER NOT NULL); INSERT INTO mailhelp_schema VALUES (${before})`);
      const start = Date.UTC(2026, 2, 1, 9);
      const rows: [string, string, string, string, string | null, number, number, number | null][] = [
        ['gone1', FLOW, 'checkSpam', 'active', null, start, start + HOUR, null],
        ['gone2', FLOW, 'checkSpam', 'active', null, start, start + 2 * HOUR, null],
        ['gone3', 'missing-email', 'howLongAgo', 'active', null, start, start, null],
        ['here', FLOW, 'waitAMinute', 'active', null, NOW - HOUR, NOW - 60_000, null],
        ['done', FLOW, 'foundInSpam', 'finished', 'resolved', start, start + HOUR, start + HOUR],
      ];
      for (const [id, flow, state, status, outcome, created, updated, finished] of rows)
        await client.query(
          `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, outcome, created_at, updated_at, finished_at)
           VALUES ($1, $1, $2, 'v1', 'en', 'participant', 'self', '{}', $3, $4, $5, $6, $7, $8)`,
          [id, flow, state, status, outcome, created, updated, finished],
        );
      const store = openPostgresStore(url, { schema, poolSize: 2, now: () => NOW });
      try {
        expect(await store.analytics(period())).toMatchObject({ started: 5, finished: 1, abandoned: 3, inProgress: 1 });
        const one = await store.analytics(period(FLOW));
        expect(one).toMatchObject({ started: 4, finished: 1, abandoned: 2, inProgress: 1 });
        expect(one.steps!.checkSpam!.abandoned).toBe(2);
      } finally {
        await store.close();
      }
      const indexes = (await client.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'sessions' ORDER BY indexname`, [schema])).rows.map((r) => r.indexname);
      expect(indexes).toContain('sessions_active');
      expect(indexes).not.toContain('sessions_status_updated');
      expect((await client.query('SELECT version FROM mailhelp_schema')).rows[0].version).toBe(postgresMigrations.length);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
