import type { Outcome } from '../../flows/types.ts';
import type { FlowDocument } from '../content/document.ts';
import type { TextOrigins } from '../content/origins.ts';
import type { HandoffChannel, HandoffStory } from '../handoff/story.ts';
import type { HitCounter } from './hit-counter.ts';

/** Who reads a step: a participant, or an agent reading scripted wording. */
export const AUDIENCES = ['participant', 'agent'] as const;
export type Audience = (typeof AUDIENCES)[number];
/** Where a session was started: the help site, the widget, the console, or the JSON API. */
export const CHANNELS = ['self', 'widget', 'agent', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];
export const SESSION_STATUSES = ['active', 'finished'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
/**
 * Who may do what in the console: agents run sessions; authors also edit, preview and publish guides; translators
 * edit the texts of their languages only; admins do all of it and manage accounts.
 */
export const ROLES = ['agent', 'admin', 'author', 'translator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The most transcript rows one session may hold (START and every answer, Back and Start over). A person walking a
 * guide takes a few dozen; the cap stops a client (or a loop walked forever) from growing one session, its path and
 * its transcript without bound. At the cap, Start over continues in a new session.
 */
export const MAX_STEPS_PER_SESSION = 500;

/** The password hash of an account removed but kept for its history: no password matches it (it is not scrypt). */
export const REMOVED_PASSWORD = 'removed';

export interface AgentRecord {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** A translator's languages: the only texts of a guide they may change. Empty for every other role. */
  languages: string[];
  /** scrypt, in the self-describing format of server/auth/password.ts. Never the password. */
  passwordHash: string;
  createdAt: number;
}

/** How a change to a guide reached the database: the built-in sync at start, the CLI, a bearer token, or a signed-in person. */
export const CHANGE_VIA = ['release', 'cli', 'token', 'console'] as const;
export type ChangeVia = (typeof CHANGE_VIA)[number];

/** Who changed a guide: a signed-in person (agentId), or nobody in particular (the system, the CLI, a token). */
export interface Actor {
  agentId: number | null;
  via: ChangeVia;
}

/** One published version of a guide: immutable, numbered 1, 2, … per guide in the order they were published. */
export interface FlowVersionRecord {
  flowId: string;
  number: number;
  /** The document's content hash (server/content/document.ts): what a session pins. A rollback repeats an earlier one. */
  hash: string;
  document: FlowDocument;
  note: string | null;
  /** The person who published it; null for the system (a release at start), the CLI or a token. */
  publishedBy: number | null;
  via: ChangeVia;
  publishedAt: number;
  /** Where its texts came from: the origins of the draft it published (empty for a file, a release or a rollback of one). */
  origins: TextOrigins;
}

/** A version as lists show it: everything but the document and its origins. */
export type FlowVersionSummary = Omit<FlowVersionRecord, 'document' | 'origins'>;

export const DRAFT_STATUSES = ['open', 'published', 'discarded'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/**
 * A working copy of a guide, changed by saves until it is published or discarded. Its document always has the
 * document's shape (server/content/document.ts) but may not be complete yet: validation runs when it is published.
 */
export interface DraftRecord {
  id: number;
  flowId: string;
  hash: string;
  document: FlowDocument;
  /** The person who started it; null for the CLI or a token. */
  createdBy: number | null;
  createdAt: number;
  /** Counts saves: a save names the revision it changed, and is refused when someone saved in between. */
  revision: number;
  /** The published version it started from; null for a new guide. */
  baseVersion: number | null;
  origins: TextOrigins;
  status: DraftStatus;
  updatedBy: number | null;
  updatedAt: number;
}

/** A draft as lists show it: everything but the document and its origins. */
export type DraftSummary = Omit<DraftRecord, 'document' | 'origins'>;

/** A draft to store: its base version is the guide's latest unless given (null: a new guide). */
export type NewDraft = Pick<DraftRecord, 'flowId' | 'hash' | 'document' | 'createdBy'> & { baseVersion?: number | null; origins?: TextOrigins };

/** A draft's new content, saved over revision `ifRevision`. */
export interface DraftSave {
  document: FlowDocument;
  hash: string;
  origins: TextOrigins;
  actor: Actor;
  ifRevision: number;
  /** What the save changed, in a few words, for the history. */
  note: string | null;
}

/** A release's changed built-in guide, held back because people had published their own edits since. */
export interface PendingUpdateRecord {
  flowId: string;
  hash: string;
  document: FlowDocument;
  foundAt: number;
}

export const AUDIT_ACTIONS = ['publish', 'rollback', 'import', 'draft', 'pending', 'edit', 'discard'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One line of the audit log: who did what to which guide, from which version to which. */
export interface AuditRecord {
  id: number;
  at: number;
  agentId: number | null;
  via: ChangeVia;
  action: AuditAction;
  flowId: string;
  /** The guide's published version before (null for a new guide). */
  fromVersion: number | null;
  /** The version published (null for a draft or a pending update). */
  toVersion: number | null;
  draftId: number | null;
  note: string | null;
}

/** A version to publish, with what the audit log records about it. */
export interface NewVersion {
  flowId: string;
  hash: string;
  document: FlowDocument;
  note: string | null;
  actor: Actor;
  /** `rollback` republishes an earlier version; `import` comes from a file through the CLI. */
  action: 'publish' | 'rollback' | 'import';
  /**
   * Publish only if the guide's latest version is still this number (null: it has none). Someone else publishing
   * in between makes it a VersionConflictError instead of a silent overwrite.
   */
  ifLatest?: number | null;
  /** The draft this version publishes; it is recorded in the audit log, and the draft is closed as published. */
  draftId?: number;
  /** Where its texts came from (see TextOrigins); none for a document from a file or a release. */
  origins?: TextOrigins;
}

/** What the built-in sync decided about one built-in guide; stored with the hash of the document it saw. */
export type BuiltinDecision =
  | { kind: 'publish'; version: Omit<NewVersion, 'action'> }
  | { kind: 'pending'; pending: Omit<PendingUpdateRecord, 'foundAt'>; fromVersion: number | null }
  | { kind: 'seen'; flowId: string; hash: string };

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
  /** Sessions on this version of the guide (its content hash, as sessions pin it); with `flowId` only. */
  flowVersion?: string;
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
  /** Requests to support from the period's sessions, and how many the help desk reported solved. */
  handoffs: HandoffFigures;
  /** Without a flow: the same per guide, guides with hand-offs only, most hand-offs first. */
  handoffsByFlow?: (HandoffFigures & { flowId: string })[];
}

/** Escalations handed to support and resolved by it; the median is from the hand-off to its report as solved. */
export interface HandoffFigures {
  total: number;
  solved: number;
  /** Hours, to one decimal; null when none was solved. */
  medianHoursToSolved: number | null;
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
  /** The agent who continues the session with this step, when they did not have it: recorded with the step. */
  takenBy?: number;
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

/** Raised when a guide got a new version between reading its latest one and publishing (see NewVersion.ifLatest). */
/** A draft save named a revision that is no longer the draft's, or the draft is no longer open. */
export class DraftConflictError extends Error {
  constructor(readonly current: DraftRecord) {
    super(`draft ${current.id} is at revision ${current.revision} (${current.status})`);
  }
}

export class VersionConflictError extends Error {
  constructor(
    readonly flowId: string,
    readonly latest: number | null,
  ) {
    super(`guide ${flowId} is at version ${latest ?? 'none'} now`);
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

/** Sessions, their transcript (steps), notes and feedback: what every step reads and writes. */
export interface SessionStore {
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
  setLanguage(sessionId: string, lng: string): Promise<void>;
  /** FeedbackGivenError if this outcome (`feedback.state`) of the session has its answer already. */
  addFeedback(sessionId: string, feedback: Feedback): Promise<void>;
  listFeedback(sessionId: string): Promise<(Feedback & { at: number })[]>;
}

/** Guides' published versions, drafts, the built-in sync's decisions and the audit log. */
export interface ContentStore {
  /**
   * Stores the guide's next version (its number is the latest plus one, taken inside one transaction, so two
   * publishers never get the same number) with its audit row; drops a pending update it makes obsolete.
   */
  publishVersion(version: NewVersion): Promise<FlowVersionRecord>;
  /** Every guide's latest version (without its document), by guide id. */
  listLatestVersions(): Promise<FlowVersionSummary[]>;
  /** A guide's versions, newest first, without their documents. */
  listVersions(flowId: string): Promise<FlowVersionSummary[]>;
  /** One version; without a number, the latest. */
  getVersion(flowId: string, number?: number): Promise<FlowVersionRecord | undefined>;
  /** The newest version with this content hash (what a pinned session needs). */
  getVersionByHash(flowId: string, hash: string): Promise<FlowVersionRecord | undefined>;
  /**
   * A cheap counter that grows with every version published by any process: when it moved, `versionsSince` says
   * what is new. One indexed lookup, so every instance can ask every few seconds.
   */
  versionsMark(): Promise<number>;
  /** The versions published after `mark`, in the order they were published, with the new mark. */
  versionsSince(mark: number): Promise<{ mark: number; versions: FlowVersionRecord[] }>;
  /** The latest version of every guide, with its document (what the registry serves at start). */
  latestVersions(): Promise<FlowVersionRecord[]>;
  /** Stores a draft with its audit row (`import` when it came from a file through the CLI). */
  createDraft(draft: NewDraft, audit: { actor: Actor; action: 'draft' | 'import'; note: string | null }): Promise<DraftRecord>;
  getDraft(id: number): Promise<DraftRecord | undefined>;
  /** Saves a draft's new content with an `edit` audit row; DraftConflictError when it is not at `ifRevision` or not open. */
  saveDraft(id: number, save: DraftSave): Promise<DraftRecord>;
  /** Closes an open draft unpublished, with a `discard` audit row; DraftConflictError when it is not open. */
  discardDraft(id: number, actor: Actor): Promise<DraftRecord>;
  /** Open drafts, newest change first; with a guide id, that guide's. */
  listDrafts(flowId?: string): Promise<DraftSummary[]>;
  /** Sets the hash of a draft's private preview link (replacing an earlier link). */
  setPreviewToken(id: number, tokenHash: string): Promise<void>;
  getDraftByPreviewToken(tokenHash: string): Promise<DraftRecord | undefined>;
  listPendingUpdates(): Promise<PendingUpdateRecord[]>;
  getPendingUpdate(flowId: string): Promise<PendingUpdateRecord | undefined>;
  /** The hash of the last built-in document of this guide that a start has seen. */
  builtinSeen(flowId: string): Promise<string | undefined>;
  /**
   * Stores what the built-in sync decided for one guide, and the hash it saw, in one transaction; a publish checks
   * its `ifLatest` there (another instance starting at the same moment may have got there first).
   */
  applyBuiltin(decision: BuiltinDecision): Promise<FlowVersionRecord | undefined>;
  /** The audit log, newest first; with a guide id, that guide's entries only. */
  listAudit(filter: { flowId?: string; limit: number; offset: number }): Promise<AuditRecord[]>;
}

/** Console accounts, their sign-ins, and the attempts counted against sign-in limits. */
export interface PeopleStore {
  createAgent(agent: Omit<AgentRecord, 'id' | 'createdAt' | 'languages'> & { languages?: string[] }): Promise<AgentRecord>;
  findAgentByEmail(email: string): Promise<AgentRecord | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  /** Sets an account's password hash and signs it out everywhere (its logins go); false if there is no such account. */
  setAgentPassword(email: string, passwordHash: string): Promise<boolean>;
  /**
   * Removes an account and signs it out everywhere. One that others' records name (sessions, steps, notes, guide
   * versions, drafts, the audit log) stays for that history, with a password hash that matches nothing
   * (REMOVED_PASSWORD): `kept`. `missing` if there is no such account.
   */
  removeAgent(email: string): Promise<'deleted' | 'kept' | 'missing'>;
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
}

/** The figures, the exports and the retention purge: reads over many sessions, and deletes by age. */
export interface AnalyticsStore {
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
  /**
   * Empties free text of sessions created before `before`: feedback comments, step notes, and hand-offs' messages,
   * addresses and names (and their transcripts, which hold the notes); returns how many.
   */
  purgeText(before: number): Promise<number>;
}

/**
 * The only way the app reaches its data. Named operations, async, in parts by concern (a service that needs one
 * part takes that part), so that a PostgreSQL store can replace SQLite for deployments with several app instances
 * without touching the engine.
 */
export interface Store extends SessionStore, ContentStore, PeopleStore, AnalyticsStore {
  /** Hand-offs to support and their outbox. */
  readonly handoffs: HandoffStore;
  /**
   * Rate-limit counts every instance shares (PostgreSQL). Absent on SQLite: one process serves it, and counts in
   * memory.
   */
  readonly hitCounter?: HitCounter;
  /** Reads from the database; rejects when it cannot (the health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where a hand-off stands with the support team: waiting, taken by an agent, done in the console, or solved by the help desk. */
export const HANDOFF_STATUSES = ['open', 'claimed', 'done', 'solved'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];
/** Where one delivery of a hand-off stands: waiting (or being tried), sent, or given up after its last attempt. */
export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A person's request to support from an escalated ending, with the story the guide learned. */
export interface HandoffRecord {
  id: string;
  sessionId: string;
  /** The transcript row of the ending it was sent from: one hand-off per ending reached. */
  stepSeq: number;
  flowId: string;
  lng: string;
  story: HandoffStory;
  status: HandoffStatus;
  claimedBy: number | null;
  claimedAt: number | null;
  doneAt: number | null;
  /** When the help desk reported it solved: the session was resolved by support. */
  solvedAt: number | null;
  createdAt: number;
  deliveries: DeliveryRecord[];
}

/** One channel's delivery of a hand-off, through the outbox. */
export interface DeliveryRecord {
  /** Stable over every attempt: what receivers dedupe by (the webhook's id, the email's Message-ID). */
  id: string;
  handoffId: string;
  channel: HandoffChannel;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  externalId: string | null;
  externalUrl: string | null;
  sentAt: number | null;
}

export interface NewHandoff {
  id: string;
  sessionId: string;
  stepSeq: number;
  flowId: string;
  lng: string;
  story: HandoffStory;
  /** The channels to deliver to, each with its delivery's id. */
  deliveries: { id: string; channel: HandoffChannel }[];
}

/**
 * A text the database cannot hold (PostgreSQL refuses the NUL character in text, where SQLite keeps it): the
 * client's input, answered with a 400, not a server error.
 */
export class UnstorableTextError extends Error {}

/** A second request from the same ending. */
export class HandoffExistsError extends Error {}

/**
 * Hand-offs and their outbox. A delivery is claimed with a lease (owner and expiry) before it is tried: a worker that
 * dies mid-way leaves a lease that runs out, and the delivery is tried again by whichever worker comes next; with
 * several instances, only the holder of the lease may record the outcome.
 */
export interface HandoffStore {
  /** Stores the hand-off and its deliveries in one transaction; HandoffExistsError for a second one from the same ending. */
  create(handoff: NewHandoff): Promise<HandoffRecord>;
  get(id: string): Promise<HandoffRecord | undefined>;
  /** The session's hand-offs, newest first. */
  forSession(sessionId: string): Promise<HandoffRecord[]>;
  list(filter: { status?: HandoffStatus; limit: number; offset: number }): Promise<HandoffRecord[]>;
  countByStatus(): Promise<Record<HandoffStatus, number>>;
  /** An agent takes an open hand-off (or one they hold); false when another agent holds it or it is closed. */
  claim(id: string, agentId: number): Promise<boolean>;
  /** done (in the console), open again, or solved (by the help desk); false for an unknown hand-off. */
  setStatus(id: string, status: 'open' | 'done' | 'solved'): Promise<boolean>;
  /** Up to `limit` deliveries due now, leased to `owner` until now + leaseMs. */
  claimDue(owner: string, leaseMs: number, limit: number): Promise<(DeliveryRecord & { story: HandoffStory })[]>;
  /** Records a success; false when the lease was lost (another worker has it now). */
  delivered(id: string, owner: string, result: { externalId?: string; externalUrl?: string }): Promise<boolean>;
  /** Records a failed attempt: tried again at `nextAt`, or failed for good when `nextAt` is null. */
  attemptFailed(id: string, owner: string, error: string, nextAt: number | null): Promise<boolean>;
  /** An administrator's retry of a failed delivery: pending again, due now, attempts counted from zero. */
  retry(id: string): Promise<boolean>;
  failed(limit: number): Promise<(DeliveryRecord & { flowId: string; ref: string })[]>;
  /** When the next pending delivery is due (for the worker's sleep); undefined when none is. */
  nextDue(): Promise<number | undefined>;
}
