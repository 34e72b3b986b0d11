import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { VersionConflictError, type Actor, type NewVersion } from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';

const file = useTempFiles('versions.db');

/** The store keeps documents as they are given; their shape is the content service's to check. */
const doc = (id: string, title: string) => ({ id, machine: { initial: 'a', states: {} }, facts: {}, texts: { en: { title } } }) as unknown as FlowDocument;
const CLI: Actor = { agentId: null, via: 'cli' };
const version = (flowId: string, title: string, extra: Partial<NewVersion> = {}): NewVersion => ({
  flowId,
  hash: `h-${title}`,
  document: doc(flowId, title),
  note: `note ${title}`,
  actor: CLI,
  action: 'publish',
  ...extra,
});

describe('guide versions in the store', () => {
  it('numbers each guide from 1, keeps every version whole, and lists the latest of each guide', async () => {
    const store = createSqliteStore(file());
    expect((await store.publishVersion(version('a', 'one'))).number).toBe(1);
    expect((await store.publishVersion(version('b', 'one'))).number).toBe(1);
    const two = await store.publishVersion(version('a', 'two'));
    expect(two).toMatchObject({ flowId: 'a', number: 2, hash: 'h-two', note: 'note two', publishedBy: null, via: 'cli' });
    expect((await store.getVersion('a', 1))!.document).toEqual(doc('a', 'one'));
    expect((await store.getVersion('a'))!.number).toBe(2);
    expect(await store.getVersion('a', 3)).toBeUndefined();
    expect((await store.listVersions('a')).map((v) => v.number)).toEqual([2, 1]);
    expect((await store.listLatestVersions()).map((v) => [v.flowId, v.number])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect((await store.getVersionByHash('a', 'h-one'))!.number).toBe(1);
    await store.close();
  });

  // 3 × 40 publishes: enough to overlap many times; few enough to finish while the rest of the suite loads the cores.
  it('never gives two versions the same number when several processes publish at the same moment', { timeout: 90_000 }, async () => {
    const path = file();
    createSqliteStore(path).db.close();
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

  it('refuses a publish whose expected latest version is out of date, storing nothing', async () => {
    const store = createSqliteStore(file());
    await store.publishVersion(version('a', 'one'));
    await expect(store.publishVersion(version('a', 'two', { ifLatest: null }))).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.listVersions('a')).length).toBe(1);
    expect((await store.listAudit({ limit: 10, offset: 0 })).length).toBe(1);
    await store.publishVersion(version('a', 'two', { ifLatest: 1 }));
    expect((await store.listVersions('a')).length).toBe(2);
    await store.close();
  });

  it('tells every other connection that something was published by a counter, and what', async () => {
    const path = file();
    const writer = createSqliteStore(path);
    const reader = createSqliteStore(path);
    const start = await reader.versionsMark();
    expect(await reader.versionsSince(start)).toEqual({ mark: start, versions: [] });
    await writer.publishVersion(version('a', 'one'));
    await writer.publishVersion(version('b', 'one'));
    const mark = await reader.versionsMark();
    expect(mark).toBeGreaterThan(start);
    const since = await reader.versionsSince(start);
    expect(since.mark).toBe(mark);
    expect(since.versions.map((v) => `${v.flowId}@${v.number}`)).toEqual(['a@1', 'b@1']);
    expect((await reader.versionsSince(mark)).versions).toEqual([]);
    await writer.close();
    await reader.close();
  });

  it('records publishes, drafts and pending updates in the audit log, with who and from which version', async () => {
    const store = createSqliteStore(file());
    const admin = await store.createAgent({ email: 'ada@example.com', name: 'Ada', role: 'admin', passwordHash: 'x' });
    await store.applyBuiltin({ kind: 'publish', version: { ...version('a', 'one'), actor: { agentId: null, via: 'release' } } });
    const draft = await store.createDraft(
      { flowId: 'a', hash: 'h-two', document: doc('a', 'two'), createdBy: admin.id },
      { actor: { agentId: admin.id, via: 'console' }, action: 'draft', note: null },
    );
    expect(await store.getDraft(draft.id)).toMatchObject({ flowId: 'a', hash: 'h-two', createdBy: admin.id, document: doc('a', 'two') });
    await store.publishVersion({ ...version('a', 'two'), actor: { agentId: admin.id, via: 'console' }, draftId: draft.id });
    await store.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-three', document: doc('a', 'three') }, fromVersion: 2 });
    await store.publishVersion({ ...version('a', 'one'), action: 'rollback', note: 'back to one' });
    const log = await store.listAudit({ flowId: 'a', limit: 10, offset: 0 });
    expect(log.map((e) => [e.action, e.via, e.agentId, e.fromVersion, e.toVersion, e.draftId, e.note])).toEqual([
      ['rollback', 'cli', null, 2, 3, null, 'back to one'],
      ['pending', 'release', null, 2, null, null, null],
      ['publish', 'console', admin.id, 1, 2, draft.id, 'note two'],
      ['draft', 'console', admin.id, 1, null, draft.id, null],
      ['publish', 'release', null, null, 1, null, 'note one'],
    ]);
    expect(await store.listAudit({ flowId: 'b', limit: 10, offset: 0 })).toEqual([]);
    expect((await store.listAudit({ limit: 2, offset: 1 })).map((e) => e.action)).toEqual(['pending', 'publish']);
    await store.close();
  });

  it('keeps a pending update until its content is published, and remembers the built-in it saw', async () => {
    const store = createSqliteStore(file());
    expect(await store.builtinSeen('a')).toBeUndefined();
    await store.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-two', document: doc('a', 'two') }, fromVersion: null });
    expect(await store.builtinSeen('a')).toBe('h-two');
    expect((await store.listPendingUpdates()).map((p) => p.hash)).toEqual(['h-two']);
    // A later release replaces it.
    await store.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-three', document: doc('a', 'three') }, fromVersion: null });
    expect((await store.getPendingUpdate('a'))!.document).toEqual(doc('a', 'three'));
    await store.publishVersion(version('a', 'other'));
    expect(await store.getPendingUpdate('a')).toBeDefined();
    await store.publishVersion(version('a', 'three'));
    expect(await store.getPendingUpdate('a')).toBeUndefined();
    await store.applyBuiltin({ kind: 'seen', flowId: 'a', hash: 'h-four' });
    expect(await store.builtinSeen('a')).toBe('h-four');
    await store.close();
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

    const store = createSqliteStore(path);
    expect((await store.getLogin('t'))?.agent).toMatchObject({ id: 7, email: 'Ada@example.com', role: 'admin', languages: [] });
    expect((await store.findAgentByEmail('ada@example.com'))?.id).toBe(7);
    expect((await store.getSession('s1'))?.agentId).toBe(7);
    const translator = await store.createAgent({ email: 'tr@example.com', name: 'Tor', role: 'translator', languages: ['no', 'de'], passwordHash: 'x' });
    expect(translator).toMatchObject({ role: 'translator', languages: ['no', 'de'] });
    // References still point at the rebuilt table: an unknown agent is refused, and the cascade still empties logins.
    expect(() => store.db.prepare(`INSERT INTO logins (token_hash, agent_id, csrf, created_at, expires_at) VALUES ('u', 99, 'c', 1, 2)`).run()).toThrow(
      /FOREIGN KEY/,
    );
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.db.prepare('DELETE FROM notes').run();
    store.db.prepare('DELETE FROM sessions').run();
    store.db.prepare('DELETE FROM agents WHERE id = 7').run();
    expect(await store.getLogin('t')).toBeUndefined();
    expect(store.db.prepare('SELECT count(*) AS n FROM logins').get()).toEqual({ n: 0 });
    await store.close();
  });
});
