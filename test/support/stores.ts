import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe } from 'vitest';
import { openPostgresStore } from '../../server/store/postgres/index.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import type { Store } from '../../server/store/types.ts';
import { tempDir } from './app.ts';
import { POSTGRES, SKIP_REASON } from './postgres.ts';

/** The moment every store under test starts at: its clock only moves when the test ticks it. */
export const T0 = Date.UTC(2026, 2, 1, 12);

/** A store under test, on a clock the test moves, and a second instance on the same data (another process, or pool). */
export interface Opened {
  store: Store;
  tick(ms: number): void;
  now(): number;
  /** Another connection to the same database on the same clock: what a second instance sees. */
  another(): Store;
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** Why this store's tests are skipped; empty when they run. */
  skip: string;
  /** A fresh, empty store, closed (and its data removed) after the test. */
  open(): Promise<Opened>;
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const done of cleanups.splice(0).reverse()) await done();
});

function clock() {
  let time = T0;
  return { now: () => time, tick: (ms: number) => void (time += ms) };
}

const sqlite: StoreKind = {
  name: 'sqlite',
  skip: '',
  async open() {
    const dir = tempDir('mailhelp-store-');
    cleanups.push(() => dir.remove());
    const file = join(dir.dir, 'store.db');
    const { now, tick } = clock();
    const on = () => {
      const store = createSqliteStore(file, { now });
      cleanups.push(() => store.close());
      return store;
    };
    return { store: on(), now, tick, another: on };
  },
};

/**
 * One schema for the file's PostgreSQL tests, and the stores on it: made and migrated by the first test, emptied
 * for each next one (identities restarted too, so ids start again as in a fresh store) and their clock
 * set back to T0. Opening pools and migrating for every test would cost the suite seconds; the stores are closed
 * and the schema dropped after the file.
 */
interface Shared {
  admin: pg.Pool;
  schema: string;
  time: number;
  /** The test's store first, then the other instances `another()` gave, reused in that order by the next test. */
  stores: Store[];
}
let shared: Shared | undefined;
afterAll(async () => {
  if (!shared) return;
  const { admin, schema, stores } = shared;
  shared = undefined;
  for (const store of stores) await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

/**
 * Every table emptied and every identity started again. DELETE, not TRUNCATE: on tables this small it is several
 * times faster (TRUNCATE makes new files for each table and index); foreign keys are not checked meanwhile.
 */
async function emptySchema({ admin, schema }: Shared) {
  const tables = await admin.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 AND tablename <> 'mailhelp_schema'", [schema]);
  const sequences = await admin.query<{ s: string }>('SELECT sequencename AS s FROM pg_sequences WHERE schemaname = $1', [schema]);
  await admin.query(
    `BEGIN; SET LOCAL session_replication_role = replica;
     ${tables.rows.map((r) => `DELETE FROM ${schema}.${r.t};`).join(' ')}
     ${sequences.rows.map((r) => `ALTER SEQUENCE ${schema}.${r.s} RESTART;`).join(' ')}
     COMMIT;`,
  );
}

const postgres: StoreKind = {
  name: 'postgres',
  skip: SKIP_REASON,
  async open() {
    const s = (shared ??= { admin: new pg.Pool({ connectionString: POSTGRES, max: 1 }), schema: `s_${randomBytes(6).toString('hex')}`, time: T0, stores: [] });
    s.time = T0;
    const now = () => s.time;
    const instance = (i: number) =>
      (s.stores[i] ??= openPostgresStore(POSTGRES!, { poolSize: 3, schema: s.schema, now }));
    const store = instance(0);
    // The schema is made and migrated behind the first query; every later test starts from empty tables.
    await store.ping();
    await emptySchema(s);
    let others = 0;
    return { store, now, tick: (ms) => void (s.time += ms), another: () => instance(++others) };
  },
};

/** Every store the app has: SQLite always, PostgreSQL when TEST_DATABASE_URL names a server. */
export const STORES: readonly StoreKind[] = [sqlite, postgres];

/**
 * The same store behaviour tests on every store: `describe('<store>: <what>')`, skipped (and saying why) for
 * PostgreSQL without a server to test against.
 */
export function describeStores(what: string, body: (kind: StoreKind) => void): void {
  for (const kind of STORES) {
    (kind.skip ? describe.skip : describe)(`${kind.name}: ${what}${kind.skip}`, () => body(kind));
  }
}
