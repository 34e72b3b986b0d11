import pg from 'pg';

/*
 * Stand-in for A's db.ts (same `Db` signature), so the analytics part can be written and tested before the merge;
 * A's module replaces this file.
 */

// int8 → number: all our BIGINT values (ms times, ids, counts) are below 2^53.
pg.types.setTypeParser(20, Number);

export interface Db {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  one<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  many<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A transaction on one client; `fn` gets a Db bound to it. Retries on serialization failure (40001) up to 3 times. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** A dedicated client (for cursors), released by the caller. */
  client(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

function helpers(q: Queryable) {
  const query = (sql: string, params: unknown[] = []) => q.query(sql, params) as Promise<pg.QueryResult>;
  return {
    query,
    one: async <T>(sql: string, params?: unknown[]) => (await query(sql, params)).rows[0] as T | undefined,
    many: async <T>(sql: string, params?: unknown[]) => (await query(sql, params)).rows as T[],
  };
}

export function createDb(pool: pg.Pool): Db {
  const db: Db = {
    ...helpers(pool),
    async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        const bound: Db = { ...db, ...helpers(client), tx: (inner) => inner(bound), client: () => Promise.resolve(client) };
        try {
          await client.query('BEGIN');
          const out = await fn(bound);
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          if ((err as { code?: string }).code !== '40001' || attempt >= 3) throw err;
        } finally {
          client.release();
        }
      }
    },
    client: () => pool.connect(),
    end: () => pool.end(),
  };
  return db;
}
