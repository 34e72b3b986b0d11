import type { Outcome } from '../../flows/types.ts';
import type { Language } from '../i18n/locales.ts';

/** Where a hand-off can be delivered; each is on when its environment variables are set (README: "Hand-off to your help desk"). */
export const HANDOFF_CHANNELS = ['email', 'webhook', 'zendesk', 'freshdesk'] as const;
export type HandoffChannel = (typeof HANDOFF_CHANNELS)[number];

/** One step of the session as the support team reads it (in HANDOFF_LANGUAGE). */
export interface StoryStep {
  stepId: string;
  title: string;
  /** The answer given there; absent for the step the session ended at. */
  answer?: string;
  at: string;
}

/** A domain check the session ran: the domain, its overall status, and one line per finding. */
export interface StoryCheck {
  domain: string;
  status: string;
  findings: string[];
}

/**
 * Everything a help desk gets with a hand-off: who asks, what they wrote, and the whole story the guide learned.
 * Built once when the hand-off is made and stored with it, so every channel, every retry and every restart sends
 * exactly the same thing.
 */
export interface HandoffStory {
  id: string;
  sessionId: string;
  ref: string;
  flowId: string;
  flowTitle: string;
  /** The content hash of the guide version the session is on. */
  flowVersion: string;
  /** The person's language. */
  lng: Language;
  /** The language the story is written in for the support team (HANDOFF_LANGUAGE). */
  storyLng: Language;
  outcome: Outcome;
  stepId: string;
  stepTitle: string;
  message: string;
  email: string | null;
  name: string | null;
  createdAt: string;
  transcript: StoryStep[];
  /** The transcript as plain text and as Markdown (support tools take either). */
  transcriptText: string;
  transcriptMarkdown: string;
  checks: StoryCheck[];
  /** The session in the support console (PUBLIC_URL); null when PUBLIC_URL is not set. */
  consoleUrl: string | null;
}

/** What a channel gives back for a delivery: the ticket it made, where there is one. */
export interface DeliveryResult {
  externalId?: string;
  externalUrl?: string;
}

/**
 * A delivery that did not go through. `permanent`: trying again cannot help (a 4xx other than 408/429, a bad
 * address); otherwise the outbox tries again later, no sooner than `retryAfterMs` when the receiver said so.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly options: { permanent?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** One way out. `deliveryId` is the same on every attempt of one delivery: receivers dedupe by it. */
export interface Channel {
  readonly name: HandoffChannel;
  deliver(story: HandoffStory, delivery: { id: string; attempt: number }): Promise<DeliveryResult>;
}
