import { DeliveryError } from '../story.ts';

/** How long one HTTP delivery may take, body included, before it counts as a failure to try again. */
export const HTTP_TIMEOUT_MS = 10_000;

// A receiver asking for days is misconfigured; the outbox's own backoff takes over beyond this.
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
// Enough of an error body to say what was wrong, never a whole page.
const MAX_DETAIL_CHARS = 300;

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * POSTs a JSON body and reads the answer. Only the network can make this throw, and then always a retryable
 * DeliveryError: refused, reset, timed out — the receiver may be back later. Redirects are not followed: a POST
 * redirected becomes a GET, and a moved endpoint is for the administrator to fix.
 */
export async function postJson(channel: string, url: string, body: string, headers: Record<string, string>, timeoutMs = HTTP_TIMEOUT_MS): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : networkReason(err);
    throw new DeliveryError(`${channel}: ${reason}`);
  }
}

function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch says only "fetch failed"; the cause names the real trouble (ECONNREFUSED, ENOTFOUND…).
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  return [err.message, code ?? cause?.message].filter(Boolean).join(': ');
}

/**
 * The error for an answer that is not a success. 408, 429 and 5xx may pass (honouring `Retry-After`); any other
 * status — a bad request, bad credentials, a redirect — will be answered the same next time, so it is permanent.
 */
export function answerError(channel: string, answer: HttpAnswer, detail = ''): DeliveryError {
  const { status } = answer;
  const retryable = status === 408 || status === 429 || status >= 500;
  const text = detail || answer.body.replace(/\s+/g, ' ').trim();
  const where = status >= 300 && status < 400 ? ` to ${answer.headers.get('location') ?? '?'}` : '';
  const message = `${channel}: HTTP ${status}${where}${text ? `: ${text.slice(0, MAX_DETAIL_CHARS)}` : ''}`;
  if (!retryable) return new DeliveryError(message, { permanent: true });
  const after = retryAfterMs(answer.headers.get('retry-after'));
  return new DeliveryError(message, after === undefined ? {} : { retryAfterMs: after });
}

export const isSuccess = (answer: HttpAnswer) => answer.status >= 200 && answer.status < 300;

/** The answer's body as JSON, or undefined when it is not JSON. */
export function jsonOf(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.body);
  } catch {
    return undefined;
  }
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
