import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Outcome } from '../../flows/types.ts';
import { migrations } from './migrations.ts';
import {
  RefTakenError,
  StepConflictError,
  type Feedback,
  type NewSession,
  type NewStep,
  type SessionChange,
  type SessionRecord,
  type StepRecord,
  type Store,
} from './types.ts';

interface SessionRow {
  id: string;
  ref: string;
  flow_id: string;
  flow_version: string;
  lng: string;
  audience: SessionRecord['audience'];
  channel: SessionRecord['channel'];
  origin: string | null;
  snapshot: string;
  status: SessionRecord['status'];
  outcome: Outcome | null;
  agent_id: number | null;
  created_at: number;
  updated_at: number;
}

interface StepRow {
  session_id: string;
  seq: number;
  state: string;
  event: string;
  data: string | null;
  snapshot: string;
  note: string | null;
  at: number;
}

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  ref: r.ref,
  flowId: r.flow_id,
  flowVersion: r.flow_version,
  lng: r.lng,
  audience: r.audience,
  channel: r.channel,
  origin: r.origin,
  snapshot: JSON.parse(r.snapshot),
  status: r.status,
  outcome: r.outcome,
  agentId: r.agent_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toStep = (r: StepRow): StepRecord => ({
  sessionId: r.session_id,
  seq: r.seq,
  state: r.state,
  event: r.event,
  data: r.data === null ? null : JSON.parse(r.data),
  snapshot: JSON.parse(r.snapshot),
  note: r.note,
  at: r.at,
});

const isUniqueViolation = (e: unknown) =>
  e instanceof Error && 'code' in e && (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE');

export interface SqliteOptions {
  /** `NORMAL` survives a crash of the process (WAL); `FULL` also survives power loss, at an fsync per step. */
  synchronous?: 'NORMAL' | 'FULL';
  now?: () => number;
}

export function openDatabase(file: string, options: SqliteOptions = {}): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Database.Database) {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length)
    throw new Error(`database schema ${current} is newer than this app knows (${migrations.length}); upgrade the app`);
  db.transaction(() => {
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]!);
    db.pragma(`user_version = ${migrations.length}`);
  })();
}

export function createSqliteStore(file: string, options: SqliteOptions = {}): Store & { db: Database.Database } {
  const db = openDatabase(file, options);
  const now = options.now ?? Date.now;

  const insertSession = db.prepare(
    `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, origin, snapshot, state, status,
       outcome, agent_id, created_at, updated_at)
     VALUES (@id, @ref, @flowId, @flowVersion, @lng, @audience, @channel, @origin, @snapshot, @state, 'active',
       NULL, NULL, @at, @at)`,
  );
  const insertStep = db.prepare(
    `INSERT INTO steps (session_id, seq, state, event, data, snapshot, note, at)
     VALUES (@sessionId, @seq, @state, @event, @data, @snapshot, @note, @at)`,
  );
  const updateSession = db.prepare(
    `UPDATE sessions SET snapshot = @snapshot, state = @state, status = @status, outcome = @outcome,
       flow_version = @flowVersion, updated_at = @at WHERE id = @id`,
  );
  const selectSession = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?');
  const selectSessionByRef = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE ref = ?');
  const selectSteps = db.prepare<[string], StepRow>('SELECT * FROM steps WHERE session_id = ? ORDER BY seq');
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
    at,
  });

  const create = db.transaction((session: NewSession, first: NewStep, at: number) => {
    try {
      insertSession.run({ ...session, snapshot: JSON.stringify(session.snapshot), state: session.snapshot.value, at });
    } catch (e) {
      if (isUniqueViolation(e) && selectSessionByRef.get(session.ref)) throw new RefTakenError(session.ref);
      throw e;
    }
    insertStep.run(stepParams(session.id, first, at));
  });

  const append = db.transaction((sessionId: string, step: NewStep, change: SessionChange, at: number) => {
    try {
      insertStep.run(stepParams(sessionId, step, at));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StepConflictError(sessionId, step.seq);
      throw e;
    }
    updateSession.run({
      id: sessionId,
      snapshot: JSON.stringify(change.snapshot),
      state: change.snapshot.value,
      status: change.status,
      outcome: change.outcome,
      flowVersion: change.flowVersion,
      at,
    });
  });

  return {
    db,
    async createSession(session, first) {
      const at = now();
      create(session, first, at);
      return { ...session, status: 'active', outcome: null, agentId: null, createdAt: at, updatedAt: at };
    },
    async getSession(id) {
      const row = selectSession.get(id);
      return row && toSession(row);
    },
    async getSessionByRef(ref) {
      const row = selectSessionByRef.get(ref);
      return row && toSession(row);
    },
    async listSteps(sessionId) {
      return selectSteps.all(sessionId).map(toStep);
    },
    async appendStep(sessionId, step, change) {
      append(sessionId, step, change, now());
    },
    async setLanguage(sessionId, lng) {
      updateLanguage.run(lng, now(), sessionId);
    },
    async addFeedback(sessionId, feedback: Feedback) {
      insertFeedback.run({ sessionId, state: feedback.state, helpful: feedback.helpful ? 1 : 0, comment: feedback.comment, at: now() });
    },
    async listFeedback(sessionId) {
      return selectFeedback.all(sessionId).map((r) => ({ state: r.state, helpful: r.helpful === 1, comment: r.comment, at: r.at }));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
