import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hidePassword } from '../../server/store/postgres/db.ts';

/** The PostgreSQL server a bench run uses, or why it runs without one. */
export type BenchServer = { url: string; shown: string } | { skipped: string };

/**
 * The first of `names` that is set picks the server. One that is set but empty picks none, so that
 * `SOAK_DATABASE_URL= npm run soak` measures SQLite on a machine where TEST_DATABASE_URL is set for the tests.
 */
export function benchServer(names: readonly string[]): BenchServer {
  for (const name of names) {
    const url = process.env[name];
    if (url === undefined) continue;
    if (url === '') return { skipped: `${name} is set but empty` };
    return { url, shown: hidePassword(url) };
  }
  return { skipped: `${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} not set, so there is no PostgreSQL server to measure` };
}

async function onServer(server: string, sql: string): Promise<void> {
  const client = new pg.Client(server);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database `mailhelp_bench_<random>` on `server`, so each run starts from nothing and leaves nothing:
 * `drop()` closes every connection to it (the app may still hold some) and drops it.
 */
export async function freshDatabase(server: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `mailhelp_bench_${randomBytes(6).toString('hex')}`;
  await onServer(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
