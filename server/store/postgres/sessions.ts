import {
  type Feedback,
  FeedbackGivenError,
  MAX_STEPS_PER_SESSION,
  type NewSession,
  type NewStep,
  RefTakenError,
  StepConflictError,
  type StepNote,
  type Store,
} from '../types.ts';
import { type NoteRow, type SessionRow, type StepRow, LAST_SEQ, newSessionRecord, sessionWhere, toNote, toSession, toStep } from '../rows.ts';
import { type Db, isRetryable, isUniqueViolation } from './db.ts';

/** What this part of the store does: sessions, their transcripts, paths, notes and feedback, and their retention. */
export type SessionsPart = Pick<
  Store,
  | 'createSession'
  | 'getSession'
  | 'getSessionByRef'
  | 'listSteps'
  | 'listPath'
  | 'openSession'
  | 'appendStep'
  | 'setNote'
  | 'listNotes'
  | 'assignAgent'
  | 'listSessions'
  | 'purgeSessions'
  | 'purgeText'
  | 'setLanguage'
  | 'addFeedback'
  | 'listFeedback'
>;

/** SQLite's `date(ms / 1000, 'unixepoch')`: the UTC day of a time in ms, as step_stats keys it. */
const utcDay = (ms: string) => `to_char(to_timestamp(${ms} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

// Sessions stored before paths were kept: the same reading of the rows since the last start as SQLite's (see there).
const LEGACY_PATH = `SELECT * FROM steps WHERE session_id = $1 AND seq IN (
    SELECT seq FROM (
      SELECT seq, event, h, min(h) OVER (ORDER BY seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS floor
      FROM (
        SELECT seq, event, sum(CASE WHEN event = 'BACK' THEN -1 ELSE 1 END) OVER (ORDER BY seq) AS h
        FROM steps WHERE session_id = $1 AND seq >= coalesce(
          (SELECT max(seq) FROM steps WHERE session_id = $1 AND event IN ('START', 'RESTART')), 0)
      ) heights
    ) floors
    WHERE event <> 'BACK' AND h = floor ORDER BY seq DESC LIMIT $2
  ) ORDER BY seq`;

/**
 * A session with the rows on its path, as JSON (null for a session stored before paths were kept). The last
 * MAX_STEPS_PER_SESSION ($2) entries of the path, as pathRows reads them.
 */
const OPEN_SESSION = `SELECT *, ${LAST_SEQ}, CASE WHEN path IS NULL THEN NULL ELSE (
    SELECT coalesce(json_agg(st ORDER BY st.seq), '[]'::json) FROM steps st
    WHERE st.session_id = sessions.id AND st.seq IN (
      SELECT e.value::int FROM json_array_elements_text(sessions.path::json) WITH ORDINALITY AS e(value, i)
      WHERE e.i > json_array_length(sessions.path::json) - $2)
  ) END AS path_rows
  FROM sessions WHERE id = $1`;

/**
 * A step without a note in one statement, so one round trip and its own transaction: the row ($1-$10), the session's
 * new state ($11-$16, and the agent taking it over, $17), and its count in step_stats. The session is updated from
 * the inserted row, so the row's key is taken before the session's lock, in the order a transaction would take them;
 * a taken seq fails the whole statement.
 */
const APPEND_STEP = `WITH ins AS (
    INSERT INTO steps (session_id, seq, state, event, data, snapshot, note, agent_id, prev_state, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING session_id
  ), upd AS (
    UPDATE sessions SET snapshot = $11, state = $12, status = $13, outcome = $14, flow_version = $15, updated_at = $10,
      path = $16, finished_at = CASE WHEN $13 = 'finished' THEN $10::bigint END,
      agent_id = CASE WHEN $17::bigint IS NOT NULL THEN $17::bigint ELSE agent_id END,
      taken_over_at = CASE WHEN $17::bigint IS NOT NULL AND agent_id IS DISTINCT FROM $17::bigint THEN $10::bigint ELSE taken_over_at END
    FROM ins WHERE sessions.id = ins.session_id RETURNING sessions.id
  )
  INSERT INTO step_stats (day, flow_id, lng, channel, audience, prev_state, event, state, n, first, first_move)
  SELECT ${utcDay('s.created_at')}, s.flow_id, s.lng, s.channel, s.audience, coalesce($9, ''), $4, $3, 1,
    (NOT EXISTS (SELECT 1 FROM steps WHERE session_id = $1 AND state = $3 AND seq < $2))::int,
    (NOT EXISTS (SELECT 1 FROM steps WHERE session_id = $1 AND state = $3 AND seq < $2
      AND event = $4 AND coalesce(prev_state, '') = coalesce($9, '')))::int
  FROM sessions s JOIN upd ON upd.id = s.id
  ON CONFLICT (day, flow_id, lng, channel, audience, prev_state, event, state) DO UPDATE
    SET n = step_stats.n + 1, first = step_stats.first + excluded.first, first_move = step_stats.first_move + excluded.first_move`;

/** Text compared byte by byte, as SQLite does: the database's collation may order ids otherwise. */
const BINARY = 'COLLATE "C"';

/**
 * The right to purge until the transaction ends: a transaction-scoped advisory lock taken without waiting. False when
 * another instance is purging now (its purge covers the same rows).
 */
async function retentionLease(q: Db): Promise<boolean> {
  const row = await q.one<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('mailhelp:retention')) AS ok");
  return row?.ok === true;
}

export function sessionsPart(db: Db, now: () => number = Date.now): SessionsPart {
  const stepParams = (sessionId: string, step: NewStep, at: number) => [
    sessionId,
    step.seq,
    step.state,
    step.event,
    step.data === undefined || step.data === null ? null : JSON.stringify(step.data),
    JSON.stringify(step.snapshot),
    step.note ?? null,
    step.agentId ?? null,
    step.prevState ?? null,
    at,
  ];
  const insertStep = (q: Db, sessionId: string, step: NewStep, at: number) =>
    q.query(
      `INSERT INTO steps (session_id, seq, state, event, data, snapshot, note, agent_id, prev_state, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      stepParams(sessionId, step, at),
    );

  // step_stats in step with steps, as SQLite keeps it: one upsert per step, in the step's own transaction.
  const count = (q: Db, sessionId: string, step: NewStep) =>
    q.query(
      `INSERT INTO step_stats (day, flow_id, lng, channel, audience, prev_state, event, state, n, first, first_move)
       SELECT ${utcDay('created_at')}, flow_id, lng, channel, audience, $2, $3, $4, 1,
         (NOT EXISTS (SELECT 1 FROM steps WHERE session_id = $1 AND state = $4 AND seq < $5))::int,
         (NOT EXISTS (SELECT 1 FROM steps WHERE session_id = $1 AND state = $4 AND seq < $5
           AND event = $3 AND coalesce(prev_state, '') = $2))::int
       FROM sessions WHERE id = $1
       ON CONFLICT (day, flow_id, lng, channel, audience, prev_state, event, state) DO UPDATE
         SET n = step_stats.n + 1, first = step_stats.first + excluded.first, first_move = step_stats.first_move + excluded.first_move`,
      [sessionId, step.prevState ?? '', step.event, step.state, step.seq],
    );

  /**
   * A note that differs from the step's current one becomes its current text and a new version under its author.
   * The step's row is locked first, so two notes on one step at once take versions one after the other.
   */
  const saveNote = async (q: Db, sessionId: string, note: StepNote, at: number) => {
    const current = await q.one<{ note: string | null }>('SELECT note FROM steps WHERE session_id = $1 AND seq = $2 FOR UPDATE', [
      sessionId,
      note.seq,
    ]);
    if (!current || (current.note ?? '') === note.note) return;
    await q.query('UPDATE steps SET note = $3 WHERE session_id = $1 AND seq = $2', [sessionId, note.seq, note.note]);
    await q.query(
      `INSERT INTO notes (session_id, seq, version, text, agent_id, at)
       VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM notes WHERE session_id = $1 AND seq = $2), $3, $4, $5)`,
      [sessionId, note.seq, note.note, note.agentId ?? null, at],
    );
  };

  const pathRows = async (id: string, path: string | null) => {
    const rows =
      path === null
        ? await db.many<StepRow>(LEGACY_PATH, [id, MAX_STEPS_PER_SESSION])
        : await db.many<StepRow>('SELECT * FROM steps WHERE session_id = $1 AND seq = ANY($2::int[]) ORDER BY seq', [
            id,
            (JSON.parse(path) as number[]).slice(-MAX_STEPS_PER_SESSION),
          ]);
    return rows.map(toStep);
  };

  const selectSession = (column: 'id' | 'ref', value: string) =>
    db.one<SessionRow>(`SELECT *, ${LAST_SEQ} FROM sessions WHERE ${column} = $1`, [value]);


  const OLD = 'session_id IN (SELECT id FROM sessions WHERE created_at < $1)';

  return {
    async createSession(session, first) {
      const at = now();
      await db.tx(async (q) => {
        try {
          await q.query(
            `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, origin, snapshot, state, status,
               outcome, agent_id, taken_over_at, ticket_ref, created_at, updated_at, path)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', NULL, $11, $12, $13, $14, $14, '[0]')`,
            [
              session.id,
              session.ref,
              session.flowId,
              session.flowVersion,
              session.lng,
              session.audience,
              session.channel,
              session.origin,
              JSON.stringify(session.snapshot),
              session.snapshot.value,
              session.agentId ?? null,
              session.agentId ? at : null,
              session.ticketRef ?? null,
              at,
            ],
          );
        } catch (e) {
          // The failed insert ends the transaction's use, so the constraint says which key was taken.
          if (isUniqueViolation(e) && (e as { constraint?: string }).constraint === 'sessions_ref_key') throw new RefTakenError(session.ref);
          throw e;
        }
        await insertStep(q, session.id, first, at);
        await count(q, session.id, first);
      });
      return newSessionRecord(session, at);
    },
    async getSession(id) {
      const row = await selectSession('id', id);
      return row && toSession(row);
    },
    async getSessionByRef(ref) {
      const row = await selectSession('ref', ref);
      return row && toSession(row);
    },
    async listSteps(sessionId, limit) {
      const rows =
        limit === undefined
          ? await db.many<StepRow>('SELECT * FROM steps WHERE session_id = $1 ORDER BY seq', [sessionId])
          : await db.many<StepRow>('SELECT * FROM steps WHERE session_id = $1 ORDER BY seq LIMIT $2', [sessionId, limit]);
      return rows.map(toStep);
    },
    async listPath(sessionId) {
      const head = await db.one<{ path: string | null }>('SELECT path FROM sessions WHERE id = $1', [sessionId]);
      return head ? pathRows(sessionId, head.path) : [];
    },
    async openSession(id) {
      // The session and its path's rows in one round trip; a session stored before paths were kept reads them after.
      const row = await db.one<SessionRow & { path_rows: StepRow[] | null }>(OPEN_SESSION, [id, MAX_STEPS_PER_SESSION]);
      if (!row) return undefined;
      const { path_rows: rows, ...session } = row;
      return { session: toSession(session), path: rows ? rows.map(toStep) : await pathRows(id, null) };
    },
    async appendStep(sessionId, step, change, note) {
      const at = now();
      const params = [
        ...stepParams(sessionId, step, at),
        JSON.stringify(change.snapshot),
        change.snapshot.value,
        change.status,
        change.outcome,
        change.flowVersion,
        JSON.stringify(change.path),
        change.takenBy ?? null,
      ];
      const append = async (q: Db) => {
        try {
          await q.query(APPEND_STEP, params);
        } catch (e) {
          // (session_id, seq) is the key: the other tab's step was stored first (or is being stored: this waited for it).
          if (isUniqueViolation(e)) throw new StepConflictError(sessionId, step.seq);
          throw e;
        }
      };
      // With a note, a transaction: the note's version is read under the step row's lock (saveNote).
      if (note) return db.tx(async (q) => (await append(q), await saveNote(q, sessionId, note, at)));
      // Without, the statement is the transaction: one round trip. A lost race (a deadlock with another instance's
      // step) runs again, as db.tx would.
      for (let attempt = 1; ; attempt++) {
        try {
          return await append(db);
        } catch (e) {
          if (!isRetryable(e) || attempt >= 3) throw e;
        }
      }
    },
    async setNote(sessionId, note) {
      const at = now();
      await db.tx((q) => saveNote(q, sessionId, note, at));
    },
    async listNotes(sessionId, limit) {
      const rows = await db.many<NoteRow>(
        `SELECT * FROM (SELECT seq, version, text, agent_id, at FROM notes WHERE session_id = $1
           ORDER BY at DESC, seq DESC, version DESC LIMIT $2) newest
         ORDER BY seq, version`,
        [sessionId, limit],
      );
      return rows.map(toNote);
    },
    async assignAgent(sessionId, agentId) {
      await db.query(
        `UPDATE sessions SET agent_id = $2, taken_over_at = $3, updated_at = $3
         WHERE id = $1 AND agent_id IS DISTINCT FROM $2::bigint`,
        [sessionId, agentId, now()],
      );
    },
    async listSessions(filter) {
      const { where, params } = sessionWhere(filter, (n) => `$${n}`);
      const total = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM sessions ${where}`, params))!.n;
      const rows = await db.many<SessionRow>(
        `SELECT * FROM sessions ${where} ORDER BY created_at DESC, id ${BINARY} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      );
      return { sessions: rows.map((r) => toSession({ ...r, last_seq: null })), total };
    },
    async purgeSessions(before) {
      return db.tx(async (q) => {
        // Every instance runs retention every hour: one at a time does the work, the others find it being done.
        if (!(await retentionLease(q))) return 0;
        // Figures go with the sessions they count: whole days before the cut-off's day.
        await q.query(`DELETE FROM step_stats WHERE day < ${utcDay('$1::bigint')}`, [before]);
        return (await q.query('DELETE FROM sessions WHERE created_at < $1', [before])).rowCount ?? 0;
      });
    },
    async purgeText(before) {
      return db.tx(async (q) => {
        if (!(await retentionLease(q))) return 0;
        const comments = await q.query(`UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL AND ${OLD}`, [before]);
        const notes = await q.query(`UPDATE steps SET note = NULL WHERE note IS NOT NULL AND ${OLD}`, [before]);
        // Earlier versions of the notes go too: emptied text must not live on in a transcript.
        await q.query(`DELETE FROM notes WHERE ${OLD}`, [before]);
        // A hand-off's request (what the person wrote, their address and name) and its transcripts, which hold the
        // notes; the steps and answers stay, as the figures do. SQLite's json_set, one key at a time.
        const handoffs = await q.query(
          `UPDATE handoffs SET story = jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(story::jsonb,
               '{message}', '""'), '{email}', 'null'), '{name}', 'null'), '{transcriptText}', '""'), '{transcriptMarkdown}', '""')::text
           WHERE ${OLD}
             AND ((story::jsonb ->> 'message') <> '' OR (story::jsonb ->> 'email') IS NOT NULL OR (story::jsonb ->> 'transcriptText') <> '')`,
          [before],
        );
        return (comments.rowCount ?? 0) + (notes.rowCount ?? 0) + (handoffs.rowCount ?? 0);
      });
    },
    async setLanguage(sessionId, lng) {
      await db.query('UPDATE sessions SET lng = $2, updated_at = $3 WHERE id = $1', [sessionId, lng, now()]);
    },
    async addFeedback(sessionId, feedback: Feedback) {
      try {
        await db.query('INSERT INTO feedback (session_id, state, helpful, comment, at) VALUES ($1, $2, $3, $4, $5)', [
          sessionId,
          feedback.state,
          feedback.helpful ? 1 : 0,
          feedback.comment,
          now(),
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) throw new FeedbackGivenError(sessionId, feedback.state);
        throw e;
      }
    },
    async listFeedback(sessionId) {
      const rows = await db.many<{ state: string; helpful: number; comment: string | null; at: number }>(
        'SELECT state, helpful, comment, at FROM feedback WHERE session_id = $1 ORDER BY id',
        [sessionId],
      );
      return rows.map((r) => ({ state: r.state, helpful: r.helpful === 1, comment: r.comment, at: r.at }));
    },
  };
}
