import { UnstorableTextError } from '../types.ts';
import pg from 'pg';

// int8 (counts, BIGINT ms times, identities) as numbers: every value we store is below 2^53, and the SQLite store
// hands numbers to the same callers.
pg.types.setTypeParser(20, Number);

/** The pool wrapper every part of the PostgreSQL store uses. */
export interface Db {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** The first row, or undefined. */
  one<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  many<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A transaction on one client; `fn` gets a Db bound to it. Retries on serialization failure (40001) up to 3 times. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** A dedicated client (for cursors), released by the caller. */
  client(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

/** Serialization failure or deadlock: the transaction lost a race and can simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const TX_ATTEMPTS = 3;

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export const pgCode = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
export const isUniqueViolation = (e: unknown) => pgCode(e) === '23505';
/** A transaction (or statement) that lost a race and can simply be run again. */
export const isRetryable = (e: unknown) => RETRYABLE.has(pgCode(e) ?? '');

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** PostgreSQL's codes for a text it cannot hold (a NUL character; bytes that are not UTF-8). */
const UNSTORABLE = new Set(['22021', '22P05']);

function helpers(q: Queryable) {
  const query = (sql: string, params?: unknown[]) =>
    (q.query(sql, params) as Promise<pg.QueryResult>).catch((e: unknown) => {
      if (UNSTORABLE.has(pgCode(e) ?? '')) throw new UnstorableTextError((e as Error).message);
      throw e;
    });
  return {
    query,
    async one<T>(sql: string, params?: unknown[]) {
      return (await query(sql, params)).rows[0] as T | undefined;
    },
    async many<T>(sql: string, params?: unknown[]) {
      return (await query(sql, params)).rows as T[];
    },
  };
}

/** A Db bound to one client inside a transaction: a nested tx is a savepoint, so a part can call another's tx code. */
function clientDb(client: pg.PoolClient): Db {
  const db: Db = {
    ...helpers(client),
    async tx(fn) {
      await client.query('SAVEPOINT nested');
      try {
        const value = await fn(db);
        await client.query('RELEASE SAVEPOINT nested');
        return value;
      } catch (e) {
        await client.query('ROLLBACK TO SAVEPOINT nested');
        throw e;
      }
    },
    // The transaction's own client is not the caller's to release.
    client: async () => {
      throw new Error('client() inside a transaction');
    },
    end: async () => {
      throw new Error('end() inside a transaction');
    },
  };
  return db;
}

export function createDb(pool: pg.Pool): Db {
  return {
    ...helpers(pool),
    async tx(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('BEGIN');
          const value = await fn(clientDb(client));
          await client.query('COMMIT');
          return value;
        } catch (e) {
          try {
            await client.query('ROLLBACK');
          } catch {
            // The connection is gone: do not hand it back to the pool.
            broken = true;
          }
          if (!RETRYABLE.has(pgCode(e) ?? '') || attempt >= TX_ATTEMPTS) throw e;
        } finally {
          client.release(broken || undefined);
        }
      }
    },
    client: () => pool.connect(),
    // Once: a second close (a shutdown after a failed start) is a no-op, as closing the SQLite store twice is.
    end: () => (pool.ended ? Promise.resolve() : pool.end()),
  };
}

/** The URL with its password replaced, for messages and logs. */
export function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

export function openPool(url: string, poolSize: number): Db {
  // Without a timeout, a server that drops packets (a firewall, a host that is down) hangs the start and then every
  // request for good; ten seconds also bounds the wait for a free connection when all `poolSize` are busy.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', () => {});
  return createDb(pool);
}
