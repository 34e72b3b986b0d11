import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createAnalytics } from './analytics.ts';
import { createHandoffStore } from './handoffs.ts';
import { migrations } from './migrations.ts';
import {
  type AgentRow,
  type AuditRow,
  type DraftRow,
  type NoteRow,
  type PendingRow,
  type SessionRow,
  type StepRow,
  type VersionRow,
  DRAFT_SUMMARY,
  LAST_SEQ,
  VERSION_SUMMARY,
  toAgent,
  toAudit,
  toDraft,
  toDraftSummary,
  toNote,
  toPending,
  toSession,
  toStep,
  toSummary,
  toVersion,
  newVersionRecord,
  newSessionRecord,
  sessionWhere,
} from '../rows.ts';
import {
  type Actor,
  type AuditRecord,
  type BuiltinDecision,
  DraftConflictError,
  type DraftStatus,
  type DraftSave,
  type NewDraft,
  type FlowVersionRecord,
  type NewVersion,
  VersionConflictError,
  type AttemptLimit,
  type AttemptReservation,
  type StepNote,
  FeedbackGivenError,
  MAX_STEPS_PER_SESSION,
  RefTakenError,
  REMOVED_PASSWORD,
  StepConflictError,
  type Feedback,
  type NewSession,
  type NewStep,
  type PersistedSnapshot,
  type StepRecord,
  type SessionChange,
  type Store,
} from '../types.ts';

/** A path row as selectOpened gives it: [seq, state, event, data, snapshot, note, agent_id, at]. */
type OpenedStep = [number, string, string, unknown, PersistedSnapshot, string | null, number | null, number];

const openedStep = (sessionId: string, [seq, state, event, data, snapshot, note, agentId, at]: OpenedStep): StepRecord => ({
  sessionId,
  seq,
  state,
  event,
  data,
  snapshot,
  note,
  agentId,
  at,
});

/** A pending attempt older than this was abandoned (its process died mid-way): it no longer holds a slot. */
const PENDING_TTL_MS = 60_000;
/** Attempts are kept this long at most; no limit looks back further. */
const KEEP_ATTEMPTS_MS = 24 * 3600 * 1000;

const isUniqueViolation = (e: unknown) =>
  e instanceof Error && 'code' in e && (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE');

const isBusy = (e: unknown) => typeof (e as { code?: unknown })?.code === 'string' && /^SQLITE_BUSY/.test((e as { code: string }).code);

/**
 * Runs a write that another process may hold the lock for, trying again while it is busy: up to about two seconds,
 * waiting between tries without blocking the event loop (the busy timeout would). For rare writes that must not
 * fail because another instance publishes at the same moment; steps keep the short timeout and answer 503.
 */
async function whenFree<T>(write: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return write();
    } catch (e) {
      if (!isBusy(e) || attempt >= 60) throw e;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
}

export interface SqliteOptions {
  /** `NORMAL` survives a crash of the process (WAL); `FULL` also survives power loss, at an fsync per step. */
  synchronous?: 'NORMAL' | 'FULL';
  now?: () => number;
}

/**
 * How long a statement waits for another connection's write lock before it fails with SQLITE_BUSY. Short: the wait
 * blocks the event loop, so every other request waits with it; a busy database is answered with 503 and Retry-After
 * instead (server/http/error-handler.ts).
 */
export const BUSY_TIMEOUT_MS = 200;

/** The database cannot be used; `reason` says why in words an operator can act on (the start prints it). */
export class DatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot use the database ${file}: ${reason}`);
  }
}

/** An operator's reading of what SQLite (or the file system) said. */
function explain(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  const said = e instanceof Error ? e.message : String(e);
  if (typeof code !== 'string') return said;
  if (code === 'SQLITE_NOTADB') return `the file is not a SQLite database (${said})`;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS')
    return `the file is read-only; the server needs to write to it and to create files beside it (${said})`;
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM')
    return `the file or its folder cannot be opened for writing (${said})`;
  if (code.startsWith('SQLITE_CORRUPT')) return `the file is damaged (${said})`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return `another process holds a lock on it (${said})`;
  return `${said} (${code})`;
}

export function openDatabase(file: string, options: SqliteOptions = {}): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    // At start nothing is served yet, so waiting out another process's lock (a purge, a backup) costs no one.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    quickCheck(db, file);
    // Writes even when there is nothing to migrate: a read-only file fails here, not at the first step.
    migrate(db);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (e) {
    if (db?.open) db.close();
    throw e instanceof DatabaseError ? e : new DatabaseError(file, explain(e));
  }
}

/**
 * A damaged page would otherwise surface as a 500 on whichever request first reads it, maybe weeks later. Reads
 * every page once (about a second per 100 MB), at start only.
 */
function quickCheck(db: Database.Database, file: string) {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (e) {
    problems = [e instanceof Error ? e.message : String(e)];
  }
  if (problems.join() !== 'ok')
    throw new DatabaseError(file, `the file is damaged: PRAGMA quick_check found ${problems.slice(0, 3).join('; ').replace(/\s+/g, ' ')}`);
}

function migrate(db: Database.Database) {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length)
    throw new Error(`database schema ${current} is newer than this app knows (${migrations.length}); upgrade the app`);
  // A migration that rebuilds a table drops the old one: with foreign keys on, that drop would cascade (logins)
  // or fail (sessions). SQLite's way: keys off outside the transaction, every reference checked before the commit.
  // The pragma cannot change inside a transaction, hence here.
  db.pragma('foreign_keys = OFF');
  try {
    // IMMEDIATE: a deferred transaction that reads first and then writes fails at once (SQLITE_BUSY, no waiting)
    // when another process opening the same file committed in between; taking the write lock first waits instead.
    db.transaction(() => {
      for (let v = current; v < migrations.length; v++) db.exec(migrations[v]!);
      const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
      if (broken.length)
        throw new Error(`migration left ${broken.length} broken reference(s), e.g. ${broken[0]!.table} → ${broken[0]!.parent}`);
      db.pragma(`user_version = ${migrations.length}`);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Steps that arrive in the same turn of the event loop are written in one transaction, each in its
 * own savepoint (a failing step, such as a taken seq, rolls back alone), and every caller hears back only after
 * the COMMIT. An acknowledged step is therefore exactly as durable as before, while fifty concurrent participants
 * pay for one commit instead of fifty: the commit is most of what a step costs.
 */
function writeQueue(db: Database.Database) {
  let queue: Queued[] = [];
  const idle: (() => void)[] = [];
  const writeAll = db.transaction((batch: Queued[], results: { ok: boolean; value: unknown }[]) => {
    for (const item of batch) {
      try {
        results.push({ ok: true, value: item.work() });
      } catch (error) {
        results.push({ ok: false, value: error });
      }
    }
  });
  const flush = () => {
    const batch = queue;
    queue = [];
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      // IMMEDIATE for the same reason as in migrate(): steps read (the next seq) before they write.
      writeAll.immediate(batch, results);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    } finally {
      for (const done of idle.splice(0)) done();
    }
    batch.forEach((item, i) => (results[i]!.ok ? item.resolve(results[i]!.value) : item.reject(results[i]!.value)));
  };
  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (queue.push({ work, resolve: resolve as (v: unknown) => void, reject }) === 1) setImmediate(flush);
      });
    },
    /** Resolves once nothing is waiting to be written (before the database is closed). */
    drained(): Promise<void> {
      return queue.length === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
    },
  };
}

/** The store on the SQLite file `file`: what the app and every tool use. Its database handle stays inside. */
export function createSqliteStore(file: string, options: SqliteOptions = {}): Store {
  return openSqliteFile(file, options).store;
}

/**
 * The store and the connection it holds, for tests whose subject is the SQLite file itself (its pragmas, its write
 * queue, its migrations, a history seeded straight into it). The app never needs the handle.
 */
export function openSqliteFile(file: string, options: SqliteOptions = {}): { store: Store; db: Database.Database } {
  const db = openDatabase(file, options);
  const now = options.now ?? Date.now;

  const insertSession = db.prepare(
    `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, origin, snapshot, state, status,
       outcome, agent_id, taken_over_at, ticket_ref, created_at, updated_at, path)
     VALUES (@id, @ref, @flowId, @flowVersion, @lng, @audience, @channel, @origin, @snapshot, @state, 'active',
       NULL, @agentId, @takenOverAt, @ticketRef, @at, @at, '[0]')`,
  );
  const insertStep = db.prepare(
    `INSERT INTO steps (session_id, seq, state, event, data, snapshot, note, agent_id, prev_state, at)
     VALUES (@sessionId, @seq, @state, @event, @data, @snapshot, @note, @agentId, @prevState, @at)`,
  );
  const updateSession = db.prepare(
    `UPDATE sessions SET snapshot = @snapshot, state = @state, status = @status, outcome = @outcome,
       flow_version = @flowVersion, updated_at = @at, path = @path,
       finished_at = CASE WHEN @status = 'finished' THEN @at END WHERE id = @id`,
  );
  // A step between two active states changes none of the columns the period's covering indexes hold, so it names
  // none of them: SQLite then leaves those indexes alone (it rewrites an index whose column is SET, changed or not).
  const updateActiveSession = db.prepare(
    `UPDATE sessions SET snapshot = @snapshot, state = @state, flow_version = @flowVersion, updated_at = @at, path = @path
     WHERE id = @id AND status = 'active'`,
  );
  const selectSession = db.prepare<[string], SessionRow>(`SELECT *, ${LAST_SEQ} FROM sessions WHERE id = ?`);
  const selectSessionByRef = db.prepare<[string], SessionRow>(`SELECT *, ${LAST_SEQ} FROM sessions WHERE ref = ?`);
  const selectSteps = db.prepare<[string], StepRow>('SELECT * FROM steps WHERE session_id = ? ORDER BY seq');
  const selectFirstSteps = db.prepare<[string, number], StepRow>('SELECT * FROM steps WHERE session_id = ? ORDER BY seq LIMIT ?');
  const selectPath = db.prepare<[string], { path: string | null }>('SELECT path FROM sessions WHERE id = ?');
  // A step reads the rows on the path and no others; a path longer than the cap (only sessions stored before
  // there was one) is read from its end.
  const selectPathRows = db.prepare<{ id: string; path: string; max: number }, StepRow>(
    `SELECT * FROM steps WHERE session_id = @id
       AND seq IN (SELECT value FROM json_each(@path) WHERE key >= json_array_length(@path) - @max) ORDER BY seq`,
  );
  // Sessions stored before paths were kept: their path is worked out here, from the rows since the last start.
  // Each answer climbs one step (h + 1) and each Back comes down one; an answer stays on the path unless a later
  // Back comes down below it, i.e. unless the height after it ever drops under its own. Only those rows are read.
  const selectLegacyPathRows = db.prepare<{ id: string; max: number }, StepRow>(
    `SELECT * FROM steps WHERE session_id = @id AND seq IN (
       SELECT seq FROM (
         SELECT seq, event, h, min(h) OVER (ORDER BY seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS floor
         FROM (
           SELECT seq, event, sum(CASE WHEN event = 'BACK' THEN -1 ELSE 1 END) OVER (ORDER BY seq) AS h
           FROM steps WHERE session_id = @id AND seq >= coalesce(
             (SELECT max(seq) FROM steps WHERE session_id = @id AND event IN ('START', 'RESTART')), 0)
         )
       )
       WHERE event <> 'BACK' AND h = floor ORDER BY seq DESC LIMIT @max
     ) ORDER BY seq`,
  );
  // What every step starts from, in one statement: the session with the rows on its path as one JSON array (the
  // stored JSON texts put in as they are). A session with no path kept, from before paths were, reads its rows with
  // selectLegacyPathRows.
  const selectOpened = db.prepare<{ id: string; max: number }, SessionRow & { steps: string | null }>(
    `SELECT sessions.*, ${LAST_SEQ}, CASE WHEN path IS NOT NULL THEN (
       SELECT json_group_array(json_array(seq, state, event, json(data), json(snapshot), note, agent_id, at)) FROM (
         SELECT * FROM steps WHERE session_id = @id
           AND seq IN (SELECT value FROM json_each(sessions.path) WHERE key >= json_array_length(sessions.path) - @max)
         ORDER BY seq)) END AS steps
     FROM sessions WHERE id = @id`,
  );
  const pathRows = (id: string, path: string | null) =>
    (path === null
      ? selectLegacyPathRows.all({ id, max: MAX_STEPS_PER_SESSION })
      : selectPathRows.all({ id, path, max: MAX_STEPS_PER_SESSION })
    ).map(toStep);
  const updateLanguage = db.prepare('UPDATE sessions SET lng = ?, updated_at = ? WHERE id = ?');
  const insertFeedback = db.prepare(
    'INSERT INTO feedback (session_id, state, helpful, comment, at) VALUES (@sessionId, @state, @helpful, @comment, @at)',
  );
  const selectFeedback = db.prepare<[string], { state: string; helpful: number; comment: string | null; at: number }>(
    'SELECT state, helpful, comment, at FROM feedback WHERE session_id = ? ORDER BY id',
  );

  const stepParams = (sessionId: string, step: NewStep, at: number) => ({
    sessionId,
    seq: step.seq,
    state: step.state,
    event: step.event,
    data: step.data === undefined || step.data === null ? null : JSON.stringify(step.data),
    snapshot: JSON.stringify(step.snapshot),
    note: step.note ?? null,
    agentId: step.agentId ?? null,
    prevState: step.prevState ?? null,
    at,
  });

  // Keeps step_stats in step with steps: one upsert per step, in the step's own transaction.
  // `first`: whether the session had never been at this step before (by the steps_visit index); `first_move`:
  // whether it had never made this move (from prevState by event) to this step before, so Back and the same answer
  // again count once on the arrow, as on the step.
  const countStep = db.prepare(
    `INSERT INTO step_stats (day, flow_id, lng, channel, audience, prev_state, event, state, n, first, first_move)
     SELECT date(created_at / 1000, 'unixepoch'), flow_id, lng, channel, audience, @prevState, @event, @state, 1,
       NOT EXISTS (SELECT 1 FROM steps WHERE session_id = @sessionId AND state = @state AND seq < @seq),
       NOT EXISTS (SELECT 1 FROM steps WHERE session_id = @sessionId AND state = @state AND seq < @seq
         AND event = @event AND coalesce(prev_state, '') = @prevState)
     FROM sessions WHERE id = @sessionId
     ON CONFLICT DO UPDATE SET n = n + 1, first = first + excluded.first, first_move = first_move + excluded.first_move`,
  );
  const count = (sessionId: string, step: NewStep) =>
    countStep.run({ sessionId, prevState: step.prevState ?? '', event: step.event, state: step.state, seq: step.seq });

  const create = db.transaction((session: NewSession, first: NewStep, at: number) => {
    try {
      insertSession.run({
        ...session,
        snapshot: JSON.stringify(session.snapshot),
        state: session.snapshot.value,
        agentId: session.agentId ?? null,
        takenOverAt: session.agentId ? at : null,
        ticketRef: session.ticketRef ?? null,
        at,
      });
    } catch (e) {
      if (isUniqueViolation(e) && selectSessionByRef.get(session.ref)) throw new RefTakenError(session.ref);
      throw e;
    }
    insertStep.run(stepParams(session.id, first, at));
    count(session.id, first);
  });

  const updateNote = db.prepare('UPDATE steps SET note = @note WHERE session_id = @sessionId AND seq = @seq');
  const selectNote = db.prepare<[string, number], { note: string | null }>('SELECT note FROM steps WHERE session_id = ? AND seq = ?');
  const insertNoteVersion = db.prepare(
    `INSERT INTO notes (session_id, seq, version, text, agent_id, at)
     VALUES (@sessionId, @seq, (SELECT coalesce(max(version), 0) + 1 FROM notes WHERE session_id = @sessionId AND seq = @seq),
       @text, @agentId, @at)`,
  );
  const selectNotes = db.prepare<[string, number], NoteRow>(
    `SELECT * FROM (SELECT seq, version, text, agent_id, at FROM notes WHERE session_id = ? ORDER BY at DESC, seq DESC, version DESC LIMIT ?)
     ORDER BY seq, version`,
  );
  /**
   * A note that differs from the step's current one becomes its current text and a new version under its author;
   * the same text again (the note field is filled with the current note) changes nothing.
   */
  const saveNote = (sessionId: string, note: StepNote, at: number) => {
    const current = selectNote.get(sessionId, note.seq);
    if (!current || (current.note ?? '') === note.note) return;
    updateNote.run({ sessionId, seq: note.seq, note: note.note });
    insertNoteVersion.run({ sessionId, seq: note.seq, text: note.note, agentId: note.agentId ?? null, at });
  };
  const setNoteNow = db.transaction(saveNote);
  const append = db.transaction((sessionId: string, step: NewStep, change: SessionChange, at: number, note?: StepNote) => {
    try {
      insertStep.run(stepParams(sessionId, step, at));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StepConflictError(sessionId, step.seq);
      throw e;
    }
    count(sessionId, step);
    const moved = {
      id: sessionId,
      snapshot: JSON.stringify(change.snapshot),
      state: change.snapshot.value,
      flowVersion: change.flowVersion,
      path: JSON.stringify(change.path),
      at,
    };
    // From an outcome (Back) or to one, the status changes: the full update.
    if (change.status !== 'active' || updateActiveSession.run(moved).changes === 0)
      updateSession.run({ ...moved, status: change.status, outcome: change.outcome });
    if (change.takenBy !== undefined) assign.run({ id: sessionId, agentId: change.takenBy, at });
    if (note) saveNote(sessionId, note, at);
  });

  const assign = db.prepare(
    `UPDATE sessions SET agent_id = @agentId, taken_over_at = @at, updated_at = @at
     WHERE id = @id AND agent_id IS NOT @agentId`,
  );
  const insertAgent = db.prepare(
    `INSERT INTO agents (email, name, role, languages, password_hash, created_at)
     VALUES (@email, @name, @role, @languages, @passwordHash, @at) RETURNING *`,
  );
  const selectAgentByEmail = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE email = ?');
  const selectAgents = db.prepare<[], AgentRow>('SELECT * FROM agents ORDER BY role DESC, name');
  const updateAgentPassword = db.prepare('UPDATE agents SET password_hash = ? WHERE id = ?');
  const removeAgentLogins = db.prepare('DELETE FROM logins WHERE agent_id = ?');
  const deleteAgent = db.prepare('DELETE FROM agents WHERE id = ?');
  /** Whether any record names the agent: then deleting the row would break (or, with foreign keys, refuse) history. */
  const agentHistory = db.prepare<[number, number, number, number, number, number], { n: number }>(
    `SELECT (SELECT count(*) FROM sessions WHERE agent_id = ?) + (SELECT count(*) FROM steps WHERE agent_id = ?)
          + (SELECT count(*) FROM notes WHERE agent_id = ?) + (SELECT count(*) FROM flow_versions WHERE published_by = ?)
          + (SELECT count(*) FROM drafts WHERE created_by = ?) + (SELECT count(*) FROM audit_log WHERE agent_id = ?) AS n`,
  );
  const setPassword = db.transaction((email: string, hash: string): boolean => {
    const agent = selectAgentByEmail.get(email.trim());
    if (!agent) return false;
    updateAgentPassword.run(hash, agent.id);
    removeAgentLogins.run(agent.id);
    return true;
  });
  const removeAgentNow = db.transaction((email: string): 'deleted' | 'kept' | 'missing' => {
    const agent = selectAgentByEmail.get(email.trim());
    if (!agent) return 'missing';
    removeAgentLogins.run(agent.id);
    const id = agent.id;
    if (agentHistory.get(id, id, id, id, id, id)!.n > 0) {
      updateAgentPassword.run(REMOVED_PASSWORD, id);
      return 'kept';
    }
    deleteAgent.run(id);
    return 'deleted';
  });
  const insertLogin = db.prepare(
    'INSERT INTO logins (token_hash, agent_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  const selectLogin = db.prepare<[string, number], AgentRow & { csrf: string; expires_at: number }>(
    `SELECT a.*, l.csrf, l.expires_at FROM logins l JOIN agents a ON a.id = l.agent_id
     WHERE l.token_hash = ? AND l.expires_at > ?`,
  );
  const removeLogin = db.prepare('DELETE FROM logins WHERE token_hash = ?');
  const removeExpiredLogins = db.prepare('DELETE FROM logins WHERE expires_at <= ?');

  const selectAttempts = db.prepare<[string, number], { at: number; pending: number }>(
    'SELECT at, pending FROM attempts WHERE key = ? AND at > ? ORDER BY at',
  );
  const insertAttempt = db.prepare('INSERT INTO attempts (key, at, attempt, pending) VALUES (?, ?, ?, 1)');
  const failAttempt = db.prepare('UPDATE attempts SET pending = 0, at = ? WHERE attempt = ?');
  const removeAttempt = db.prepare('DELETE FROM attempts WHERE attempt = ?');
  const removeOldAttempts = db.prepare('DELETE FROM attempts WHERE at < ?');
  const reserve = db.transaction((attempt: string, limits: readonly AttemptLimit[], at: number): AttemptReservation => {
    removeOldAttempts.run(at - KEEP_ATTEMPTS_MS);
    let until = 0;
    let wait = false;
    for (const { key, limit, windowMs } of limits) {
      const rows = selectAttempts.all(key, at - windowMs);
      const failed = rows.filter((r) => r.pending === 0);
      const inFlight = rows.filter((r) => r.pending === 1 && r.at > at - PENDING_TTL_MS).length;
      // Blocked until enough failures have left the window for one more to fit.
      if (failed.length >= limit) until = Math.max(until, failed[failed.length - limit]!.at + windowMs);
      else if (failed.length + inFlight >= limit) wait = true;
    }
    if (until) return { status: 'blocked', until };
    if (wait) return { status: 'wait' };
    for (const { key } of limits) insertAttempt.run(key, at, attempt);
    return { status: 'reserved' };
  });

  // Guides and their versions. Lists leave the documents out: a document is tens of kilobytes, a list row is not.
  const selectLatestNumber = db.prepare<[string], { n: number | null }>('SELECT max(number) AS n FROM flow_versions WHERE flow_id = ?');
  const insertVersion = db.prepare(
    `INSERT INTO flow_versions (flow_id, number, hash, document, note, published_by, via, published_at, origins)
     VALUES (@flowId, @number, @hash, @document, @note, @agentId, @via, @at, @origins)`,
  );
  const selectVersion = db.prepare<[string, number], VersionRow>('SELECT * FROM flow_versions WHERE flow_id = ? AND number = ?');
  const selectVersionByHash = db.prepare<[string, string], VersionRow>(
    'SELECT * FROM flow_versions WHERE flow_id = ? AND hash = ? ORDER BY number DESC LIMIT 1',
  );
  const selectVersions = db.prepare<[string], VersionRow>(`SELECT ${VERSION_SUMMARY} FROM flow_versions WHERE flow_id = ? ORDER BY number DESC`);
  const LATEST = 'number = (SELECT max(number) FROM flow_versions l WHERE l.flow_id = flow_versions.flow_id)';
  const selectLatestSummaries = db.prepare<[], VersionRow>(`SELECT ${VERSION_SUMMARY} FROM flow_versions WHERE ${LATEST} ORDER BY flow_id`);
  const selectLatestVersions = db.prepare<[], VersionRow>(`SELECT * FROM flow_versions WHERE ${LATEST} ORDER BY flow_id`);
  const selectMark = db.prepare<[], { mark: number | null }>('SELECT max(rowid) AS mark FROM flow_versions');
  const selectSince = db.prepare<[number], VersionRow & { mark: number }>(
    'SELECT rowid AS mark, * FROM flow_versions WHERE rowid > ? ORDER BY rowid',
  );
  const insertDraft = db.prepare(
    `INSERT INTO drafts (flow_id, hash, document, created_by, created_at, base_version, origins, updated_by, updated_at)
     VALUES (@flowId, @hash, @document, @createdBy, @at, @baseVersion, @origins, @createdBy, @at)
     RETURNING *`,
  );
  const selectDraft = db.prepare<[number], DraftRow>('SELECT * FROM drafts WHERE id = ?');
  const updateDraft = db.prepare(
    `UPDATE drafts SET hash = @hash, document = @document, origins = @origins, revision = revision + 1, updated_by = @agentId, updated_at = @at
     WHERE id = @id AND revision = @ifRevision AND status = 'open' RETURNING *`,
  );
  const closeDraft = db.prepare<[DraftStatus, number], DraftRow>(`UPDATE drafts SET status = ? WHERE id = ? AND status = 'open' RETURNING *`);
  const selectOpenDrafts = db.prepare<[], DraftRow>(`SELECT ${DRAFT_SUMMARY} FROM drafts WHERE status = 'open' ORDER BY updated_at DESC, id DESC`);
  const selectOpenDraftsOf = db.prepare<[string], DraftRow>(
    `SELECT ${DRAFT_SUMMARY} FROM drafts WHERE status = 'open' AND flow_id = ? ORDER BY updated_at DESC, id DESC`,
  );
  const updatePreviewToken = db.prepare<[string, number]>('UPDATE drafts SET preview_token = ? WHERE id = ?');
  const selectDraftByPreview = db.prepare<[string], DraftRow>('SELECT * FROM drafts WHERE preview_token = ?');
  const upsertPending = db.prepare(
    `INSERT INTO pending_updates (flow_id, hash, document, found_at) VALUES (@flowId, @hash, @document, @at)
     ON CONFLICT (flow_id) DO UPDATE SET hash = excluded.hash, document = excluded.document, found_at = excluded.found_at`,
  );
  // A published version that has the pending content (or a later release's) leaves nothing to review.
  const removePendingIfPublished = db.prepare('DELETE FROM pending_updates WHERE flow_id = ? AND hash = ?');
  const selectPending = db.prepare<[], PendingRow>(
    'SELECT * FROM pending_updates ORDER BY flow_id',
  );
  const selectPendingOf = db.prepare<[string], PendingRow>(
    'SELECT * FROM pending_updates WHERE flow_id = ?',
  );
  const upsertSeen = db.prepare(
    `INSERT INTO builtin_seen (flow_id, hash, seen_at) VALUES (?, ?, ?)
     ON CONFLICT (flow_id) DO UPDATE SET hash = excluded.hash, seen_at = excluded.seen_at`,
  );
  const selectSeen = db.prepare<[string], { hash: string }>('SELECT hash FROM builtin_seen WHERE flow_id = ?');
  const insertAudit = db.prepare(
    `INSERT INTO audit_log (at, agent_id, via, action, flow_id, from_version, to_version, draft_id, note)
     VALUES (@at, @agentId, @via, @action, @flowId, @fromVersion, @toVersion, @draftId, @note)`,
  );
  const selectAudit = db.prepare<[number, number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?');
  const selectFlowAudit = db.prepare<[string, number, number], AuditRow>(
    'SELECT * FROM audit_log WHERE flow_id = ? ORDER BY id DESC LIMIT ? OFFSET ?',
  );
  const audit = (entry: Omit<AuditRecord, 'id' | 'agentId' | 'via'> & { actor: Actor }) =>
    insertAudit.run({
      at: entry.at,
      agentId: entry.actor.agentId,
      via: entry.actor.via,
      action: entry.action,
      flowId: entry.flowId,
      fromVersion: entry.fromVersion,
      toVersion: entry.toVersion,
      draftId: entry.draftId,
      note: entry.note,
    });

  /** The next number, taken inside the caller's transaction (BEGIN IMMEDIATE: no other process writes meanwhile). */
  const storeVersion = (v: NewVersion, at: number): FlowVersionRecord => {
    const latest = selectLatestNumber.get(v.flowId)?.n ?? null;
    if (v.ifLatest !== undefined && v.ifLatest !== latest) throw new VersionConflictError(v.flowId, latest);
    const number = (latest ?? 0) + 1;
    insertVersion.run({
      flowId: v.flowId,
      number,
      hash: v.hash,
      document: JSON.stringify(v.document),
      note: v.note,
      agentId: v.actor.agentId,
      via: v.actor.via,
      at,
      origins: JSON.stringify(v.origins ?? {}),
    });
    removePendingIfPublished.run(v.flowId, v.hash);
    // The draft becomes this version: it is closed, so nobody goes on editing what is already out.
    if (v.draftId !== undefined) closeDraft.run('published', v.draftId);
    audit({ at, actor: v.actor, action: v.action, flowId: v.flowId, fromVersion: latest, toVersion: number, draftId: v.draftId ?? null, note: v.note });
    return newVersionRecord(v, number, at);
  };
  const publish = db.transaction(storeVersion);
  const applyBuiltin = db.transaction((d: BuiltinDecision, at: number): FlowVersionRecord | undefined => {
    const SYSTEM: Actor = { agentId: null, via: 'release' };
    if (d.kind === 'publish') {
      upsertSeen.run(d.version.flowId, d.version.hash, at);
      return storeVersion({ ...d.version, action: 'publish' }, at);
    }
    if (d.kind === 'pending') {
      const { flowId, hash } = d.pending;
      upsertSeen.run(flowId, hash, at);
      upsertPending.run({ flowId, hash, document: JSON.stringify(d.pending.document), at });
      audit({ at, actor: SYSTEM, action: 'pending', flowId, fromVersion: d.fromVersion, toVersion: null, draftId: null, note: null });
      return undefined;
    }
    upsertSeen.run(d.flowId, d.hash, at);
    return undefined;
  });
  const createDraft = db.transaction((draft: NewDraft, entry: { actor: Actor; action: 'draft' | 'import'; note: string | null }, at: number) => {
    const latest = selectLatestNumber.get(draft.flowId)?.n ?? null;
    const row = insertDraft.get({
      flowId: draft.flowId,
      hash: draft.hash,
      document: JSON.stringify(draft.document),
      createdBy: draft.createdBy,
      at,
      baseVersion: draft.baseVersion === undefined ? latest : draft.baseVersion,
      origins: JSON.stringify(draft.origins ?? {}),
    }) as DraftRow;
    audit({ at, actor: entry.actor, action: entry.action, flowId: draft.flowId, fromVersion: latest, toVersion: null, draftId: row.id, note: entry.note });
    return toDraft(row);
  });
  const saveDraft = db.transaction((id: number, save: DraftSave, at: number) => {
    const row = updateDraft.get({
      id,
      ifRevision: save.ifRevision,
      hash: save.hash,
      document: JSON.stringify(save.document),
      origins: JSON.stringify(save.origins),
      agentId: save.actor.agentId,
      at,
    }) as DraftRow | undefined;
    if (!row) {
      const current = selectDraft.get(id);
      if (!current) return undefined;
      throw new DraftConflictError(toDraft(current));
    }
    const latest = selectLatestNumber.get(row.flow_id)?.n ?? null;
    audit({ at, actor: save.actor, action: 'edit', flowId: row.flow_id, fromVersion: latest, toVersion: null, draftId: id, note: save.note });
    return toDraft(row);
  });
  const discardDraft = db.transaction((id: number, actor: Actor, at: number) => {
    const row = closeDraft.get('discarded', id);
    if (!row) {
      const current = selectDraft.get(id);
      if (!current) return undefined;
      throw new DraftConflictError(toDraft(current));
    }
    const latest = selectLatestNumber.get(row.flow_id)?.n ?? null;
    audit({ at, actor, action: 'discard', flowId: row.flow_id, fromVersion: latest, toVersion: null, draftId: id, note: null });
    return toDraft(row);
  });

  const analytics = createAnalytics(db);
  const writes = writeQueue(db);
  // The schema's first page: whatever else is cached, a closed, locked or unreadable database fails this.
  const probe = db.prepare('SELECT count(*) FROM sqlite_schema');


  const store: Store = {
    async createSession(session, first) {
      const at = now();
      await writes.run(() => create(session, first, at));
      return newSessionRecord(session, at);
    },
    async getSession(id) {
      const row = selectSession.get(id);
      return row && toSession(row);
    },
    async getSessionByRef(ref) {
      const row = selectSessionByRef.get(ref);
      return row && toSession(row);
    },
    async listSteps(sessionId, limit) {
      return (limit === undefined ? selectSteps.all(sessionId) : selectFirstSteps.all(sessionId, limit)).map(toStep);
    },
    async listPath(sessionId) {
      const head = selectPath.get(sessionId);
      return head ? pathRows(sessionId, head.path) : [];
    },
    async openSession(id) {
      const row = selectOpened.get({ id, max: MAX_STEPS_PER_SESSION });
      if (!row) return undefined;
      const path = row.steps === null ? pathRows(id, null) : (JSON.parse(row.steps) as OpenedStep[]).map((r) => openedStep(id, r));
      return { session: toSession(row), path };
    },
    async appendStep(sessionId, step, change, note) {
      const at = now();
      await writes.run(() => append(sessionId, step, change, at, note));
    },
    async setNote(sessionId, note) {
      const at = now();
      await writes.run(() => setNoteNow(sessionId, note, at));
    },
    async listNotes(sessionId, limit) {
      return selectNotes.all(sessionId, limit).map(toNote);
    },
    async assignAgent(sessionId, agentId) {
      assign.run({ id: sessionId, agentId, at: now() });
    },
    async listSessions(filter) {
      const { where, params } = sessionWhere(filter, () => '?');
      const total = (db.prepare(`SELECT count(*) AS n FROM sessions ${where}`).get(...params) as { n: number }).n;
      const rows = db
        .prepare(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
        .all(...params, filter.limit, filter.offset) as SessionRow[];
      return { sessions: rows.map((r) => toSession({ ...r, last_seq: null })), total };
    },
    handoffs: createHandoffStore(db, now, whenFree),
    analytics: async (filter) => analytics.figures(filter),
    exportSessions: (filter) => analytics.sessionRows(filter),
    exportSteps: (filter) => analytics.stepRows(filter),
    async purgeSessions(before) {
      return db.transaction(() => {
        // Figures go with the sessions they count: whole days before the cut-off's day.
        db.prepare("DELETE FROM step_stats WHERE day < date(? / 1000, 'unixepoch')").run(before);
        return db.prepare('DELETE FROM sessions WHERE created_at < ?').run(before).changes;
      })();
    },
    async purgeText(before) {
      return db.transaction(() => {
        const comments = db
          .prepare(
            `UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL
             AND session_id IN (SELECT id FROM sessions WHERE created_at < ?)`,
          )
          .run(before).changes;
        const notes = db
          .prepare(
            `UPDATE steps SET note = NULL WHERE note IS NOT NULL
             AND session_id IN (SELECT id FROM sessions WHERE created_at < ?)`,
          )
          .run(before).changes;
        // Earlier versions of the notes go too: emptied text must not live on in a transcript.
        db.prepare('DELETE FROM notes WHERE session_id IN (SELECT id FROM sessions WHERE created_at < ?)').run(before);
        // A hand-off's request (what the person wrote, their address and name) and its transcripts, which hold the
        // notes; the steps and answers stay, as the figures do.
        const handoffs = db
          .prepare(
            `UPDATE handoffs SET story = json_set(story, '$.message', '', '$.email', NULL, '$.name', NULL, '$.transcriptText', '', '$.transcriptMarkdown', '')
             WHERE session_id IN (SELECT id FROM sessions WHERE created_at < ?)
               AND (json_extract(story, '$.message') <> '' OR json_extract(story, '$.email') IS NOT NULL OR json_extract(story, '$.transcriptText') <> '')`,
          )
          .run(before).changes;
        return comments + notes + handoffs;
      })();
    },
    async publishVersion(version) {
      return whenFree(() => publish.immediate(version, now()));
    },
    async listLatestVersions() {
      return selectLatestSummaries.all().map(toSummary);
    },
    async listVersions(flowId) {
      return selectVersions.all(flowId).map(toSummary);
    },
    async getVersion(flowId, number) {
      const n = number ?? selectLatestNumber.get(flowId)?.n;
      const row = n === null || n === undefined ? undefined : selectVersion.get(flowId, n);
      return row && toVersion(row);
    },
    async getVersionByHash(flowId, hash) {
      const row = selectVersionByHash.get(flowId, hash);
      return row && toVersion(row);
    },
    async versionsMark() {
      return selectMark.get()?.mark ?? 0;
    },
    async versionsSince(mark) {
      const rows = selectSince.all(mark);
      return { mark: rows.at(-1)?.mark ?? mark, versions: rows.map(toVersion) };
    },
    async latestVersions() {
      return selectLatestVersions.all().map(toVersion);
    },
    async createDraft(draft, entry) {
      return whenFree(() => createDraft.immediate(draft, entry, now()));
    },
    async getDraft(id) {
      const row = selectDraft.get(id);
      return row && toDraft(row);
    },
    async saveDraft(id, save) {
      const saved = await whenFree(() => saveDraft.immediate(id, save, now()));
      if (!saved) throw new Error(`there is no draft ${id}`);
      return saved;
    },
    async discardDraft(id, actor) {
      const closed = await whenFree(() => discardDraft.immediate(id, actor, now()));
      if (!closed) throw new Error(`there is no draft ${id}`);
      return closed;
    },
    async listDrafts(flowId) {
      return (flowId === undefined ? selectOpenDrafts.all() : selectOpenDraftsOf.all(flowId)).map(toDraftSummary);
    },
    async setPreviewToken(id, tokenHash) {
      await whenFree(() => updatePreviewToken.run(tokenHash, id));
    },
    async getDraftByPreviewToken(tokenHash) {
      const row = selectDraftByPreview.get(tokenHash);
      return row && toDraft(row);
    },
    async listPendingUpdates() {
      return selectPending.all().map(toPending);
    },
    async getPendingUpdate(flowId) {
      const row = selectPendingOf.get(flowId);
      return row && toPending(row);
    },
    async builtinSeen(flowId) {
      return selectSeen.get(flowId)?.hash;
    },
    async applyBuiltin(decision) {
      return whenFree(() => applyBuiltin.immediate(decision, now()));
    },
    async listAudit({ flowId, limit, offset }) {
      const rows = flowId === undefined ? selectAudit.all(limit, offset) : selectFlowAudit.all(flowId, limit, offset);
      return rows.map(toAudit);
    },
    async createAgent(agent) {
      return toAgent(insertAgent.get({ ...agent, languages: JSON.stringify(agent.languages ?? []), at: now() }) as AgentRow);
    },
    async findAgentByEmail(email) {
      const row = selectAgentByEmail.get(email.trim());
      return row && toAgent(row);
    },
    async listAgents() {
      return selectAgents.all().map(toAgent);
    },
    async setAgentPassword(email, passwordHash) {
      return writes.run(() => setPassword(email, passwordHash));
    },
    async removeAgent(email) {
      return writes.run(() => removeAgentNow(email));
    },
    async createLogin(tokenHash, agentId, csrf, expiresAt) {
      removeExpiredLogins.run(now());
      insertLogin.run(tokenHash, agentId, csrf, now(), expiresAt);
    },
    async getLogin(tokenHash) {
      const row = selectLogin.get(tokenHash, now());
      return row && { agent: toAgent(row), csrf: row.csrf, expiresAt: row.expires_at };
    },
    async deleteLogin(tokenHash) {
      removeLogin.run(tokenHash);
    },
    async reserveAttempt(attempt, limits) {
      const at = now();
      return writes.run(() => reserve(attempt, limits, at));
    },
    async settleAttempt(attempt, failed) {
      const at = now();
      await writes.run(() => (failed ? failAttempt.run(at, attempt) : removeAttempt.run(attempt)));
    },
    async setLanguage(sessionId, lng) {
      updateLanguage.run(lng, now(), sessionId);
    },
    async addFeedback(sessionId, feedback: Feedback) {
      try {
        insertFeedback.run({ sessionId, state: feedback.state, helpful: feedback.helpful ? 1 : 0, comment: feedback.comment, at: now() });
      } catch (e) {
        if (isUniqueViolation(e)) throw new FeedbackGivenError(sessionId, feedback.state);
        throw e;
      }
    },
    async listFeedback(sessionId) {
      return selectFeedback.all(sessionId).map((r) => ({ state: r.state, helpful: r.helpful === 1, comment: r.comment, at: r.at }));
    },
    async ping() {
      probe.get();
    },
    async close() {
      await writes.drained();
      if (db.open) db.close();
    },
  };
  return { store, db };
}
