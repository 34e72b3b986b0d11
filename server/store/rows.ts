import type { Outcome } from '../../flows/types.ts';
import { parseOrigins } from '../content/origins.ts';
import type {
  AgentRecord,
  AuditRecord,
  DeliveryRecord,
  DraftRecord,
  DraftStatus,
  DraftSummary,
  FlowVersionRecord,
  FlowVersionSummary,
  HandoffRecord,
  HandoffStatus,
  NewSession,
  NewVersion,
  NoteRecord,
  PendingUpdateRecord,
  SessionRecord,
  StepRecord,
  SessionFilter,
} from './types.ts';

/*
 * The tables' rows as both stores read them, and their mapping to the records of the Store contract. The schemas
 * (sqlite/migrations.ts, postgres/migrations.ts) keep the same columns so that one mapping serves both: snake_case
 * names, JSON kept as text, times as ms numbers. PostgreSQL's BIGINT columns arrive as numbers too, because
 * postgres/db.ts parses int8 before any row reaches these mappers.
 */

export interface SessionRow {
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
  taken_over_at: number | null;
  ticket_ref: string | null;
  created_at: number;
  updated_at: number;
  /** Not a column: selected with LAST_SEQ where the caller needs it; absent or null reads as no steps yet. */
  last_seq?: number | null;
  path: string | null;
}

/** The select-list item that adds `last_seq` to a sessions row; the same SQL in both databases. */
export const LAST_SEQ = '(SELECT max(seq) FROM steps WHERE session_id = sessions.id) AS last_seq';

export const toSession = (r: SessionRow): SessionRecord => ({
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
  takenOverAt: r.taken_over_at,
  ticketRef: r.ticket_ref,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastSeq: r.last_seq ?? 0,
});

export interface StepRow {
  session_id: string;
  seq: number;
  state: string;
  event: string;
  data: string | null;
  snapshot: string;
  note: string | null;
  agent_id: number | null;
  at: number;
}

export const toStep = (r: StepRow): StepRecord => ({
  sessionId: r.session_id,
  seq: r.seq,
  state: r.state,
  event: r.event,
  data: r.data === null ? null : JSON.parse(r.data),
  snapshot: JSON.parse(r.snapshot),
  note: r.note,
  agentId: r.agent_id,
  at: r.at,
});

export interface NoteRow {
  seq: number;
  version: number;
  text: string;
  agent_id: number | null;
  at: number;
}

export const toNote = (r: NoteRow): NoteRecord => ({ seq: r.seq, version: r.version, text: r.text, agentId: r.agent_id, at: r.at });

export interface AgentRow {
  id: number;
  email: string;
  name: string;
  role: AgentRecord['role'];
  languages: string;
  password_hash: string;
  created_at: number;
}

export const toAgent = (r: AgentRow): AgentRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  languages: JSON.parse(r.languages),
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

/** `document` and `origins` are absent where a list selected only VERSION_SUMMARY. */
export interface VersionRow {
  flow_id: string;
  number: number;
  hash: string;
  document?: string;
  note: string | null;
  published_by: number | null;
  via: FlowVersionRecord['via'];
  published_at: number;
  origins?: string;
}

// Lists leave the documents out: a document is tens of kilobytes, a list row is not.
/** The flow_versions columns toSummary reads. */
export const VERSION_SUMMARY = 'flow_id, number, hash, note, published_by, via, published_at';

export const toSummary = (r: VersionRow): FlowVersionSummary => ({
  flowId: r.flow_id,
  number: r.number,
  hash: r.hash,
  note: r.note,
  publishedBy: r.published_by,
  via: r.via,
  publishedAt: r.published_at,
});
export const toVersion = (r: VersionRow): FlowVersionRecord => ({
  ...toSummary(r),
  document: JSON.parse(r.document!),
  origins: parseOrigins(r.origins ?? '{}'),
});

/** `document` and `origins` are absent where a list selected only DRAFT_SUMMARY. */
export interface DraftRow {
  id: number;
  flow_id: string;
  hash: string;
  document?: string;
  created_by: number | null;
  created_at: number;
  revision: number;
  base_version: number | null;
  origins?: string;
  status: DraftStatus;
  updated_by: number | null;
  updated_at: number;
}

/** The drafts columns toDraftSummary reads. */
export const DRAFT_SUMMARY = 'id, flow_id, hash, created_by, created_at, revision, base_version, status, updated_by, updated_at';

export const toDraftSummary = (r: DraftRow): DraftSummary => ({
  id: r.id,
  flowId: r.flow_id,
  hash: r.hash,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revision: r.revision,
  baseVersion: r.base_version,
  status: r.status,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});
export const toDraft = (r: DraftRow): DraftRecord => ({
  ...toDraftSummary(r),
  document: JSON.parse(r.document!),
  origins: parseOrigins(r.origins ?? '{}'),
});

export interface PendingRow {
  flow_id: string;
  hash: string;
  document: string;
  found_at: number;
}

export const toPending = (r: PendingRow): PendingUpdateRecord => ({ flowId: r.flow_id, hash: r.hash, document: JSON.parse(r.document), foundAt: r.found_at });

export interface AuditRow {
  id: number;
  at: number;
  agent_id: number | null;
  via: AuditRecord['via'];
  action: AuditRecord['action'];
  flow_id: string;
  from_version: number | null;
  to_version: number | null;
  draft_id: number | null;
  note: string | null;
}

export const toAudit = (r: AuditRow): AuditRecord => ({
  id: r.id,
  at: r.at,
  agentId: r.agent_id,
  via: r.via,
  action: r.action,
  flowId: r.flow_id,
  fromVersion: r.from_version,
  toVersion: r.to_version,
  draftId: r.draft_id,
  note: r.note,
});

export interface HandoffRow {
  id: string;
  session_id: string;
  step_seq: number;
  flow_id: string;
  lng: string;
  story: string;
  status: HandoffStatus;
  claimed_by: number | null;
  claimed_at: number | null;
  done_at: number | null;
  solved_at: number | null;
  created_at: number;
}

/**
 * The deliveries are the caller's to read: SQLite reads one hand-off's at a time (a synchronous statement costs
 * nothing), PostgreSQL reads a whole list's in one query and hands each hand-off its share.
 */
export const toHandoff = (r: HandoffRow, deliveries: DeliveryRecord[]): HandoffRecord => ({
  id: r.id,
  sessionId: r.session_id,
  stepSeq: r.step_seq,
  flowId: r.flow_id,
  lng: r.lng,
  story: JSON.parse(r.story),
  status: r.status,
  claimedBy: r.claimed_by,
  claimedAt: r.claimed_at,
  doneAt: r.done_at,
  solvedAt: r.solved_at,
  createdAt: r.created_at,
  deliveries,
});

export interface DeliveryRow {
  id: string;
  handoff_id: string;
  channel: DeliveryRecord['channel'];
  status: DeliveryRecord['status'];
  attempts: number;
  next_at: number;
  last_error: string | null;
  external_id: string | null;
  external_url: string | null;
  sent_at: number | null;
}

export const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id,
  handoffId: r.handoff_id,
  channel: r.channel,
  status: r.status,
  attempts: r.attempts,
  nextAt: r.next_at,
  lastError: r.last_error,
  externalId: r.external_id,
  externalUrl: r.external_url,
  sentAt: r.sent_at,
});

/** A session as createSession returns it: what was stored, at `at`, with its first row. */
export const newSessionRecord = (session: NewSession, at: number): SessionRecord => ({
  ...session,
  status: 'active',
  outcome: null,
  agentId: session.agentId ?? null,
  takenOverAt: session.agentId ? at : null,
  ticketRef: session.ticketRef ?? null,
  createdAt: at,
  updatedAt: at,
  lastSeq: 0,
});

/** A version as publishVersion returns it: what was stored as number `number`, at `at`. */
export const newVersionRecord = (v: NewVersion, number: number, at: number): FlowVersionRecord => ({
  flowId: v.flowId,
  number,
  hash: v.hash,
  document: v.document,
  note: v.note,
  publishedBy: v.actor.agentId,
  via: v.actor.via,
  publishedAt: at,
  origins: v.origins ?? {},
});

/** A session list's filters: each a column compared with one value, bound, never spliced. */
const SESSION_FILTERS = [
  ['agent_id', '=', 'agentId'],
  ['flow_id', '=', 'flowId'],
  ['outcome', '=', 'outcome'],
  ['status', '=', 'status'],
  ['lng', '=', 'lng'],
  ['channel', '=', 'channel'],
  ['created_at', '>=', 'from'],
  ['created_at', '<', 'to'],
] as const satisfies readonly (readonly [string, string, keyof SessionFilter])[];

/**
 * A session filter as a WHERE clause of fixed shape and its values in order; `placeholder(n)` writes the store's
 * mark for the n-th value (`?` on SQLite, `$n` on PostgreSQL).
 */
export function sessionWhere(f: SessionFilter, placeholder: (n: number) => string): { where: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  for (const [column, op, key] of SESSION_FILTERS) {
    const value = f[key];
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} ${op} ${placeholder(params.length)}`);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}
