import type { FlowDocument } from '../../server/content/document.ts';
import type { Actor, NewSession, NewStep, NewVersion, SessionChange } from '../../server/store/types.ts';

/** Records for store tests, written once: a session, its steps and their changes, guide versions. */

export const snapshot = (value: string) => ({ value, context: {} });

export const newSession = (id: string, over: Partial<NewSession> = {}): NewSession => ({
  id,
  ref: `REF-${id}`,
  flowId: 'participant-no-email',
  flowVersion: 'v1',
  lng: 'en',
  audience: 'participant',
  channel: 'self',
  origin: null,
  snapshot: snapshot('howLongAgo'),
  agentId: null,
  ticketRef: null,
  ...over,
});

export const START: NewStep = { seq: 0, state: 'howLongAgo', event: 'START', data: null, snapshot: snapshot('howLongAgo') };

export const step = (seq: number, prevState: string, event: string, state: string, extra: Partial<NewStep> = {}): NewStep => ({
  seq,
  prevState,
  event,
  state,
  data: null,
  snapshot: snapshot(state),
  ...extra,
});

export const change = (state: string, path: number[], outcome: SessionChange['outcome'] = null, extra: Partial<SessionChange> = {}): SessionChange => ({
  snapshot: snapshot(state),
  status: outcome ? 'finished' : 'active',
  outcome,
  flowVersion: 'v1',
  path,
  ...extra,
});

/** The store keeps documents as they are given; their shape is the content service's to check. */
export const doc = (id: string, title: string) => ({ id, machine: { initial: 'a', states: {} }, facts: {}, texts: { en: { title } } }) as unknown as FlowDocument;

export const CLI: Actor = { agentId: null, via: 'cli' };

export const version = (flowId: string, title: string, extra: Partial<NewVersion> = {}): NewVersion => ({
  flowId,
  hash: `h-${title}`,
  document: doc(flowId, title),
  note: `note ${title}`,
  actor: CLI,
  action: 'publish',
  ...extra,
});
