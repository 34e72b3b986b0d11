import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { migrations } from './sqlite/migrations.ts';
import type { Db } from './postgres/db.ts';

/**
 * Copying a SQLite database into PostgreSQL (`npm run db -- copy`): every table in an order where a row's references
 * are there before it, in batches of one transaction each. A row whose primary key is there already is skipped, so a
 * copy that stopped half-way is simply run again. Verified by counts at the end.
 */

/** Every table both stores have, referenced tables first. rate_limits is PostgreSQL's only (counts that expire). */
export const COPIED_TABLES = [
  'agents',
  'sessions',
  'steps',
  'feedback',
  'notes',
  'logins',
  'attempts',
  'step_stats',
  'flow_versions',
  'drafts',
  'pending_updates',
  'builtin_seen',
  'audit_log',
  'handoffs',
  'deliveries',
] as const;

/** PostgreSQL tables that are not copied: shared rate-limit windows, and the schema version migrate() keeps. */
const POSTGRES_ONLY = new Set(['rate_limits', 'mailhelp_schema']);

/** Rows per batch; a batch also ends at BATCH_BYTES of text (documents and snapshots can be large). */
export const BATCH_ROWS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

export interface TableCount {
  table: string;
  sqlite: number;
  postgres: number;
  /** Rows this run inserted (fewer than `sqlite` when an earlier run copied some). */
  inserted: number;
}

export interface CopyOptions {
  batchRows?: number;
  /** Progress lines, table by table. */
  progress?: (line: string) => void;
}

/**
 * Opens the SQLite file read-only. Its schema must be the one this app writes: an older file is migrated by starting
 * the app on it once (the copy never writes to it), a newer one needs a newer app.
 */
export function openSqliteSource(file: string): Database.Database {
  if (!existsSync(file)) throw new Error(`there is no file ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== migrations.length)
      throw new Error(
        version < migrations.length
          ? `${file} has schema version ${version}, this app's is ${migrations.length}: start the app once on it (DB_PATH=${file}) to migrate it, stop it, then copy`
          : `${file} has schema version ${version}, newer than this app's (${migrations.length}): copy with the app version that wrote it`,
      );
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Each table's primary key, as the conflict target: a clash on any other unique key is an error, not a skip. */
const PRIMARY_KEYS: Record<(typeof COPIED_TABLES)[number], string[]> = {
  agents: ['id'],
  sessions: ['id'],
  steps: ['session_id', 'seq'],
  feedback: ['id'],
  notes: ['session_id', 'seq', 'version'],
  logins: ['token_hash'],
  attempts: ['key', 'at', 'attempt'],
  step_stats: ['day', 'flow_id', 'lng', 'channel', 'audience', 'prev_state', 'event', 'state'],
  flow_versions: ['flow_id', 'number'],
  drafts: ['id'],
  pending_updates: ['flow_id'],
  builtin_seen: ['flow_id'],
  audit_log: ['id'],
  handoffs: ['id'],
  deliveries: ['id'],
};
const pgKey = (table: string) => PRIMARY_KEYS[table as keyof typeof PRIMARY_KEYS].map(quote).join(', ');

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

interface TablePlan {
  table: string;
  /** SQLite's columns, in its order; flow_versions also carries `seq` (from the rowid). */
  columns: string[];
  select: string;
  insert: (rows: number) => string;
}

/**
 * How each table is read and written, after checking that the two schemas hold the same tables and that every
 * SQLite column has its PostgreSQL twin: a table or column this tool does not know would otherwise be left behind
 * without a word.
 */
async function plan(source: Database.Database, target: Db): Promise<TablePlan[]> {
  const known = new Set<string>(COPIED_TABLES);
  const sqliteTables = source
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .all()
    .map((r) => r.name);
  const pgColumns = await target.many<{ table_name: string; column_name: string; identity_generation: string | null }>(
    `SELECT table_name, column_name, identity_generation FROM information_schema.columns
     WHERE table_schema = current_schema()`,
  );
  const pgTables = new Set(pgColumns.map((c) => c.table_name));
  const unknown = [...sqliteTables, ...[...pgTables].filter((t) => !POSTGRES_ONLY.has(t))].filter((t) => !known.has(t));
  if (unknown.length) throw new Error(`this copy does not know the table(s) ${[...new Set(unknown)].join(', ')}: update COPIED_TABLES in server/store/copy.ts`);

  return COPIED_TABLES.map((table) => {
    const columns = source
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .all()
      .map((r) => r.name);
    if (!columns.length) throw new Error(`the SQLite file has no table ${table}`);
    const onPg = pgColumns.filter((c) => c.table_name === table);
    const missing = columns.filter((c) => !onPg.some((p) => p.column_name === c));
    if (missing.length) throw new Error(`PostgreSQL's ${table} has no column(s) ${missing.join(', ')}`);
    // flow_versions.seq is what SQLite's rowid is there (the versions' mark): the rowid keeps the versions' order.
    const withSeq = table === 'flow_versions';
    const select = `SELECT ${[...columns.map(quote), ...(withSeq ? ['rowid AS seq'] : [])].join(', ')} FROM ${quote(table)}`;
    const written = withSeq ? [...columns, 'seq'] : columns;
    const always = onPg.some((p) => written.includes(p.column_name) && p.identity_generation === 'ALWAYS');
    const keyOf = pgKey(table);
    const insert = (rows: number) => {
      const values = Array.from({ length: rows }, (_, r) => `(${written.map((_, c) => `$${r * written.length + c + 1}`).join(', ')})`);
      return (
        `INSERT INTO ${quote(table)} (${written.map(quote).join(', ')})${always ? ' OVERRIDING SYSTEM VALUE' : ''} ` +
        `VALUES ${values.join(', ')} ON CONFLICT (${keyOf}) DO NOTHING`
      );
    };
    return { table, columns: written, select, insert };
  });
}

const textSize = (row: unknown[]) => row.reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : 8), 0);

async function copyTable(source: Database.Database, target: Db, p: TablePlan, batchRows: number): Promise<number> {
  // At most 65535 parameters a statement.
  const rowsPerBatch = Math.max(1, Math.min(batchRows, Math.floor(65_535 / p.columns.length)));
  let inserted = 0;
  let batch: unknown[][] = [];
  let bytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    bytes = 0;
    const result = await target.tx((tx) => tx.query(p.insert(rows.length), rows.flat()));
    inserted += result.rowCount ?? 0;
  };
  for (const row of source.prepare(p.select).raw().iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    bytes += textSize(row);
    if (batch.length >= rowsPerBatch || bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return inserted;
}

/**
 * Moves every identity's sequence past the largest id copied, so the app's next agent, feedback, draft, audit row or
 * version does not take an id a copied row has.
 */
async function advanceIdentities(target: Db): Promise<void> {
  const identities = await target.many<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`,
  );
  for (const { table_name: table, column_name: column } of identities) {
    await target.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max(${quote(column)}) AS m FROM ${quote(table)}) t WHERE m IS NOT NULL`,
      [quote(table), column],
    );
  }
}

async function countBoth(source: Database.Database, target: Db, table: string): Promise<{ sqlite: number; postgres: number }> {
  const sqlite = source.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`).get()!.n;
  const postgres = (await target.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`))!.n;
  return { sqlite, postgres };
}

/**
 * Copies `source` (opened by openSqliteSource) into `target` (migrated), table by table, and returns each table's
 * count on both sides. All of SQLite is read in one read transaction, so the rows copied reference each other
 * consistently; a writer still running adds rows after that snapshot, which the counts then show.
 */
export async function copyToPostgres(source: Database.Database, target: Db, options: CopyOptions = {}): Promise<TableCount[]> {
  const progress = options.progress ?? (() => {});
  const plans = await plan(source, target);
  // A target with more rows than the file is not a copy of it (another database, or the app ran on it): stop before
  // mixing the two.
  for (const { table } of plans) {
    const { sqlite, postgres } = await countBoth(source, target, table);
    if (postgres > sqlite)
      throw new Error(`PostgreSQL's ${table} has more rows (${postgres}) than the SQLite file's (${sqlite}): copy into an empty database, or the one an earlier copy of this file stopped in`);
  }
  const inserted = new Map<string, number>();
  source.exec('BEGIN');
  try {
    for (const p of plans) {
      const n = await copyTable(source, target, p, options.batchRows ?? BATCH_ROWS);
      inserted.set(p.table, n);
      progress(`${p.table}: ${n} row(s) copied`);
    }
  } finally {
    source.exec('COMMIT');
  }
  await advanceIdentities(target);
  // Counted after the read transaction, so rows a writer added to the file during the copy show as a difference.
  const counts: TableCount[] = [];
  for (const { table } of plans) counts.push({ table, ...(await countBoth(source, target, table)), inserted: inserted.get(table) ?? 0 });
  return counts;
}
