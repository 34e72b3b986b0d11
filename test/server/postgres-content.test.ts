import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import type { HandoffStory } from '../../server/handoff/story.ts';
import { contentPart, type ContentPart } from '../../server/store/postgres/content.ts';
import { openPool, type Db } from '../../server/store/postgres/db.ts';
import { handoffStore } from '../../server/store/postgres/handoffs.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { peoplePart, type PeoplePart } from '../../server/store/postgres/people.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import {
  DraftConflictError,
  HandoffExistsError,
  VersionConflictError,
  type Actor,
  type AttemptLimit,
  type HandoffStore,
  type NewVersion,
} from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

/*
 * The PostgreSQL content, people and hand-off parts against the SQLite store: each scenario of the SQLite store's
 * tests (flow-versions-store, studio-drafts, console-store, handoff-store) runs on both, on clocks that read the
 * same, and must give the same results, errors included. Then what only several connections can show: numbers,
 * saves, sign-in limits and delivery leases taken from two pools at the same moment.
 */

/** What these parts give a caller: the same on both stores. */
type Subject = ContentPart &
  PeoplePart & {
    handoffs: HandoffStore;
    /** A session for hand-offs to hang on (the sessions part is another module's). */
    addSession(id: string): Promise<void>;
    close(): Promise<void>;
  };

const T0 = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;
const file = useTempFiles('content.db');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function clock() {
  let time = T0;
  return { now: () => time, tick: (ms: number) => (time += ms) };
}

function sqliteSubject(now: () => number): Subject {
  const store = createSqliteStore(file(), { now });
  cleanups.push(() => store.close());
  return {
    ...store,
    async addSession(id) {
      const snapshot = { value: 'howLongAgo', context: {} };
      await store.createSession(
        { id, ref: id, flowId: 'participant-no-email', flowVersion: 'v1', lng: 'sv', audience: 'participant', channel: 'self', origin: null, snapshot },
        { seq: 0, state: 'howLongAgo', event: 'START', data: null, snapshot },
      );
    },
  };
}

/**
 * Like freshPostgres, on a database whose text sorts by ICU's English rules ('a' < 'B' < 'bob' < 'Cy'), as most
 * servers' do; this machine's default (C.UTF-8) sorts as SQLite does and would hide a missing COLLATE.
 */
async function freshEnglishPostgres() {
  const name = `mailhelp_test_${randomBytes(6).toString('hex')}_en`;
  const admin = async (sql: string) => {
    const c = new pg.Client(POSTGRES);
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'`);
  const url = new URL(POSTGRES!);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A fresh database with the schema; `open` gives another pool on it (another instance), each on its own clock. */
async function postgres(fresh: () => Promise<{ url: string; drop(): Promise<void> }> = freshPostgres) {
  const pg = await fresh();
  cleanups.push(() => pg.drop());
  const open = (now: () => number = Date.now): Subject & { db: Db } => {
    const db = openPool(pg.url, 4);
    cleanups.push(() => db.end());
    return {
      db,
      ...contentPart(db, now),
      ...peoplePart(db, now),
      handoffs: handoffStore(db, now),
      async addSession(id) {
        await db.query(
          `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, created_at, updated_at, path)
           VALUES ($1, $1, 'participant-no-email', 'v1', 'sv', 'participant', 'self', '{"value":"howLongAgo","context":{}}', 'howLongAgo', 'active', $2, $2, '[0]')`,
          [id, now()],
        );
      },
      close: async () => {},
    };
  };
  const first = open();
  await first.db.query(postgresMigrations[0]!);
  return { open };
}

/** Runs a scenario on SQLite and on PostgreSQL, each on a clock starting at T0, and gives both results. */
async function both<T>(scenario: (s: Subject, tick: (ms: number) => void) => Promise<T>, fresh = freshPostgres): Promise<{ sqlite: T; postgres: T }> {
  const c1 = clock();
  const sqlite = await scenario(sqliteSubject(c1.now), c1.tick);
  const c2 = clock();
  const { open } = await postgres(fresh);
  const pgResult = await scenario(open(c2.now), c2.tick);
  return { sqlite, postgres: pgResult };
}

/** A rejection as data, so both stores' errors can be compared: its class and what it carries. */
async function outcome<T>(p: Promise<T>): Promise<T | { error: string; message: string; current?: unknown; latest?: unknown }> {
  try {
    return await p;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    return { error: e.constructor.name, message: e.message, ...('current' in e ? { current: e.current } : {}), ...('latest' in e ? { latest: e.latest } : {}) };
  }
}

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
const story = (message: string) => ({ message, email: 'anna@example.se', name: 'Anna' }) as unknown as HandoffStory;

describe.skipIf(!POSTGRES)(`PostgreSQL guide versions, as on SQLite${SKIP_REASON}`, () => {
  it('numbers each guide from 1, keeps every version whole, and lists the latest of each guide', async () => {
    const { sqlite, postgres } = await both(async (s) => {
      const published = [
        await s.publishVersion(version('b', 'one')),
        await s.publishVersion(version('a', 'one', { origins: { 'x.title': { source: 'sv', basis: { en: 'one' } } } })),
        await s.publishVersion(version('a', 'two')),
        // Text ordering: SQLite compares bytes, so 'B' sorts before 'a'.
        await s.publishVersion(version('B', 'one')),
      ];
      return {
        published,
        one: await s.getVersion('a', 1),
        latest: await s.getVersion('a'),
        missing: await s.getVersion('a', 3),
        none: await s.getVersion('nothing'),
        list: await s.listVersions('a'),
        latestList: await s.listLatestVersions(),
        latestWhole: await s.latestVersions(),
        byHash: await s.getVersionByHash('a', 'h-one'),
      };
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.published.map((v) => v.number)).toEqual([1, 1, 2, 1]);
    expect(postgres.one!.document).toEqual(doc('a', 'one'));
    expect(postgres.one!.origins).toEqual({ 'x.title': { source: 'sv', basis: { en: 'one' } } });
    expect(postgres.latest!.number).toBe(2);
    expect(postgres.missing).toBeUndefined();
    expect(postgres.list.map((v) => v.number)).toEqual([2, 1]);
    expect(postgres.latestList.map((v) => [v.flowId, v.number])).toEqual([['B', 1], ['a', 2], ['b', 1]]);
    expect(postgres.byHash!.number).toBe(1);
  });

  it('refuses a publish whose expected latest version is out of date, storing nothing', async () => {
    const { sqlite, postgres } = await both(async (s) => {
      await s.publishVersion(version('a', 'one'));
      const refused = await outcome(s.publishVersion(version('a', 'two', { ifLatest: null })));
      const after = { versions: (await s.listVersions('a')).length, audit: (await s.listAudit({ limit: 10, offset: 0 })).length };
      const ok = await s.publishVersion(version('a', 'two', { ifLatest: 1 }));
      return { refused, after, ok: ok.number };
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.refused).toMatchObject({ error: VersionConflictError.name, latest: 1 });
    expect(postgres.after).toEqual({ versions: 1, audit: 1 });
    expect(postgres.ok).toBe(2);
  });

  it('records publishes, drafts and pending updates in the audit log, with who and from which version', async () => {
    const { sqlite, postgres } = await both(async (s) => {
      const admin = await s.createAgent({ email: 'ada@example.com', name: 'Ada', role: 'admin', passwordHash: 'x' });
      await s.applyBuiltin({ kind: 'publish', version: { ...version('a', 'one'), actor: { agentId: null, via: 'release' } } });
      const draft = await s.createDraft(
        { flowId: 'a', hash: 'h-two', document: doc('a', 'two'), createdBy: admin.id },
        { actor: { agentId: admin.id, via: 'console' }, action: 'draft', note: null },
      );
      await s.publishVersion({ ...version('a', 'two'), actor: { agentId: admin.id, via: 'console' }, draftId: draft.id });
      await s.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-three', document: doc('a', 'three') }, fromVersion: 2 });
      await s.publishVersion({ ...version('a', 'one'), action: 'rollback', note: 'back to one' });
      return {
        admin,
        draft: await s.getDraft(draft.id),
        log: await s.listAudit({ flowId: 'a', limit: 10, offset: 0 }),
        other: await s.listAudit({ flowId: 'b', limit: 10, offset: 0 }),
        page: (await s.listAudit({ limit: 2, offset: 1 })).map((e) => e.action),
      };
    });
    expect(postgres).toEqual(sqlite);
    const { admin, draft, log } = postgres;
    expect(draft).toMatchObject({ flowId: 'a', hash: 'h-two', createdBy: admin.id, status: 'published', document: doc('a', 'two') });
    expect(log.map((e) => [e.action, e.via, e.agentId, e.fromVersion, e.toVersion, e.draftId, e.note])).toEqual([
      ['rollback', 'cli', null, 2, 3, null, 'back to one'],
      ['pending', 'release', null, 2, null, null, null],
      ['publish', 'console', admin.id, 1, 2, draft!.id, 'note two'],
      ['draft', 'console', admin.id, 1, null, draft!.id, null],
      ['publish', 'release', null, null, 1, null, 'note one'],
    ]);
    expect(postgres.other).toEqual([]);
    expect(postgres.page).toEqual(['pending', 'publish']);
  });

  it('keeps a pending update until its content is published, and remembers the built-in it saw', async () => {
    const { sqlite, postgres } = await both(async (s, tick) => {
      const seen: (string | undefined)[] = [await s.builtinSeen('a')];
      await s.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-two', document: doc('a', 'two') }, fromVersion: null });
      seen.push(await s.builtinSeen('a'));
      const first = await s.listPendingUpdates();
      tick(MINUTE);
      // A later release replaces it.
      await s.applyBuiltin({ kind: 'pending', pending: { flowId: 'a', hash: 'h-three', document: doc('a', 'three') }, fromVersion: null });
      const replaced = await s.getPendingUpdate('a');
      await s.publishVersion(version('a', 'other'));
      const afterOther = await s.getPendingUpdate('a');
      await s.publishVersion(version('a', 'three'));
      const afterSame = await s.getPendingUpdate('a');
      await s.applyBuiltin({ kind: 'seen', flowId: 'a', hash: 'h-four' });
      seen.push(await s.builtinSeen('a'));
      return { seen, first, replaced, afterOther, afterSame };
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.seen).toEqual([undefined, 'h-two', 'h-four']);
    expect(postgres.first.map((p) => p.hash)).toEqual(['h-two']);
    expect(postgres.replaced).toEqual({ flowId: 'a', hash: 'h-three', document: doc('a', 'three'), foundAt: T0 + MINUTE });
    expect(postgres.afterOther).toBeDefined();
    expect(postgres.afterSame).toBeUndefined();
  });

  it('tells every other connection that something was published by a counter, and what', async () => {
    const { open } = await postgres();
    const writer = open();
    const reader = open();
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
  });

  it('never gives two versions the same number when two instances publish one guide at the same moment', { timeout: 60_000 }, async () => {
    const { open } = await postgres();
    const instances = [open(), open()];
    const numbers = (
      await Promise.all(
        ['x', 'y', 'z', 'w'].map(async (tag, i) => {
          const got: number[] = [];
          for (let n = 0; n < 30; n++) got.push((await instances[i % 2]!.publishVersion(version('a', `${tag}-${n}`))).number);
          return got;
        }),
      )
    ).flat();
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // The audit log agrees: every publish from the number before it.
    const log = await instances[0]!.listAudit({ flowId: 'a', limit: 200, offset: 0 });
    expect(log.map((e) => [e.fromVersion, e.toVersion]).reverse()).toEqual(numbers.map((n) => [n === 1 ? null : n - 1, n]));
  });

  it('two instances starting together: the built-in sync publishes once, and a publish and a pending update never deadlock', { timeout: 60_000 }, async () => {
    const { open } = await postgres();
    const [one, two] = [open(), open()];
    for (let round = 0; round < 8; round++) {
      const flowId = `g${round}`;
      const publish = (s: Subject) =>
        outcome(s.applyBuiltin({ kind: 'publish', version: { ...version(flowId, 'one'), actor: { agentId: null, via: 'release' }, ifLatest: null } }));
      const both = await Promise.all([publish(one), publish(two)]);
      expect(both.filter((r) => r && 'error' in r).map((r) => r && 'error' in r && r.error)).toEqual([VersionConflictError.name]);
      // One instance publishes its release while the other holds the next one back for review.
      const mixed = await Promise.all([
        outcome(one.applyBuiltin({ kind: 'publish', version: { ...version(flowId, 'two'), actor: { agentId: null, via: 'release' }, ifLatest: 1 } })),
        outcome(two.applyBuiltin({ kind: 'pending', pending: { flowId, hash: 'h-three', document: doc(flowId, 'three') }, fromVersion: 1 })),
      ]);
      expect(mixed.filter((r) => r && 'error' in r)).toEqual([]);
    }
  });

  it('a reader following the counter misses no version while instances publish different guides at once', { timeout: 60_000 }, async () => {
    const { open } = await postgres();
    const reader = open();
    const writers = [open(), open()];
    const seen: string[] = [];
    let mark = await reader.versionsMark();
    let publishing = true;
    const follow = (async () => {
      // Polls as the registry does, then once more after the last publish.
      for (let last = false; !last; ) {
        last = !publishing;
        const since = await reader.versionsSince(mark);
        mark = since.mark;
        seen.push(...since.versions.map((v) => `${v.flowId}@${v.number}`));
      }
    })();
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map(async (flowId, i) => {
        for (let n = 0; n < 15; n++) await writers[i % 2]!.publishVersion(version(flowId, `${n}`));
      }),
    );
    publishing = false;
    await follow;
    expect(seen.length).toBe(90);
    expect(new Set(seen).size).toBe(90);
  });
});

describe.skipIf(!POSTGRES)(`PostgreSQL drafts, as on SQLite${SKIP_REASON}`, () => {
  it('saves by revision, refuses an older revision and a closed draft, lists open ones, and finds one by its preview link', async () => {
    const { sqlite, postgres } = await both(async (s, tick) => {
      await s.publishVersion(version('a', 'one'));
      const author: Actor = { agentId: null, via: 'token' };
      const d1 = await s.createDraft({ flowId: 'a', hash: 'h-d1', document: doc('a', 'd1'), createdBy: null }, { actor: author, action: 'draft', note: null });
      tick(1000);
      const d2 = await s.createDraft(
        { flowId: 'b', hash: 'h-d2', document: doc('b', 'd2'), createdBy: null, baseVersion: null },
        { actor: CLI, action: 'import', note: 'from file' },
      );
      tick(1000);
      const save = (ifRevision: number, title: string) =>
        outcome(
          s.saveDraft(d1.id, {
            document: doc('a', title),
            hash: `h-${title}`,
            origins: { 'a.title': { source: 'sv', basis: {} } },
            actor: author,
            ifRevision,
            note: title,
          }),
        );
      const saved = await save(1, 'two');
      const stale = await save(1, 'other');
      const listed = await s.listDrafts();
      const listedA = await s.listDrafts('a');
      await s.setPreviewToken(d1.id, 'preview-hash');
      const preview = await s.getDraftByPreviewToken('preview-hash');
      const noPreview = await s.getDraftByPreviewToken('nope');
      const discarded = await outcome(s.discardDraft(d2.id, CLI));
      const discardAgain = await outcome(s.discardDraft(d2.id, CLI));
      const missing = await outcome(s.saveDraft(999, { document: doc('a', 'x'), hash: 'x', origins: {}, actor: author, ifRevision: 1, note: null }));
      await s.publishVersion({ ...version('a', 'two'), draftId: d1.id, ifLatest: 1 });
      const closed = await save(2, 'three');
      const drafts = await s.listDrafts();
      const audit = await s.listAudit({ limit: 20, offset: 0 });
      return { d1, d2, saved, stale, listed, listedA, preview, noPreview, discarded, discardAgain, missing, closed, drafts, audit };
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.d1).toMatchObject({ revision: 1, baseVersion: 1, status: 'open', createdAt: T0, updatedAt: T0 });
    expect(postgres.d2).toMatchObject({ baseVersion: null });
    expect(postgres.saved).toMatchObject({ revision: 2, hash: 'h-two', origins: { 'a.title': { source: 'sv', basis: {} } } });
    expect(postgres.stale).toMatchObject({ error: DraftConflictError.name, current: { revision: 2, status: 'open' } });
    expect(postgres.listed.map((d) => d.id)).toEqual([postgres.d1.id, postgres.d2.id]);
    expect(postgres.listedA.map((d) => d.id)).toEqual([postgres.d1.id]);
    expect(postgres.preview?.hash).toBe('h-two');
    expect(postgres.noPreview).toBeUndefined();
    expect(postgres.discarded).toMatchObject({ status: 'discarded' });
    expect(postgres.discardAgain).toMatchObject({ error: DraftConflictError.name });
    expect(postgres.missing).toMatchObject({ error: 'Error', message: 'there is no draft 999' });
    expect(postgres.closed).toMatchObject({ error: DraftConflictError.name, current: { status: 'published' } });
    expect(postgres.drafts).toEqual([]);
    expect(postgres.audit.map((a) => a.action)).toEqual(['publish', 'discard', 'edit', 'import', 'draft', 'publish']);
  });

  it('two instances saving the same revision at once: exactly one save is stored, the other is a conflict', async () => {
    const { open } = await postgres();
    const [one, two] = [open(), open()];
    const draft = await one.createDraft({ flowId: 'a', hash: 'h', document: doc('a', 'x'), createdBy: null }, { actor: CLI, action: 'draft', note: null });
    for (let revision = 1; revision <= 10; revision++) {
      const results = await Promise.all(
        [one, two].map((s, i) => {
          const tag = `${revision}-${i}`;
          return outcome(s.saveDraft(draft.id, { document: doc('a', tag), hash: tag, origins: {}, actor: CLI, ifRevision: revision, note: null }));
        }),
      );
      expect(results.filter((r) => 'error' in r).map((r) => 'error' in r && r.error)).toEqual([DraftConflictError.name]);
    }
    expect((await one.getDraft(draft.id))!.revision).toBe(11);
    expect((await one.listAudit({ limit: 100, offset: 0 })).filter((a) => a.action === 'edit').length).toBe(10);
  });
});

describe.skipIf(!POSTGRES)(`PostgreSQL agents, logins and sign-in limits, as on SQLite${SKIP_REASON}`, () => {
  it('finds accounts whatever the case of the email, refuses a second one, and removes or keeps them as SQLite does', async () => {
    const { sqlite, postgres } = await both(async (s, tick) => {
      const ada = await s.createAgent({ email: 'Ada@example.com', name: 'Ada', role: 'admin', passwordHash: 'h1' });
      const tor = await s.createAgent({ email: 'tor@example.com', name: 'Tor', role: 'translator', languages: ['no', 'de'], passwordHash: 'h2' });
      const bob = await s.createAgent({ email: 'bob@example.com', name: 'bob', role: 'agent', passwordHash: 'h3' });
      await s.createAgent({ email: 'cy@example.com', name: 'Cy', role: 'agent', passwordHash: 'h4' });
      const duplicate = await outcome(s.createAgent({ email: 'ADA@example.COM', name: 'Other', role: 'agent', passwordHash: 'x' }));
      const found = await s.findAgentByEmail('  ada@EXAMPLE.com ');
      const agents = await s.listAgents();
      await s.createLogin('t-ada', ada.id, 'csrf-1', T0 + MINUTE);
      await s.createLogin('t-bob', bob.id, 'csrf-2', T0 + 10 * MINUTE);
      const login = await s.getLogin('t-ada');
      tick(MINUTE);
      // Expired: not found, and the next sign-in clears it away.
      const expired = await s.getLogin('t-ada');
      await s.createLogin('t-ada2', ada.id, 'csrf-3', T0 + 20 * MINUTE);
      const passwd = [await s.setAgentPassword('ADA@example.com', 'h1b'), await s.setAgentPassword('nobody@example.com', 'x')];
      const signedOut = await s.getLogin('t-ada2');
      await s.deleteLogin('t-bob');
      const deletedLogin = await s.getLogin('t-bob');
      // Ada published a version: her account stays for that history. Bob has none: he goes.
      await s.publishVersion({ ...version('a', 'one'), actor: { agentId: ada.id, via: 'console' } });
      const removed = [await s.removeAgent('ada@example.com'), await s.removeAgent('BOB@example.com'), await s.removeAgent('bob@example.com')];
      return { ada, tor, duplicate: 'error' in duplicate, found, agents, login, expired, passwd, signedOut, deletedLogin, removed, after: await s.listAgents() };
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.tor.languages).toEqual(['no', 'de']);
    expect(postgres.duplicate).toBe(true);
    expect(postgres.found?.id).toBe(postgres.ada.id);
    // By role, last first, then by name as bytes compare: 'Cy' before 'bob'.
    expect(postgres.agents.map((a) => a.name)).toEqual(['Tor', 'Cy', 'bob', 'Ada']);
    expect(postgres.login).toMatchObject({ agent: { email: 'Ada@example.com' }, csrf: 'csrf-1', expiresAt: T0 + MINUTE });
    expect(postgres.expired).toBeUndefined();
    expect(postgres.passwd).toEqual([true, false]);
    expect(postgres.signedOut).toBeUndefined();
    expect(postgres.deletedLogin).toBeUndefined();
    expect(postgres.removed).toEqual(['kept', 'deleted', 'missing']);
    expect(postgres.after.map((a) => [a.name, a.passwordHash])).toEqual([['Tor', 'h2'], ['Cy', 'h4'], ['Ada', 'removed']]);
  });

  const limit = (key: string, n: number): AttemptLimit => ({ key, limit: n, windowMs: 15 * MINUTE });

  it('attempts count failures only, hold a slot while in flight, and block until the oldest failure leaves the window', async () => {
    const { sqlite, postgres } = await both(async (s, tick) => {
      const limits = [limit('account', 2)];
      const r = [await s.reserveAttempt('a', limits), await s.reserveAttempt('b', limits), await s.reserveAttempt('c', limits)];
      await s.settleAttempt('a', false);
      r.push(await s.reserveAttempt('c', limits));
      tick(MINUTE);
      await s.settleAttempt('b', true);
      tick(MINUTE);
      await s.settleAttempt('c', true);
      r.push(await s.reserveAttempt('d', limits));
      tick(14 * MINUTE);
      r.push(await s.reserveAttempt('d', limits));
      return r;
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres).toEqual([
      { status: 'reserved' },
      { status: 'reserved' },
      { status: 'wait' },
      { status: 'reserved' },
      { status: 'blocked', until: T0 + MINUTE + 15 * MINUTE },
      { status: 'reserved' },
    ]);
  });

  it('a limit blocks whichever key reached it, and a pending attempt abandoned by a crash stops holding its slot', async () => {
    const { sqlite, postgres } = await both(async (s, tick) => {
      const r = [await s.reserveAttempt('a', [limit('address', 5), limit('account', 1)])];
      await s.settleAttempt('a', true);
      r.push(await s.reserveAttempt('b', [limit('address', 5), limit('account', 1)]));
      r.push(await s.reserveAttempt('b', [limit('address', 5), limit('other account', 1)]));
      r.push(await s.reserveAttempt('c', [limit('other account', 1)]));
      tick(MINUTE + 1);
      r.push(await s.reserveAttempt('c', [limit('other account', 1)]));
      return r;
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.map((r) => r.status)).toEqual(['reserved', 'blocked', 'reserved', 'wait', 'reserved']);
  });

  it('two instances reserving the last slot at the same moment: only one gets it', async () => {
    const { open } = await postgres();
    const instances = [open(), open(), open()];
    for (let round = 0; round < 10; round++) {
      const key = `account-${round}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => instances[i % 3]!.reserveAttempt(`${round}-${i}`, [limit('address', 100), limit(key, 1)])),
      );
      expect(results.filter((r) => r.status === 'reserved').length).toBe(1);
    }
  });
});

describe.skipIf(!POSTGRES)(`PostgreSQL hand-offs and their outbox, as on SQLite${SKIP_REASON}`, () => {
  const newHandoff = (id: string, sessionId: string, stepSeq = 3) => ({
    id,
    sessionId,
    stepSeq,
    flowId: 'participant-no-email',
    lng: 'sv',
    story: story(`message ${id}`),
    deliveries: [
      { id: `${id}-w`, channel: 'webhook' as const },
      { id: `${id}-e`, channel: 'email' as const },
    ],
  });

  it('stores, lists, claims and closes hand-offs, refuses a second from one ending, and runs deliveries through attempts', async () => {
    const { sqlite, postgres } = await both(async (s, tick) => {
      await s.createAgent({ email: 'a1@example.com', name: 'A1', role: 'agent', passwordHash: 'x' });
      await s.createAgent({ email: 'a2@example.com', name: 'A2', role: 'agent', passwordHash: 'x' });
      await s.addSession('s1');
      await s.addSession('s2');
      const h1 = await s.handoffs.create(newHandoff('h1', 's1'));
      tick(1000);
      const h2 = await s.handoffs.create(newHandoff('h2', 's1', 5));
      const h3 = await s.handoffs.create(newHandoff('h3', 's2'));
      const again = await outcome(s.handoffs.create(newHandoff('h4', 's1')));
      const claims = [await s.handoffs.claim('h1', 1), await s.handoffs.claim('h1', 1), await s.handoffs.claim('h1', 2), await s.handoffs.claim('nope', 1)];
      const statuses = [
        await s.handoffs.setStatus('h2', 'solved'),
        await s.handoffs.setStatus('h2', 'done'),
        await s.handoffs.setStatus('h3', 'done'),
        await s.handoffs.setStatus('nope', 'open'),
      ];
      const counts = await s.handoffs.countByStatus();
      const lists = [
        await s.handoffs.list({ limit: 10, offset: 0 }),
        await s.handoffs.list({ status: 'solved', limit: 10, offset: 0 }),
        await s.handoffs.list({ limit: 1, offset: 1 }),
      ];
      const forSession = await s.handoffs.forSession('s1');
      const nextDue = await s.handoffs.nextDue();
      // Deliveries due at the same moment come in no promised order (SQLite's is its rowid's): compared by id.
      const due = (await s.handoffs.claimDue('w', MINUTE, 2)).sort((a, b) => (a.id < b.id ? -1 : 1));
      const firstId = due[0]!.id;
      const attempts = [
        await s.handoffs.attemptFailed(firstId, 'w', 'timeout', T0 + 5 * MINUTE),
        await s.handoffs.attemptFailed(firstId, 'w', 'again', null),
        await s.handoffs.delivered(due[1]!.id, 'w', { externalId: '42', externalUrl: 'https://desk/42' }),
      ];
      const failed = await s.handoffs.failed(10);
      const retried = [await s.handoffs.retry(firstId), await s.handoffs.retry(firstId)];
      const after = await s.handoffs.get(due[0]!.handoffId);
      const missing = await s.handoffs.get('nope');
      return { h1, h2, h3, again, claims, statuses, counts, lists, forSession, nextDue, due, attempts, failed, retried, after, missing };
    });
    expect(postgres).toEqual(sqlite);
    expect(postgres.h1.deliveries.map((d) => d.channel)).toEqual(['email', 'webhook']);
    expect(postgres.again).toMatchObject({ error: HandoffExistsError.name });
    expect(postgres.claims).toEqual([true, true, false, false]);
    expect(postgres.statuses).toEqual([true, true, true, false]);
    expect(postgres.counts).toEqual({ open: 0, claimed: 1, done: 1, solved: 1 });
    expect(postgres.lists[0]!.map((h) => h.id)).toEqual(['h2', 'h3', 'h1']);
    expect(postgres.forSession.map((h) => h.id)).toEqual(['h2', 'h1']);
    expect(postgres.nextDue).toBe(T0);
    expect(postgres.due.map((d) => d.story.message)).toEqual(['message h1', 'message h1']);
    expect(postgres.attempts).toEqual([true, false, true]);
    expect(postgres.retried).toEqual([false, false]);
  });

  it('a leased delivery is one instance\'s; its outcome is recorded by that worker only; an expired lease passes on', async () => {
    const { open } = await postgres();
    const c = clock();
    const a = open(c.now);
    const b = open(c.now);
    await a.addSession('s1');
    await a.handoffs.create({ ...newHandoff('h1', 's1'), deliveries: [{ id: 'd1', channel: 'webhook' }] });
    const [mine] = await a.handoffs.claimDue('worker-a', MINUTE, 5);
    expect(mine?.id).toBe('d1');
    expect(mine?.story.message).toBe('message h1');
    expect(await b.handoffs.claimDue('worker-b', MINUTE, 5)).toEqual([]);
    expect(await b.handoffs.delivered('d1', 'worker-b', {})).toBe(false);
    // Worker A dies; a minute later B takes the delivery over, and A's late word no longer counts.
    c.tick(MINUTE + 1000);
    const [taken] = await b.handoffs.claimDue('worker-b', MINUTE, 5);
    expect(taken?.id).toBe('d1');
    expect(await a.handoffs.delivered('d1', 'worker-a', {})).toBe(false);
    expect(await b.handoffs.delivered('d1', 'worker-b', { externalId: '42' })).toBe(true);
    expect((await a.handoffs.get('h1'))!.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1, externalId: '42' });
    c.tick(3_600_000);
    expect(await b.handoffs.claimDue('worker-c', MINUTE, 5)).toEqual([]);
  });

  it('workers of two instances claiming at the same moment never get the same delivery, and together get them all', { timeout: 60_000 }, async () => {
    const { open } = await postgres();
    const instances = [open(), open()];
    await instances[0]!.addSession('s1');
    for (let i = 0; i < 40; i++) await instances[0]!.handoffs.create({ ...newHandoff(`h${i}`, 's1', i), story: story(`m${i}`) });
    const claimed = await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const got: string[] = [];
        for (let batch; (batch = await instances[w % 2]!.handoffs.claimDue(`worker-${w}`, MINUTE, 3)).length; ) got.push(...batch.map((d) => d.id));
        return got;
      }),
    );
    const all = claimed.flat();
    expect(all.length).toBe(80);
    expect(new Set(all).size).toBe(80);
  });
});

describe.skipIf(!POSTGRES)(`PostgreSQL lists in SQLite's order${SKIP_REASON}`, () => {
  it('orders text by its bytes, as SQLite does, on a database whose locale sorts otherwise', async () => {
    const { sqlite, postgres } = await both(async (s) => {
      for (const name of ['bob', 'Cy', 'ada']) await s.createAgent({ email: `${name}@example.com`, name, role: 'agent', passwordHash: 'x' });
      for (const flowId of ['b', 'B', 'a']) {
        await s.publishVersion(version(flowId, 'one'));
        await s.applyBuiltin({ kind: 'pending', pending: { flowId, hash: 'h-two', document: doc(flowId, 'two') }, fromVersion: 1 });
      }
      await s.addSession('s1');
      // Created at the same moment: ordered by id.
      for (const [i, id] of ['h-b', 'h-B', 'h-a'].entries())
        await s.handoffs.create({ id, sessionId: 's1', stepSeq: i, flowId: 'a', lng: 'sv', story: story(id), deliveries: [] });
      return {
        agents: (await s.listAgents()).map((a) => a.name),
        latest: (await s.listLatestVersions()).map((v) => v.flowId),
        whole: (await s.latestVersions()).map((v) => v.flowId),
        pending: (await s.listPendingUpdates()).map((p) => p.flowId),
        handoffs: (await s.handoffs.list({ limit: 10, offset: 0 })).map((h) => h.id),
        forSession: (await s.handoffs.forSession('s1')).map((h) => h.id),
      };
    }, freshEnglishPostgres);
    expect(postgres).toEqual(sqlite);
    expect(postgres).toEqual({
      agents: ['Cy', 'ada', 'bob'],
      latest: ['B', 'a', 'b'],
      whole: ['B', 'a', 'b'],
      pending: ['B', 'a', 'b'],
      handoffs: ['h-B', 'h-a', 'h-b'],
      forSession: ['h-B', 'h-a', 'h-b'],
    });
  });
});
