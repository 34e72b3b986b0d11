import { z } from 'zod';

// The subdomain alone: it is put into a URL, so a dot, a slash or an `@` could send the API key elsewhere.
const subdomain = (example: string) =>
  z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, `the subdomain only, e.g. acme for acme.${example}`);

/** An address or a comma-separated list of them, optionally `Name <address>`; nodemailer reads the rest. */
const addresses = z.string().regex(/^[^\r\n]*@[^\r\n]*$/, 'an email address, e.g. support@example.com');

/**
 * The environment variables of hand-off channels (README: "Hand-off to your help desk"). Each is optional: a
 * channel is on when all of its variables are set; `handoffChannelProblem` names the one missing from a channel
 * half set up. Merge into server/config.ts's schema with `z.object({ ...shape, ...handoffConfigSchema.shape })`.
 */
export const handoffConfigSchema = z.object({
  /** `smtp://user:pass@host:port` or `smtps://…` */
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/\s]+/i.test(v), 'a URL like smtp://user:pass@host:587 or smtps://user:pass@host:465')
    .optional(),
  HANDOFF_EMAIL_TO: addresses.optional(),
  HANDOFF_EMAIL_FROM: addresses.optional(),
  HANDOFF_WEBHOOK_URL: z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'an http(s) URL')
    .optional(),
  /** `whsec_` and a base64 key, as Standard Webhooks writes it. */
  HANDOFF_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'whsec_ followed by a base64 key of at least 16 bytes')
    .optional(),
  ZENDESK_SUBDOMAIN: subdomain('zendesk.com').optional(),
  ZENDESK_EMAIL: z.email().optional(),
  ZENDESK_API_TOKEN: z.string().min(1).optional(),
  FRESHDESK_DOMAIN: subdomain('freshdesk.com').optional(),
  FRESHDESK_API_KEY: z.string().min(1).optional(),
});

export type HandoffConfig = z.infer<typeof handoffConfigSchema>;

/** Every channel with the variables it needs, all of them. */
export const CHANNEL_VARIABLES = {
  email: ['SMTP_URL', 'HANDOFF_EMAIL_TO', 'HANDOFF_EMAIL_FROM'],
  webhook: ['HANDOFF_WEBHOOK_URL', 'HANDOFF_WEBHOOK_SECRET'],
  zendesk: ['ZENDESK_SUBDOMAIN', 'ZENDESK_EMAIL', 'ZENDESK_API_TOKEN'],
  freshdesk: ['FRESHDESK_DOMAIN', 'FRESHDESK_API_KEY'],
} as const satisfies Record<string, readonly (keyof HandoffConfig)[]>;

/**
 * The first channel that is half set up, as one line naming what is missing; undefined when every channel is
 * either fully set or not at all. A half-set channel would silently deliver nothing, so the server refuses to start.
 */
export function handoffChannelProblem(config: Partial<Record<keyof HandoffConfig, string | undefined>>): string | undefined {
  for (const [channel, names] of Object.entries(CHANNEL_VARIABLES)) {
    const set = names.filter((n) => config[n]);
    const missing = names.filter((n) => !config[n]);
    if (set.length > 0 && missing.length > 0)
      return `${missing.join(', ')} must be set too: ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set, and the ${channel} hand-off needs all of ${names.join(', ')}`;
  }
  return undefined;
}
