import type { Config } from '../config.ts';
import { hidePassword } from './postgres/db.ts';
import { createPostgresStore, PostgresError } from './postgres/index.ts';
import { createSqliteStore, DatabaseError } from './sqlite/index.ts';
import type { Store } from './types.ts';

export type StoreConfig = Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DB_PATH' | 'SQLITE_SYNCHRONOUS'>;

/** The database could not be opened: `setting` names the variable to look at (a password hidden), `reason` what is wrong. */
export class StoreOpenError extends Error {
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

/** Where the app keeps its data: PostgreSQL when DATABASE_URL is set (migrated here), else the SQLite file DB_PATH. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.DATABASE_URL) {
    try {
      return await createPostgresStore(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
    } catch (e) {
      if (e instanceof PostgresError) throw new StoreOpenError(`DATABASE_URL=${e.url}`, e.reason);
      throw e;
    }
  }
  try {
    return createSqliteStore(config.DB_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
  } catch (e) {
    if (e instanceof DatabaseError) throw new StoreOpenError(`DB_PATH=${e.file}`, e.reason);
    throw e;
  }
}

/** Where the data is, for the start's log line: the file, or the URL with its password hidden. */
export function describeStore(config: Pick<StoreConfig, 'DATABASE_URL' | 'DB_PATH'>): string {
  return config.DATABASE_URL ? hidePassword(config.DATABASE_URL) : config.DB_PATH;
}
