import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { Channel, HandoffStory } from '../story.ts';
import { answerError, HTTP_TIMEOUT_MS, isSuccess, postJson } from './http.ts';

export interface WebhookOptions {
  /** HANDOFF_WEBHOOK_URL */
  url: string;
  /** HANDOFF_WEBHOOK_SECRET, `whsec_` and base64, as the Standard Webhooks specification writes it. */
  secret: string;
  timeoutMs?: number;
}

/** The body the README promises integrators (issue 17); change it only with a new `type`. */
export function webhookPayload(story: HandoffStory) {
  return {
    type: 'handoff.created' as const,
    handoff: {
      id: story.id,
      sessionId: story.sessionId,
      ref: story.ref,
      flowId: story.flowId,
      flowVersion: story.flowVersion,
      lng: story.lng,
      outcome: story.outcome,
      stepId: story.stepId,
      message: story.message,
      email: story.email,
      name: story.name,
      createdAt: story.createdAt,
      transcript: story.transcript,
      checks: story.checks,
      consoleUrl: story.consoleUrl,
    },
  };
}

/** `webhook-id` for a delivery: the same on every attempt, so a receiver that saw it once can drop the repeat. */
export const webhookMessageId = (deliveryId: string) => `msg_${deliveryId}`;

/**
 * POSTs the hand-off as JSON signed per Standard Webhooks. The timestamp is the attempt's (receivers reject old
 * ones to stop replays); the id and the body are the delivery's, identical on every attempt.
 */
export function webhookChannel(options: WebhookOptions): Channel {
  const signer = new Webhook(options.secret);
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  return {
    name: 'webhook',
    async deliver(story, delivery) {
      const id = webhookMessageId(delivery.id);
      const body = JSON.stringify(webhookPayload(story));
      const now = new Date();
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(id, now, body),
      };
      const answer = await postJson('webhook', options.url, body, headers, timeoutMs);
      if (!isSuccess(answer)) throw answerError('webhook', answer);
      return {};
    },
  };
}

/**
 * Checks a request signed with the webhook secret (a help desk reporting a hand-off's status back) and returns its
 * parsed JSON body. Throws `WebhookVerificationError` for a missing or wrong signature or a timestamp more than five
 * minutes off. `body` must be the raw bytes as received: re-serialised JSON would not match the signature.
 */
export function verifyWebhook(secret: string, headers: IncomingHttpHeaders | Record<string, string>, body: string | Buffer): unknown {
  const pick = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  };
  return new Webhook(secret).verify(body, {
    'webhook-id': pick('webhook-id'),
    'webhook-timestamp': pick('webhook-timestamp'),
    'webhook-signature': pick('webhook-signature'),
  });
}

export { WebhookVerificationError } from 'standardwebhooks';
