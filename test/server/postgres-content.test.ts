import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandoffStory } from '../../server/handoff/story.ts';
import { contentPart, type ContentPart } from '../../server/store/postgres/content.ts';
import { openPool, type Db } from '../../server/store/postgres/db.ts';
import { handoffStore } from '../../server/store/postgres/handoffs.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { peoplePart, type PeoplePart } from '../../server/store/postgres/people.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { VersionConflictError, type HandoffStore } from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';
import { doc, version } from '../support/store-records.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

/*
 * What the shared store suite (test/store/) leaves to PostgreSQL alone: built-in syncs and publishes from several
 * instances at once, and lists in SQLite's order on a database whose locale sorts otherwise (compared with SQLite).
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

const story = (message: string) => ({ message, email: 'anna@example.se', name: 'Anna' }) as unknown as HandoffStory;

describe.skipIf(!POSTGRES)(`PostgreSQL guide versions from several instances${SKIP_REASON}`, () => {
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
