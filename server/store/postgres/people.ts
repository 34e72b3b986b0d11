import { type AttemptLimit, type AttemptReservation, REMOVED_PASSWORD, type Store } from '../types.ts';
import { type AgentRow, toAgent } from '../rows.ts';
import type { Db } from './db.ts';

/**
 * The part of Store about people: accounts, their logins, and the attempts counted against sign-in limits. With
 * sessionsPart (sessions, steps, notes, feedback, language, agent assignment, purges), analyticsPart and contentPart
 * it covers every Store method but ping and close, which the composition adds.
 */
export type PeoplePart = Pick<
  Store,
  | 'createAgent'
  | 'findAgentByEmail'
  | 'listAgents'
  | 'setAgentPassword'
  | 'removeAgent'
  | 'createLogin'
  | 'getLogin'
  | 'deleteLogin'
  | 'reserveAttempt'
  | 'settleAttempt'
>;

/** A pending attempt older than this was abandoned (its process died mid-way): it no longer holds a slot. */
const PENDING_TTL_MS = 60_000;
/** Attempts are kept this long at most; no limit looks back further. */
const KEEP_ATTEMPTS_MS = 24 * 3600 * 1000;

// SQLite's email column is COLLATE NOCASE; here the unique index is on lower(email), and lookups match it.
const BY_EMAIL = 'lower(email) = lower($1)';

export function peoplePart(db: Db, now: () => number = Date.now): PeoplePart {
  /** The account, locked for the rest of the caller's transaction. */
  const lockAgent = (q: Db, email: string) => q.one<AgentRow>(`SELECT * FROM agents WHERE ${BY_EMAIL} FOR UPDATE`, [email.trim()]);

  return {
    async createAgent(agent) {
      const row = await db.one<AgentRow>(
        `INSERT INTO agents (email, name, role, languages, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [agent.email, agent.name, agent.role, JSON.stringify(agent.languages ?? []), agent.passwordHash, now()],
      );
      return toAgent(row!);
    },
    async findAgentByEmail(email) {
      const row = await db.one<AgentRow>(`SELECT * FROM agents WHERE ${BY_EMAIL}`, [email.trim()]);
      return row && toAgent(row);
    },
    async listAgents() {
      // SQLite orders text by its bytes; PostgreSQL by the database's locale unless told otherwise.
      return (await db.many<AgentRow>('SELECT * FROM agents ORDER BY role COLLATE "C" DESC, name COLLATE "C"')).map(toAgent);
    },
    setAgentPassword(email, passwordHash) {
      return db.tx(async (q) => {
        const agent = await lockAgent(q, email);
        if (!agent) return false;
        await q.query('UPDATE agents SET password_hash = $1 WHERE id = $2', [passwordHash, agent.id]);
        await q.query('DELETE FROM logins WHERE agent_id = $1', [agent.id]);
        return true;
      });
    },
    removeAgent(email) {
      return db.tx(async (q): Promise<'deleted' | 'kept' | 'missing'> => {
        const agent = await lockAgent(q, email);
        if (!agent) return 'missing';
        await q.query('DELETE FROM logins WHERE agent_id = $1', [agent.id]);
        // Whether any record names the agent: then deleting the row would break (with foreign keys, refuse) history.
        const named = await q.one<{ named: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM sessions WHERE agent_id = $1) OR EXISTS (SELECT 1 FROM steps WHERE agent_id = $1)
               OR EXISTS (SELECT 1 FROM notes WHERE agent_id = $1) OR EXISTS (SELECT 1 FROM flow_versions WHERE published_by = $1)
               OR EXISTS (SELECT 1 FROM drafts WHERE created_by = $1) OR EXISTS (SELECT 1 FROM audit_log WHERE agent_id = $1) AS named`,
          [agent.id],
        );
        if (named!.named) {
          await q.query('UPDATE agents SET password_hash = $1 WHERE id = $2', [REMOVED_PASSWORD, agent.id]);
          return 'kept';
        }
        await q.query('DELETE FROM agents WHERE id = $1', [agent.id]);
        return 'deleted';
      });
    },
    async createLogin(tokenHash, agentId, csrf, expiresAt) {
      const at = now();
      await db.query('DELETE FROM logins WHERE expires_at <= $1', [at]);
      await db.query('INSERT INTO logins (token_hash, agent_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [tokenHash, agentId, csrf, at, expiresAt]);
    },
    async getLogin(tokenHash) {
      const row = await db.one<AgentRow & { csrf: string; expires_at: number }>(
        `SELECT a.*, l.csrf, l.expires_at FROM logins l JOIN agents a ON a.id = l.agent_id WHERE l.token_hash = $1 AND l.expires_at > $2`,
        [tokenHash, now()],
      );
      return row && { agent: toAgent(row), csrf: row.csrf, expiresAt: row.expires_at };
    },
    async deleteLogin(tokenHash) {
      await db.query('DELETE FROM logins WHERE token_hash = $1', [tokenHash]);
    },
    reserveAttempt(attempt, limits: readonly AttemptLimit[]) {
      const at = now();
      return db.tx(async (q): Promise<AttemptReservation> => {
        // Every key's count is read and taken under that key's lock, held to the commit: two instances cannot both
        // see the last free slot. Locks in one order (sorted keys), so two reservations never wait on each other.
        for (const key of [...new Set(limits.map((l) => l.key))].sort())
          await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mailhelp:attempts:${key}`]);
        // Old attempts of every key go, by one reservation at a time: two deleting the same rows in different
        // orders could deadlock, and one that finds the cleaner busy simply leaves it the work.
        const cleaner = await q.one<{ got: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('mailhelp:attempts:cleanup')) AS got`);
        if (cleaner!.got) await q.query('DELETE FROM attempts WHERE at < $1', [at - KEEP_ATTEMPTS_MS]);
        let until = 0;
        let wait = false;
        for (const { key, limit, windowMs } of limits) {
          const rows = await q.many<{ at: number; pending: number }>('SELECT at, pending FROM attempts WHERE key = $1 AND at > $2 ORDER BY at', [key, at - windowMs]);
          const failed = rows.filter((r) => r.pending === 0);
          const inFlight = rows.filter((r) => r.pending === 1 && r.at > at - PENDING_TTL_MS).length;
          // Blocked until enough failures have left the window for one more to fit.
          if (failed.length >= limit) until = Math.max(until, failed[failed.length - limit]!.at + windowMs);
          else if (failed.length + inFlight >= limit) wait = true;
        }
        if (until) return { status: 'blocked', until };
        if (wait) return { status: 'wait' };
        for (const { key } of limits) await q.query('INSERT INTO attempts (key, at, attempt, pending) VALUES ($1, $2, $3, 1)', [key, at, attempt]);
        return { status: 'reserved' };
      });
    },
    async settleAttempt(attempt, failed) {
      const at = now();
      if (failed) await db.query('UPDATE attempts SET pending = 0, at = $1 WHERE attempt = $2', [at, attempt]);
      else await db.query('DELETE FROM attempts WHERE attempt = $1', [attempt]);
    },
  };
}
