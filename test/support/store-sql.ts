import type Database from 'better-sqlite3';
import pg from 'pg';
import '../../server/store/postgres/db.ts'; // int8 read as numbers, as the PostgreSQL store reads them

/**
 * The one way tests reach a store's tables behind its interface: rows as an old release left them, a login's expiry
 * moved, what a CSV export must match. Plain SQL with `?` placeholders, on SQLite or on PostgreSQL alike, so the
 * tests using it run on both stores. Everything else goes through the Store.
 */
export interface StoreSql {
  all(query: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  run(query: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** On a SQLite connection (the store's own, or another on the same file). */
export function sqliteSql(db: Database.Database): StoreSql {
  return {
    async all(query, params = []) {
      const statement = db.prepare(query);
      // As on PostgreSQL, a statement that returns nothing gives no rows.
      return statement.reader ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
    },
    async run(query, params = []) {
      db.prepare(query).run(...params);
    },
    async close() {},
  };
}

/** On a PostgreSQL database (in `schema`, when given): a pool of its own, closed by close(). */
export function postgresSql(url: string, schema?: string): StoreSql {
  const target = new URL(url);
  if (schema) target.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: target.toString(), max: 1 });
  pool.on('error', () => {});
  const numbered = (query: string) => {
    let n = 0;
    return query.replace(/\?/g, () => `$${++n}`);
  };
  return {
    async all(query, params = []) {
      return (await pool.query(numbered(query), params)).rows as Record<string, unknown>[];
    },
    async run(query, params = []) {
      await pool.query(numbered(query), params);
    },
    close: () => pool.end(),
  };
}

// Named operations: what the tests do to a store's tables, said once.

/** As a session stored before paths were kept: its rows make its path. */
export const forgetPath = (sql: StoreSql, sessionId: string) => sql.run('UPDATE sessions SET path = NULL WHERE id = ?', [sessionId]);

/** A path as an older release may have stored it (longer than the cap, say). */
export const setPath = (sql: StoreSql, sessionId: string, path: number[]) => sql.run('UPDATE sessions SET path = ? WHERE id = ?', [JSON.stringify(path), sessionId]);

/** As a session stored under another version of its guide. */
export const setFlowVersion = (sql: StoreSql, sessionId: string, version: string) =>
  sql.run('UPDATE sessions SET flow_version = ? WHERE id = ?', [version, sessionId]);

/** A ticket reference as stored before references were checked. */
export const setTicketRef = (sql: StoreSql, sessionId: string, ref: string) => sql.run('UPDATE sessions SET ticket_ref = ? WHERE id = ?', [ref, sessionId]);

/** A note written straight into a step's row (as an older release kept notes). */
export const setStepNote = (sql: StoreSql, sessionId: string, seq: number, note: string) =>
  sql.run('UPDATE steps SET note = ? WHERE session_id = ? AND seq = ?', [note, sessionId, seq]);

/** A login whose time ran out on the server. */
export const expireLogin = (sql: StoreSql, tokenHash: string, at: number) => sql.run('UPDATE logins SET expires_at = ? WHERE token_hash = ?', [at, tokenHash]);

/** How many rows a table holds. */
export const countRows = async (sql: StoreSql, table: string) => Number((await sql.all(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

/**
 * Copies of a session's row `fromSeq` at seqs `seqs`, as a release without the step cap could store them: inserted
 * in batches (one statement each), with the event and note given.
 */
export async function repeatStep(sql: StoreSql, sessionId: string, fromSeq: number, seqs: number[], row: { event: string; note: string | null }) {
  for (let i = 0; i < seqs.length; i += 500) {
    const batch = seqs.slice(i, i + 500);
    await sql.run(
      `INSERT INTO steps (session_id, seq, state, event, data, snapshot, note, agent_id, prev_state, at)
       SELECT st.session_id, n.seq, st.state, ?, NULL, st.snapshot, ?, st.agent_id, NULL, st.at
       FROM steps st CROSS JOIN (${batch.map(() => 'SELECT CAST(? AS INTEGER) AS seq').join(' UNION ALL ')}) n
       WHERE st.session_id = ? AND st.seq = ?`,
      [row.event, row.note, ...batch, sessionId, fromSeq],
    );
  }
}
