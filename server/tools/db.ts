/**
 * Database chores for operators:
 *   npm run db -- copy --from sqlite:data/mailhelp.db --to postgres://user:password@host:5432/mailhelp
 * copies an existing SQLite database into PostgreSQL (see USAGE).
 */
import { parseArgs } from 'node:util';
import { copyToPostgres, openSqliteSource, type TableCount } from '../store/copy.ts';
import { hidePassword, openPool } from '../store/postgres/db.ts';
import { createPostgresStore } from '../store/postgres/index.ts';
import { runTool } from './run-tool.ts';

const USAGE = `Usage: npm run db -- copy --from sqlite:<file> --to postgres://<user>:<password>@<host>:<port>/<database>

Copies every table of the SQLite file into PostgreSQL (migrated first), keeping ids, and checks each table's row
count on both sides (exit 1 when one differs). Stop the app that writes to the file first: rows written during the
copy are not copied. The file is only read. A copy that stopped half-way is resumed by running it again; rows
already copied are skipped. Then start the app with DATABASE_URL set to the same URL.`;

/** An operator's mistake in the arguments: the usage, exit 2. */
class UsageError extends Error {
  readonly code = 'ERR_PARSE_ARGS_USAGE';
}

/** The source file and target URL; undefined after --help. */
function parse(argv: string[]): { from: string; to: string } | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return undefined;
  if (positionals.length !== 1 || positionals[0] !== 'copy') throw new UsageError(`give the command copy\n${USAGE}`);
  if (!values.from?.startsWith('sqlite:') || values.from.length === 'sqlite:'.length)
    throw new UsageError(`--from must be sqlite:<file>, e.g. sqlite:data/mailhelp.db\n${USAGE}`);
  if (!values.to || !/^postgres(ql)?:\/\//.test(values.to))
    throw new UsageError(`--to must be a postgres:// or postgresql:// URL\n${USAGE}`);
  return { from: values.from.slice('sqlite:'.length), to: values.to };
}

/** One line a table, aligned: the summary on stdout. */
function summary(counts: TableCount[]): string {
  const width = Math.max(...counts.map((c) => c.table.length));
  const lines = counts.map(
    (c) => `${c.table.padEnd(width)}  sqlite ${String(c.sqlite).padStart(8)}  postgres ${String(c.postgres).padStart(8)}  ${c.sqlite === c.postgres ? 'ok' : 'DIFFERS'}`,
  );
  return lines.join('\n');
}

runTool('db', async () => {
  const args = parse(process.argv.slice(2));
  if (!args) return console.log(USAGE);
  const { from, to } = args;
  const source = openSqliteSource(from);
  try {
    console.error(`Copying ${from} to ${hidePassword(to)}`);
    // The store's own start migrates (under its advisory lock) and says in one line, password hidden, why a server
    // cannot be used.
    await (await createPostgresStore(to, { poolSize: 1 })).close();
  } catch (e) {
    source.close();
    throw e;
  }
  const target = openPool(to, 2);
  try {
    const counts = await copyToPostgres(source, target, { progress: (line) => console.error(line) });
    console.log(summary(counts));
    const differ = counts.filter((c) => c.sqlite !== c.postgres);
    if (differ.length) throw new Error(`row counts differ in ${differ.map((c) => c.table).join(', ')}: was the app still writing to ${from}? Stop it and run the copy again`);
    console.log(`Copied ${counts.reduce((n, c) => n + c.inserted, 0)} new row(s); every table has the same count on both sides.`);
  } finally {
    source.close();
    await target.end();
  }
});
