import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests may use: TEST_DATABASE_URL (`.ci/run` sets it for the server this machine starts).
 * Unset, PostgreSQL tests are skipped and say why (`describe.skipIf(!POSTGRES)`, with SKIP_REASON in the name).
 */
export const POSTGRES = process.env.TEST_DATABASE_URL;
export const SKIP_REASON = POSTGRES ? '' : ' (skipped: TEST_DATABASE_URL is not set, so no PostgreSQL server to test against)';

/** A new, empty database on the test server, dropped by `drop()` (every connection to it closed first). */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES) throw new Error('TEST_DATABASE_URL is not set');
  const name = `mailhelp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(POSTGRES);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client(POSTGRES);
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
