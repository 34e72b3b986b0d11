import { oneLine } from '../../render/transcript.ts';
import { DeliveryError, type Channel, type HandoffStory } from '../story.ts';
import { answerError, basicAuth, HTTP_TIMEOUT_MS, isSuccess, jsonOf, postJson, type HttpAnswer } from './http.ts';
import { storyHtml, storySubject, type HandoffT } from './story-view.ts';

export interface ZendeskOptions {
  /** ZENDESK_SUBDOMAIN: `acme` for acme.zendesk.com */
  subdomain: string;
  /** ZENDESK_EMAIL: the agent the API token belongs to */
  email: string;
  /** ZENDESK_API_TOKEN */
  apiToken: string;
  /** Where the API is, instead of https://{subdomain}.zendesk.com (tests, proxies). */
  baseUrl?: string;
  timeoutMs?: number;
}

/** The request body of Zendesk's Create Ticket (POST /api/v2/tickets.json). */
export function zendeskTicket(story: HandoffStory, t: HandoffT) {
  return {
    ticket: {
      subject: storySubject(story),
      comment: { html_body: storyHtml(story, t) },
      // Without an address the ticket's requester is the API user (Zendesk's default): a nameless end user made
      // for every anonymous hand-off could never be written to, and would only clutter the user list.
      ...(story.email ? { requester: { email: story.email, name: story.name ? oneLine(story.name) : story.email } } : {}),
      tags: ['mailhelp', story.flowId],
      external_id: story.id,
    },
  };
}

/**
 * Creates one Zendesk ticket per hand-off. The delivery id is the `Idempotency-Key`, so an attempt repeated after
 * a lost answer returns the ticket the first one made instead of a second ticket.
 */
export function zendeskChannel(options: ZendeskOptions, t: HandoffT): Channel {
  const base = (options.baseUrl ?? `https://${options.subdomain}.zendesk.com`).replace(/\/+$/, '');
  const auth = basicAuth(`${options.email}/token`, options.apiToken);
  return {
    name: 'zendesk',
    async deliver(story, delivery) {
      const body = JSON.stringify(zendeskTicket(story, t));
      const answer = await postJson('zendesk', `${base}/api/v2/tickets.json`, body, { authorization: auth, 'idempotency-key': delivery.id }, options.timeoutMs ?? HTTP_TIMEOUT_MS);
      // A request with the same key still running elsewhere is answered 409: that one may yet fail, so try again.
      if (answer.status === 409) throw new DeliveryError(`zendesk: HTTP 409: ${zendeskDetail(answer)}`);
      if (!isSuccess(answer)) throw answerError('zendesk', answer, zendeskDetail(answer));
      const id = (jsonOf(answer) as { ticket?: { id?: unknown } } | undefined)?.ticket?.id;
      if (typeof id !== 'number' && typeof id !== 'string') throw new DeliveryError(`zendesk: HTTP ${answer.status} without a ticket id`);
      return { externalId: String(id), externalUrl: `https://${options.subdomain}.zendesk.com/agent/tickets/${encodeURIComponent(String(id))}` };
    },
  };
}

/** Zendesk's error body (`{ error, description, details: { field: [{ description }] } }`) as one line. */
function zendeskDetail(answer: HttpAnswer): string {
  const json = jsonOf(answer) as { error?: unknown; description?: unknown; details?: unknown } | undefined;
  if (!json || typeof json !== 'object') return '';
  const parts: string[] = [];
  const error = json.error;
  if (typeof error === 'string') parts.push(error);
  else if (error && typeof error === 'object' && 'title' in error) parts.push(String(error.title));
  if (typeof json.description === 'string') parts.push(json.description);
  if (json.details && typeof json.details === 'object') {
    for (const list of Object.values(json.details)) {
      if (!Array.isArray(list)) continue;
      for (const item of list) if (item && typeof item === 'object' && 'description' in item) parts.push(String(item.description));
    }
  }
  return parts.map(oneLine).join(' — ');
}
