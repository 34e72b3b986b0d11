import nodemailer from 'nodemailer';
import { oneLine } from '../../render/transcript.ts';
import { DeliveryError, type Channel, type HandoffStory } from '../story.ts';
import { storyHtml, storySubject, storyText, type HandoffT } from './story-view.ts';

export interface EmailOptions {
  /** SMTP_URL: `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  /** HANDOFF_EMAIL_TO: the support team's address (several separated by commas). */
  to: string;
  /** HANDOFF_EMAIL_FROM */
  from: string;
  /** How long to wait for the server at each stage; a hung server is a failure to try again. */
  timeoutMs?: number;
}

const SMTP_TIMEOUT_MS = 15_000;

/** `Message-ID` for a delivery: the same on every attempt, so a copy sent again after a crash reads as the same email. */
export const emailMessageId = (deliveryId: string) => `<${deliveryId}@mailhelp>`;

/** Sends each hand-off as one email to the support team, replies going to the person. */
export function emailChannel(options: EmailOptions, t: HandoffT): Channel {
  const timeout = options.timeoutMs ?? SMTP_TIMEOUT_MS;
  // Not pooled: a hand-off is rare, and an idle pooled connection would only be dropped by the server.
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    name: 'email',
    async deliver(story, delivery) {
      try {
        await transport.sendMail({
          from: options.from,
          to: options.to,
          ...(story.email ? { replyTo: story.name ? { name: oneLine(story.name), address: story.email } : story.email } : {}),
          subject: storySubject(story),
          messageId: emailMessageId(delivery.id),
          text: storyText(story, t),
          html: htmlDocument(story, storyHtml(story, t)),
          headers: { 'X-Mailhelp-Ref': story.ref },
        });
        return {};
      } catch (err) {
        throw smtpError(err);
      }
    },
  };
}

function htmlDocument(story: HandoffStory, body: string): string {
  return `<!doctype html>\n<html lang="${story.storyLng}"><head><meta charset="utf-8"></head><body>\n${body}\n</body></html>\n`;
}

// Failures that come from our own configuration or message, not from the server's state: the same next time.
const OUR_MISTAKES = new Set(['ECONFIG', 'ENOAUTH', 'EENVELOPE']);

/**
 * A 5xx reply is the server's final word (no such mailbox, bad credentials, message refused); a 4xx reply is
 * "later" (greylisting, a full queue). No reply at all — refused, reset, timed out — is worth another try.
 */
export function smtpError(err: unknown): DeliveryError {
  const e = err as { message?: unknown; responseCode?: unknown; code?: unknown };
  const message = `email: ${typeof e.message === 'string' ? e.message : String(err)}`;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined) return new DeliveryError(message, code >= 500 ? { permanent: true } : {});
  return new DeliveryError(message, OUR_MISTAKES.has(String(e.code)) ? { permanent: true } : {});
}
