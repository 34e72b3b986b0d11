import type { Outcome } from '../../flows/types.ts';

export type Audience = 'participant' | 'agent';
export type Channel = 'self' | 'widget' | 'agent' | 'api';
export type SessionStatus = 'active' | 'finished';

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
  createdAt: number;
  updatedAt: number;
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
  at: number;
}

export type NewSession = Omit<SessionRecord, 'status' | 'outcome' | 'agentId' | 'createdAt' | 'updatedAt'>;
export type NewStep = Omit<StepRecord, 'sessionId' | 'at' | 'note'> & { note?: string | null };

export interface SessionChange {
  snapshot: PersistedSnapshot;
  status: SessionStatus;
  outcome: Outcome | null;
  flowVersion: string;
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

/**
 * The only way the app reaches its data. Named operations, async, so that a PostgreSQL store can replace SQLite for
 * deployments with several app instances without touching the engine.
 */
export interface Store {
  createSession(session: NewSession, first: NewStep): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  getSessionByRef(ref: string): Promise<SessionRecord | undefined>;
  listSteps(sessionId: string): Promise<StepRecord[]>;
  /** Stores the step and the session's new state in one transaction; StepConflictError if `step.seq` is taken. */
  appendStep(sessionId: string, step: NewStep, change: SessionChange): Promise<void>;
  setLanguage(sessionId: string, lng: string): Promise<void>;
  addFeedback(sessionId: string, feedback: Feedback): Promise<void>;
  listFeedback(sessionId: string): Promise<(Feedback & { at: number })[]>;
  close(): Promise<void>;
}
