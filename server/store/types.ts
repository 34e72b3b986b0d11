import type { Outcome } from '../../flows/types.ts';

/** Who reads a step: a participant, or an agent reading scripted wording. */
export const AUDIENCES = ['participant', 'agent'] as const;
export type Audience = (typeof AUDIENCES)[number];
/** Where a session was started: the help site, the widget, the console, or the JSON API. */
export const CHANNELS = ['self', 'widget', 'agent', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];
export const SESSION_STATUSES = ['active', 'finished'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const ROLES = ['agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The most transcript rows one session may hold (START and every answer, Back and Start over). A person walking a
 * guide takes a few dozen; the cap stops a client (or a loop walked forever) from growing one session, its path and
 * its transcript without bound. At the cap, Start over continues in a new session.
 */
export const MAX_STEPS_PER_SESSION = 500;

export interface AgentRecord {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** scrypt, in the self-describing format of server/auth/password.ts. Never the password. */
  passwordHash: string;
  createdAt: number;
}

/** A signed-in agent: who, until when, and the token every form they send must carry. */
export interface LoginRecord {
  agent: AgentRecord;
  csrf: string;
  expiresAt: number;
}

export interface SessionFilter {
  agentId?: number;
  flowId?: string;
  outcome?: string;
  /** `active` lists sessions without an outcome yet. */
  status?: SessionStatus;
  lng?: string;
  channel?: Channel;
  /** Created at or after (ms since epoch). */
  from?: number;
  /** Created before (ms since epoch). */
  to?: number;
  limit: number;
  offset: number;
}

/** What is kept of a flow's snapshot: our flows are flat and context-free, so value + context restore it fully. */
export interface PersistedSnapshot {
  value: string;
  context: Record<string, unknown>;
}

export interface SessionRecord {
  id: string;
  ref: string;
  flowId: string;
  flowVersion: string;
  lng: string;
  audience: Audience;
  channel: Channel;
  origin: string | null;
  snapshot: PersistedSnapshot;
  status: SessionStatus;
  outcome: Outcome | null;
  agentId: number | null;
  /** When an agent picked the session up by its ref (or started it). */
  takenOverAt: number | null;
  ticketRef: string | null;
  createdAt: number;
  updatedAt: number;
  /** The highest seq in the session's transcript: the next step is this plus one. */
  lastSeq: number;
}

/**
 * One row of a session's transcript. `event` is the option taken to arrive at `state`, or one of the engine's own
 * events (START, BACK, RESTART). The snapshot after the row is kept so Back can return to any earlier step.
 */
export interface StepRecord {
  sessionId: string;
  seq: number;
  state: string;
  event: string;
  data: unknown;
  snapshot: PersistedSnapshot;
  note: string | null;
  /** The agent who took this step, when it was taken in the console. */
  agentId: number | null;
  at: number;
}

export type NewSession = Omit<
  SessionRecord,
  'status' | 'outcome' | 'agentId' | 'takenOverAt' | 'ticketRef' | 'createdAt' | 'updatedAt' | 'lastSeq'
> & { agentId?: number | null; ticketRef?: string | null };
export type NewStep = Omit<StepRecord, 'sessionId' | 'at' | 'note' | 'agentId'> & {
  note?: string | null;
  agentId?: number | null;
  /** The step this row leaves (none for START). */
  prevState?: string | null;
};

export interface AnalyticsFilter {
  flowId?: string;
  /** Sessions created at or after (ms). */
  from: number;
  /** Sessions created before (ms). */
  to: number;
  lng?: string;
  channel?: Channel;
  audience?: Audience;
  /** Sessions without a step since this moment (ms) and no outcome count as abandoned. */
  abandonedBefore: number;
}

export interface Figures {
  started: number;
  finished: number;
  outcomes: Record<Outcome, number>;
  abandoned: number;
  inProgress: number;
  /** Resolved sessions as a share of finished ones; null when none finished. */
  resolutionRate: number | null;
  feedback: { yes: number; no: number; rate: number | null };
  comments: { at: number; flowId: string; helpful: boolean; comment: string }[];
  medianSecondsToOutcome: number | null;
  perDay: { day: string; started: number; finished: number }[];
  /** With a flow: per step, how many sessions reached it and how many were abandoned there. */
  steps?: Record<string, { reached: number; abandoned: number }>;
  /** With a flow: how often each option led from one step to the next (`from`, `event`, `to`). */
  transitions?: { from: string; event: string; to: string; count: number }[];
}

/** A note written at a step, saved with the answer that leaves it. */
export interface StepNote {
  seq: number;
  note: string;
  /** Who wrote it: a changed note becomes a new version under its author, the earlier text is kept. */
  agentId?: number | null;
}

/** One version of a step's note: the text as its author left it. An empty text means the note was removed. */
export interface NoteRecord {
  seq: number;
  version: number;
  text: string;
  agentId: number | null;
  at: number;
}

/** One limit an attempt counts against: at most `limit` failed attempts under `key` in the last `windowMs`. */
export interface AttemptLimit {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * What `reserveAttempt` decided: go ahead (the attempt holds a slot under every key until it is settled), wait
 * (attempts in flight hold the last free slots; ask again once they settle), or blocked until a failure leaves the
 * window.
 */
export type AttemptReservation = { status: 'reserved' } | { status: 'wait' } | { status: 'blocked'; until: number };

export interface SessionChange {
  snapshot: PersistedSnapshot;
  status: SessionStatus;
  outcome: Outcome | null;
  flowVersion: string;
  /** The seqs of the rows on the session's path after this step. */
  path: number[];
}

export interface Feedback {
  helpful: boolean;
  comment: string | null;
  /** The outcome step the feedback is about: after Back, a session can reach another one. */
  state: string;
}

/** Raised when a step with the same sequence number was stored first (two tabs answering at once). */
export class StepConflictError extends Error {
  constructor(sessionId: string, seq: number) {
    super(`step ${seq} of session ${sessionId} is already stored`);
  }
}

/** Raised when a new session's ref is taken; the caller draws another. */
export class RefTakenError extends Error {}

/** Raised when the outcome a feedback is about already has its answer (two posts, two tabs). */
export class FeedbackGivenError extends Error {
  constructor(sessionId: string, state: string) {
    super(`feedback on ${state} of session ${sessionId} is already stored`);
  }
}

/**
 * The only way the app reaches its data. Named operations, async, so that a PostgreSQL store can replace SQLite for
 * deployments with several app instances without touching the engine.
 */
export interface Store {
  createSession(session: NewSession, first: NewStep): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  getSessionByRef(ref: string): Promise<SessionRecord | undefined>;
  /** The session's rows in order; with `limit`, only the first `limit` of them. */
  listSteps(sessionId: string, limit?: number): Promise<StepRecord[]>;
  /**
   * The rows a step needs: those on the session's current path, never more (and at most the last
   * MAX_STEPS_PER_SESSION of them). For a session stored before paths were kept, the path its rows make.
   */
  listPath(sessionId: string): Promise<StepRecord[]>;
  /** The session and the rows on its current path, read together: what every step starts from. */
  openSession(id: string): Promise<{ session: SessionRecord; path: StepRecord[] } | undefined>;
  /**
   * Stores the step, the session's new state and (optionally) the note on the step being left, in one
   * transaction; StepConflictError if `step.seq` is taken.
   */
  appendStep(sessionId: string, step: NewStep, change: SessionChange, note?: StepNote): Promise<void>;
  setNote(sessionId: string, note: StepNote): Promise<void>;
  /** The versions of the session's notes, oldest first; at most the newest `limit` of them. */
  listNotes(sessionId: string, limit: number): Promise<NoteRecord[]>;
  /** Records that an agent continues the session (the first time, or when another agent takes it). */
  assignAgent(sessionId: string, agentId: number): Promise<void>;
  listSessions(filter: SessionFilter): Promise<{ sessions: SessionRecord[]; total: number }>;

  analytics(filter: AnalyticsFilter): Promise<Figures>;
  /**
   * One row a session, streamed in pages: a large export never sits in memory whole, and other requests are served
   * between its pages.
   */
  exportSessions(filter: AnalyticsFilter): AsyncIterable<Record<string, unknown>>;
  /** One row a step, streamed in pages like exportSessions. */
  exportSteps(filter: AnalyticsFilter): AsyncIterable<Record<string, unknown>>;
  /** Deletes sessions created before `before` (with their steps and feedback); returns how many. */
  purgeSessions(before: number): Promise<number>;
  /** Empties free text (feedback comments and step notes) of sessions created before `before`; returns how many. */
  purgeText(before: number): Promise<number>;

  createAgent(agent: Omit<AgentRecord, 'id' | 'createdAt'>): Promise<AgentRecord>;
  findAgentByEmail(email: string): Promise<AgentRecord | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  createLogin(tokenHash: string, agentId: number, csrf: string, expiresAt: number): Promise<void>;
  /** The login for a token hash, if it exists and has not expired. */
  getLogin(tokenHash: string): Promise<LoginRecord | undefined>;
  deleteLogin(tokenHash: string): Promise<void>;
  /**
   * Takes a slot for `attempt` under every limit, in one transaction (so concurrent attempts, also from other
   * instances, cannot all take the last slot). Pending attempts older than a minute are taken for abandoned.
   */
  reserveAttempt(attempt: string, limits: readonly AttemptLimit[]): Promise<AttemptReservation>;
  /** Ends a reserved attempt: a failure is counted from now on, a success leaves no trace. */
  settleAttempt(attempt: string, failed: boolean): Promise<void>;
  setLanguage(sessionId: string, lng: string): Promise<void>;
  /** FeedbackGivenError if this outcome (`feedback.state`) of the session has its answer already. */
  addFeedback(sessionId: string, feedback: Feedback): Promise<void>;
  listFeedback(sessionId: string): Promise<(Feedback & { at: number })[]>;
  /** Reads from the database; rejects when it cannot (the health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
