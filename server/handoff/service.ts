import { randomBytes } from 'node:crypto';
import type { ContentService } from '../content/service.ts';
import type { FlowRegistry } from '../engine/flow-registry.ts';
import { AppError, unknownSession } from '../http/errors.ts';
import type { Language } from '../i18n/locales.ts';
import { transcript, TRANSCRIPT_LIMITS } from '../render/transcript.ts';
import type { StepRenderer } from '../render/step.ts';
import type { i18n } from 'i18next';
import { HandoffExistsError, type HandoffRecord, type HandoffStatus, type SessionRecord, type Store } from '../store/types.ts';
import { RECIPIENT_FLOW_IDS } from '../../flows/index.ts';
import type { Outbox } from './outbox.ts';
import { buildStory } from './story-builder.ts';

/** A person's request, as a form or the API sends it. */
export interface HandoffRequest {
  message?: unknown;
  email?: unknown;
  name?: unknown;
}

export interface HandoffSettings {
  /** Whether the person must give an address to reply to (HANDOFF_REQUIRE_EMAIL). */
  requireEmail: boolean;
  /** The support team's language: what the story is written in (HANDOFF_LANGUAGE). */
  storyLng: Language;
  /** Where the console is, for links in the story (PUBLIC_URL); none: no link. */
  publicUrl?: string | undefined;
}

export const MESSAGE_MAX = 5000;
const NAME_MAX = 200;
/** An address as a reply can go to: one @, no spaces or angle brackets, a dotted domain; 254 characters at most. */
const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\.]{2,}$/;

/** Which field of a request is wrong, and how: what a form shows next to the field. */
export type FieldProblem = 'required' | 'tooLong' | 'invalid';

/**
 * Hand-offs: a person at an escalated ending asks support for help. The request is checked, the story of the session
 * is written once (in the support team's language), and the hand-off and one delivery per configured channel are
 * stored in one transaction before the request is acknowledged; the outbox delivers them.
 */
export class HandoffService {
  constructor(
    private readonly deps: { store: Store; flows: FlowRegistry; content: ContentService; renderer: StepRenderer; i18n: i18n },
    private readonly settings: HandoffSettings,
    private readonly outbox: Outbox,
  ) {}

  get requireEmail(): boolean {
    return this.settings.requireEmail;
  }

  /** Whether the session stands at an ending that hands over to our support (where the request form is offered). */
  async canRequest(sessionId: string): Promise<boolean> {
    const session = await this.deps.store.getSession(sessionId);
    return session !== undefined && handsOver(session);
  }

  /** The hand-off sent from the ending the session stands at now, if any. */
  async current(sessionId: string): Promise<HandoffRecord | undefined> {
    const session = await this.deps.store.getSession(sessionId);
    if (!session) return undefined;
    return (await this.deps.store.handoffs.forSession(sessionId)).find((h) => h.stepSeq === session.lastSeq);
  }

  /**
   * Stores a request: 404 for an unknown session, 409 `not_escalated` when it is not at an escalated ending, 409
   * `handoff_exists` for a second request from the same ending, 400 `invalid_input` naming each wrong field
   * (`details.fields`).
   */
  async request(sessionId: string, input: HandoffRequest): Promise<HandoffRecord> {
    const { store, flows, content, renderer, i18n } = this.deps;
    const session = await store.getSession(sessionId);
    if (!session) throw unknownSession();
    if (!handsOver(session)) throw new AppError(409, 'not_escalated', 'The session is not at an ending that hands over to support.');
    const request = this.checked(input);
    if ((await store.handoffs.forSession(sessionId)).some((h) => h.stepSeq === session.lastSeq))
      throw new AppError(409, 'handoff_exists', 'A request was sent from this ending already.');

    const flow = (await content.pinned(session.flowId, session.flowVersion)) ?? flows.get(session.flowId);
    if (!flow) throw new AppError(409, 'not_escalated', 'The guide of this session is gone.');
    const [steps, notes, agents] = await Promise.all([
      store.listSteps(session.id, TRANSCRIPT_LIMITS.rows),
      store.listNotes(session.id, TRANSCRIPT_LIMITS.notes),
      store.listAgents().then((list) => new Map(list.map((a) => [a.id, a]))),
    ]);
    const lng = this.settings.storyLng;
    const transcriptInput = { session, flow, steps, notes, agents, lng, t: i18n.getFixedT(lng) };
    const id = newId();
    const story = buildStory(renderer, {
      id,
      session,
      flow,
      steps,
      outcome: 'escalated',
      request,
      storyLng: lng,
      transcriptText: transcript(renderer, transcriptInput, 'text'),
      transcriptMarkdown: transcript(renderer, transcriptInput, 'markdown'),
      consoleUrl: this.settings.publicUrl ? `${this.settings.publicUrl.replace(/\/$/, '')}/agent/s/${session.id}` : null,
      createdAt: Date.now(),
    });
    try {
      const handoff = await store.handoffs.create({
        id,
        sessionId: session.id,
        stepSeq: session.lastSeq,
        flowId: session.flowId,
        lng: session.lng,
        story,
        deliveries: this.outbox.channelNames.map((channel) => ({ id: newId(), channel })),
      });
      this.outbox.kick();
      return handoff;
    } catch (e) {
      if (e instanceof HandoffExistsError) throw new AppError(409, 'handoff_exists', 'A request was sent from this ending already.');
      throw e;
    }
  }

  /** The help desk's word on a hand-off: solved (the session was resolved by support) or open again. */
  async report(id: string, status: Extract<HandoffStatus, 'solved' | 'open'>): Promise<HandoffRecord> {
    if (!(await this.deps.store.handoffs.setStatus(id, status))) throw unknownHandoff();
    return (await this.deps.store.handoffs.get(id))!;
  }

  /** Every field's problem at once, so a form can show each next to its field. */
  private checked(input: HandoffRequest) {
    const fields: Record<string, FieldProblem> = {};
    const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n').trim() : '');
    const message = text(input.message);
    const email = text(input.email);
    const name = text(input.name).replace(/\s+/g, ' ');
    if (!message) fields.message = 'required';
    else if (message.length > MESSAGE_MAX) fields.message = 'tooLong';
    if (!email) {
      if (this.settings.requireEmail) fields.email = 'required';
    } else if (email.length > 254 || !EMAIL.test(email)) fields.email = 'invalid';
    if (name.length > NAME_MAX) fields.name = 'tooLong';
    if (Object.keys(fields).length)
      throw new AppError(400, 'invalid_input', `Check ${Object.entries(fields).map(([f, p]) => `${f} (${p})`).join(', ')}.`, { details: { fields } });
    return { message, email: email || null, name: name || null };
  }
}

/**
 * A session at an escalated ending of a guide for senders. The recipient's guide escalates to the sender or the
 * person's own IT, never to our support: a request from there would go to the wrong people.
 */
const handsOver = (session: SessionRecord) =>
  session.status === 'finished' && session.outcome === 'escalated' && !RECIPIENT_FLOW_IDS.includes(session.flowId);

export const unknownHandoff = () => new AppError(404, 'not_found', 'There is no such hand-off.');

/** A hand-off's or delivery's id: random, URL-safe, not guessable. */
const newId = () => randomBytes(12).toString('base64url');
