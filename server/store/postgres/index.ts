import type { Store } from '../types.ts';
import { analyticsPart } from './analytics.ts';
import { contentPart } from './content.ts';
import { hidePassword, openPool, type Db } from './db.ts';
import { handoffStore } from './handoffs.ts';
import { postgresHitCounter } from './hit-counter.ts';
import { migrate } from './migrate.ts';
import { peoplePart } from './people.ts';
import { sessionsPart } from './sessions.ts';

export interface PostgresOptions {
  /** Connections this instance may hold at once. */
  poolSize: number;
  now?: () => number;
}

/** PostgreSQL cannot be used; `reason` says why in words an operator can act on (the start prints it). */
export class PostgresError extends Error {
  /** The URL with its password hidden. */
  readonly url: string;
  constructor(
    url: string,
    readonly reason: string,
  ) {
    const shown = hidePassword(url);
    super(`cannot use the database ${shown}: ${reason}`);
    this.url = shown;
  }
}

/** What the driver said, in one line: a refused connection to `localhost` comes as an AggregateError without a message. */
function explain(e: unknown): string {
  if (e instanceof AggregateError && !e.message && e.errors.length) return explain(e.errors[0]);
  const said = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !said.includes(code) ? `${said} (${code})` : said;
}

/**
 * The store on PostgreSQL, for several app instances sharing one database. The schema is migrated here, under an
 * advisory lock, so instances starting together migrate once.
 */
export async function createPostgresStore(url: string, options: PostgresOptions): Promise<Store> {
  const db = openPool(url, options.poolSize);
  const now = options.now ?? Date.now;
  try {
    await migrate(db);
  } catch (e) {
    await db.end().catch(() => {});
    throw new PostgresError(url, explain(e));
  }
  return storeOn(db, now);
}

/** The Store's parts on one Db. */
function storeOn(db: Db, now: () => number): Store {
  return {
    ...sessionsPart(db, now),
    ...analyticsPart(db),
    ...contentPart(db, now),
    ...peoplePart(db, now),
    handoffs: handoffStore(db, now),
    hitCounter: postgresHitCounter(db, now),
    async ping() {
      await db.query('SELECT 1 FROM mailhelp_schema');
    },
    close: () => db.end(),
  };
}

/**
 * The store on PostgreSQL at once, its schema made and migrated behind the first query (every query waits for it).
 * For tests, which build an app synchronously: each gets a schema of its own in one database (`schema`, made here),
 * so many apps share one server without sharing data. The server uses createPostgresStore, which fails at start.
 */
export function openPostgresStore(url: string, options: PostgresOptions & { schema: string }): Store {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`not a schema name: ${options.schema}`);
  const inSchema = new URL(url);
  inSchema.searchParams.set('options', `-c search_path=${options.schema}`);
  const inner = openPool(inSchema.toString(), options.poolSize);
  const ready = (async () => {
    await inner.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await migrate(inner);
  })();
  // Nothing is left unhandled when a test never queries; a query after a failed start fails with the start's error.
  ready.catch(() => {});
  const gated: Db = {
    query: async (sql, params) => (await ready, inner.query(sql, params)),
    one: async (sql, params) => (await ready, inner.one(sql, params)),
    many: async (sql, params) => (await ready, inner.many(sql, params)),
    tx: async (fn) => (await ready, inner.tx(fn)),
    client: async () => (await ready, inner.client()),
    end: () => inner.end(),
  };
  return storeOn(gated, options.now ?? Date.now);
}
