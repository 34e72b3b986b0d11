import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions } from '../../server/http/app.ts';
import { createServer, type ServerOptions } from '../../server/http/server.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import { openPostgresStore } from '../../server/store/postgres/index.ts';
import type { Store } from '../../server/store/types.ts';
import type Database from 'better-sqlite3';
import { postgresSql, sqliteSql, type StoreSql } from './store-sql.ts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  store: Store;
  /** The store's tables, for what its interface does not say (test/support/store-sql.ts); on either store. */
  sql: StoreSql;
  /** The SQLite file's own connection, for tests whose subject is that file (seeding it, its pragmas); none on PostgreSQL. */
  sqliteDb?: Database.Database;
  file: string;
  errors: unknown[];
  close(): Promise<void>;
}

/** A temporary directory removed when the test run ends. */
export function tempDir(prefix = 'mailhelp-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh database file path per call, in a temporary directory removed after each test. */
export function useTempFiles(name = 'mailhelp.db'): () => string {
  const dirs: { remove(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
  return () => {
    const d = tempDir();
    dirs.push(d);
    return join(d.dir, name);
  };
}

/**
 * Which store tests' apps run on: SQLite files, or with TEST_STORE=postgres (the `postgres` project of
 * vitest.config.ts) a schema of their own on the PostgreSQL server of TEST_DATABASE_URL. A test that names a file
 * (restarts, crashes, files on disk) is on SQLite either way.
 */
export const ON_POSTGRES = process.env.TEST_STORE === 'postgres' && Boolean(process.env.TEST_DATABASE_URL);

/** A store of its own on PostgreSQL, and SQL on its schema; the schema is dropped when it is closed. */
function postgresTestStore(): { store: Store; sql: StoreSql; drop(): Promise<void> } {
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = openPostgresStore(url, { poolSize: 4, schema });
  const sql = postgresSql(url, schema);
  return {
    store,
    // The schema is made behind the store's first query: SQL waits for it.
    sql: { ...sql, all: async (q, p) => (await store.ping(), sql.all(q, p)), run: async (q, p) => (await store.ping(), sql.run(q, p)) },
    async drop() {
      await sql.close();
      const client = new pg.Client(url);
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The real app on a real store: a SQLite file (`file`, or a temporary one), or with ON_POSTGRES and no file a schema
 * of its own on PostgreSQL. Unexpected server errors are collected instead of printed, so a test can assert that
 * none happened.
 */
export function testApp(file?: string, options: Partial<AppOptions> = {}): TestApp {
  const onPostgres = ON_POSTGRES && !file ? postgresTestStore() : undefined;
  const tmp = file || onPostgres ? undefined : tempDir();
  const path = file ?? (tmp ? join(tmp.dir, 'mailhelp.db') : 'postgres');
  const sqlite = onPostgres ? undefined : openSqliteFile(path);
  const store = onPostgres?.store ?? sqlite!.store;
  const sql = onPostgres?.sql ?? sqliteSql(sqlite!.db);
  const errors: unknown[] = [];
  // Tests play many participants from one address; the limits themselves are tested with low values.
  const app = createApp({
    store,
    log: (err) => errors.push(err),
    ...options,
    config: { SESSIONS_PER_MINUTE: 100_000, STEPS_PER_MINUTE: 1_000_000, CHECKS_PER_MINUTE: 10_000, ...options.config },
  });
  return {
    app,
    store,
    sql,
    sqliteDb: sqlite?.db,
    file: path,
    errors,
    async close() {
      await store.close();
      tmp?.remove();
      await onPostgres?.drop();
    },
  };
}

/**
 * Listens on a free port on 127.0.0.1, as `server/main.ts` serves: the hot path in front of the app (server/http/server.ts).
 * `{ hotPath: false }`: Express alone.
 */
export async function listen(app: TestApp['app'], options: ServerOptions = {}): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(app, options).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One app for a whole test file, opened before its first test and closed after its last; after each test, no
 * unexpected server error may have been logged (bad input must never become one). Read it as a TestApp.
 */
export function useTestApp(options: Partial<AppOptions> = {}): TestApp {
  let current: TestApp | undefined;
  beforeAll(() => {
    current = testApp(undefined, options);
  });
  afterAll(() => current?.close());
  afterEach(() => {
    expect(current!.errors).toEqual([]);
  });
  return new Proxy({} as TestApp, {
    get: (_, key) => {
      if (!current) throw new Error('the test app is opened in beforeAll: use it inside a test or hook');
      return current[key as keyof TestApp];
    },
  });
}
