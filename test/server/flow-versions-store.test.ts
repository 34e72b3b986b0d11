import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { createSqliteStore, openSqliteFile } from '../../server/store/sqlite/index.ts';
import { useTempFiles } from '../support/app.ts';

const file = useTempFiles('versions.db');

// What the shared store suite (test/store/content.test.ts) cannot show: separate processes on one SQLite file.
describe('guide versions on one SQLite file', () => {
  // 3 × 40 publishes: enough to overlap many times; few enough to finish while the rest of the suite loads the cores.
  it('never gives two versions the same number when several processes publish at the same moment', { timeout: 90_000 }, async () => {
    const path = file();
    await createSqliteStore(path).close();
    const children = ['x', 'y', 'z'].map((tag) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/publish-versions.ts', path, 'a', '40', tag], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.startsWith('ready') && resolve()));
      const done = new Promise<number[]>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready'.length)) as number[]) : reject(new Error(out)))),
      );
      return { child, ready, done };
    });
    // Every process has its connection open before any publishes: then they all start at once.
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.write('go\n');
    const numbers = (await Promise.all(children.map((c) => c.done))).flat();
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });
});

describe('the roles migration', () => {
  it('rebuilds agents with the new roles and keeps every account, login and reference to it', async () => {
    const path = file();
    // A database as the release before this one left it: an admin signed in, with a session, a step and a note.
    const before = migrations.findIndex((sql) => sql.includes('CREATE TABLE agents_rebuilt'));
    const old = new Database(path);
    for (const sql of migrations.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    old.pragma('foreign_keys = ON');
    old.prepare(`INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES (7, 'Ada@example.com', 'Ada', 'admin', 'hash', 1)`).run();
    old.prepare(`INSERT INTO logins (token_hash, agent_id, csrf, created_at, expires_at) VALUES ('t', 7, 'c', 1, 9e15)`).run();
    old.prepare(
      `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, agent_id, created_at, updated_at)
       VALUES ('s1', 'ABC-DEF', 'participant-no-email', 'v1', 'en', 'agent', 'agent', '{"value":"howLongAgo","context":{}}', 'howLongAgo', 'active', 7, 1, 1)`,
    ).run();
    old.prepare(`INSERT INTO steps (session_id, seq, state, event, snapshot, agent_id, at) VALUES ('s1', 0, 'howLongAgo', 'START', '{}', 7, 1)`).run();
    old.prepare(`INSERT INTO notes (session_id, seq, version, text, agent_id, at) VALUES ('s1', 0, 1, 'n', 7, 1)`).run();
    old.close();

    const { store, db } = openSqliteFile(path);
    expect((await store.getLogin('t'))?.agent).toMatchObject({ id: 7, email: 'Ada@example.com', role: 'admin', languages: [] });
    expect((await store.findAgentByEmail('ada@example.com'))?.id).toBe(7);
    expect((await store.getSession('s1'))?.agentId).toBe(7);
    const translator = await store.createAgent({ email: 'tr@example.com', name: 'Tor', role: 'translator', languages: ['no', 'de'], passwordHash: 'x' });
    expect(translator).toMatchObject({ role: 'translator', languages: ['no', 'de'] });
    // References still point at the rebuilt table: an unknown agent is refused, and the cascade still empties logins.
    expect(() => db.prepare(`INSERT INTO logins (token_hash, agent_id, csrf, created_at, expires_at) VALUES ('u', 99, 'c', 1, 2)`).run()).toThrow(
      /FOREIGN KEY/,
    );
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.prepare('DELETE FROM notes').run();
    db.prepare('DELETE FROM sessions').run();
    db.prepare('DELETE FROM agents WHERE id = 7').run();
    expect(await store.getLogin('t')).toBeUndefined();
    expect(db.prepare('SELECT count(*) AS n FROM logins').get()).toEqual({ n: 0 });
    await store.close();
  });
});
