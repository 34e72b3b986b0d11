import { oneLine } from '../../render/transcript.ts';
import { DeliveryError, type Channel, type HandoffStory } from '../story.ts';
import { answerError, basicAuth, HTTP_TIMEOUT_MS, isSuccess, jsonOf, postJson, type HttpAnswer } from './http.ts';
import { storyHtml, storySubject, type HandoffT } from './story-view.ts';

export interface FreshdeskOptions {
  /** FRESHDESK_DOMAIN: `acme` for acme.freshdesk.com */
  domain: string;
  /** FRESHDESK_API_KEY */
  apiKey: string;
  /** Where the API is, instead of https://{domain}.freshdesk.com (tests, proxies). */
  baseUrl?: string;
  timeoutMs?: number;
}

/** Freshdesk ticket statuses and priorities are numbers: 2 = Open, 1 = Low. */
const OPEN = 2;
const LOW = 1;

/** The request body of Freshdesk's Create a Ticket (POST /api/v2/tickets). */
export function freshdeskTicket(story: HandoffStory, t: HandoffT) {
  const name = story.name ? oneLine(story.name) : undefined;
  return {
    subject: storySubject(story),
    description: storyHtml(story, t),
    // Freshdesk needs a requester: an email, a phone, or an external id. Without an address, the session is the
    // contact, so a person who asks twice in one session is one contact.
    ...(story.email
      ? { email: story.email, ...(name ? { name } : {}) }
      : { unique_external_id: `mailhelp-${story.sessionId}`, name: name ?? `mailhelp ${story.ref}` }),
    status: OPEN,
    priority: LOW,
    tags: ['mailhelp', story.flowId],
  };
}

/**
 * Creates one Freshdesk ticket per hand-off. Freshdesk has no idempotency key: an attempt repeated after a lost
 * answer can make a second ticket, which the ref in both subjects makes easy to spot and merge.
 */
export function freshdeskChannel(options: FreshdeskOptions, t: HandoffT): Channel {
  const base = (options.baseUrl ?? `https://${options.domain}.freshdesk.com`).replace(/\/+$/, '');
  const auth = basicAuth(options.apiKey, 'X');
  return {
    name: 'freshdesk',
    async deliver(story) {
      const body = JSON.stringify(freshdeskTicket(story, t));
      const answer = await postJson('freshdesk', `${base}/api/v2/tickets`, body, { authorization: auth }, options.timeoutMs ?? HTTP_TIMEOUT_MS);
      if (!isSuccess(answer)) throw answerError('freshdesk', answer, freshdeskDetail(answer));
      const id = (jsonOf(answer) as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'number' && typeof id !== 'string') throw new DeliveryError(`freshdesk: HTTP ${answer.status} without a ticket id`);
      return { externalId: String(id), externalUrl: `https://${options.domain}.freshdesk.com/a/tickets/${encodeURIComponent(String(id))}` };
    },
  };
}

/** Freshdesk's error body (`{ description, errors: [{ field, message, code }] }` or `{ code, message }`) as one line. */
function freshdeskDetail(answer: HttpAnswer): string {
  const json = jsonOf(answer) as { description?: unknown; message?: unknown; errors?: unknown } | undefined;
  if (!json || typeof json !== 'object') return '';
  const parts: string[] = [];
  if (typeof json.description === 'string') parts.push(json.description);
  if (typeof json.message === 'string') parts.push(json.message);
  if (Array.isArray(json.errors)) {
    for (const e of json.errors) {
      if (!e || typeof e !== 'object') continue;
      const { field, message } = e as { field?: unknown; message?: unknown };
      parts.push([field, message].filter((v) => typeof v === 'string').join(': '));
    }
  }
  return parts.filter(Boolean).map(oneLine).join(' — ');
}
