import pg from 'pg';

/*
 * A minimal stand-in for A's pool wrapper, to the agreed `Db` signature, so content, people and hand-offs can be
 * written and tested before the parts are merged; A's db.ts replaces this file at merge.
 */

// int8 → number: every BIGINT we store (ms times, ids, seq) is below 2^53.
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

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const isSerializationFailure = (e: unknown) => (e as { code?: unknown })?.code === '40001';

function bound(on: Queryable, pool: pg.Pool, inTx: boolean): Db {
  const db: Db = {
    query: (sql, params) => on.query(sql, params),
    async one<T>(sql: string, params?: unknown[]) {
      return (await on.query(sql, params)).rows[0] as T | undefined;
    },
    async many<T>(sql: string, params?: unknown[]) {
      return (await on.query(sql, params)).rows as T[];
    },
    async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
      // Nested: already inside one transaction; run in it.
      if (inTx) return fn(db);
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(bound(client, pool, true));
          await client.query('COMMIT');
          return result;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          if (!isSerializationFailure(e) || attempt >= 3) throw e;
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

export function createDb(url: string, options: { poolSize?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle client the server dropped (a restart, a terminated backend) is removed by the pool; unheard, its error
  // would end the process. The next query opens a new connection, and fails itself if the server is gone.
  pool.on('error', () => {});
  return bound(pool, pool, false);
}
