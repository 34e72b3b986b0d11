import type { Db } from './db.ts';
import { postgresMigrations } from './migrations.ts';

/**
 * The advisory lock every instance takes to migrate: several instances starting at once against one database queue
 * here, and only the first finds anything to do. A fixed key of our own (no other tool of ours takes lock 1 of this
 * class).
 */
const MIGRATION_LOCK = [0x6d61696c, 1] as const;

/**
 * Brings the schema to `migrations.length` (the versions run are recorded in `mailhelp_schema`), holding the advisory
 * lock from the first read of the version to the commit. Returns how many migrations ran.
 */
export async function migrate(db: Db, migrations: readonly string[] = postgresMigrations): Promise<number> {
  const client = await db.client();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
    try {
      await client.query('BEGIN');
      try {
        await client.query('CREATE TABLE IF NOT EXISTS mailhelp_schema (version INTEGER NOT NULL)');
        const row = (await client.query<{ version: number }>('SELECT version FROM mailhelp_schema')).rows[0];
        const current = row?.version ?? 0;
        if (current > migrations.length)
          throw new Error(`database schema ${current} is newer than this app knows (${migrations.length}); upgrade the app`);
        for (let v = current; v < migrations.length; v++) await client.query(migrations[v]!);
        if (row) await client.query('UPDATE mailhelp_schema SET version = $1', [migrations.length]);
        else await client.query('INSERT INTO mailhelp_schema (version) VALUES ($1)', [migrations.length]);
        await client.query('COMMIT');
        return migrations.length - current;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
