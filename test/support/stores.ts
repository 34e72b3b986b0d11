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

/** One database for the file's PostgreSQL tests; each test gets a schema of its own in it (cheaper than a database each). */
let admin: pg.Pool | undefined;
afterAll(async () => {
  await admin?.end();
  admin = undefined;
});

const postgres: StoreKind = {
  name: 'postgres',
  skip: SKIP_REASON,
  async open() {
    admin ??= new pg.Pool({ connectionString: POSTGRES, max: 1 });
    const schema = `s_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    const { now, tick } = clock();
    const on = () => {
      const store = openPostgresStore(POSTGRES!, { poolSize: 3, schema, now });
      cleanups.push(() => store.close());
      return store;
    };
    const store = on();
    // The schema is made and migrated behind the first query: a second instance must find it there.
    await store.ping();
    return { store, now, tick, another: on };
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
