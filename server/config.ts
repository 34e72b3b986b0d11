import { z } from 'zod';
import { parseZones } from './checks/dnsbl.ts';
import { handoffChannelProblem, handoffConfigSchema } from './handoff/config.ts';
import { LOG_LEVELS } from './http/log.ts';
import { LANGUAGES } from './i18n/locales.ts';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DB_PATH: z.string().min(1).default('data/mailhelp.db'),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  /** PostgreSQL instead of SQLite (`postgres://user:password@host:5432/db`), for several instances sharing one database. */
  DATABASE_URL: z
    .string()
    .refine((v) => URL.canParse(v) && /^postgres(ql)?:$/.test(new URL(v).protocol), 'a postgres:// or postgresql:// URL')
    .optional(),
  /** Connections each instance keeps to PostgreSQL at most. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /** Set when the app runs behind a TLS-terminating proxy: client IPs and `Secure` cookies come from it. */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  NODE_ENV: z.string().default('development'),
  /**
   * Origins allowed to embed the widget's pages in a frame, space- or comma-separated (`https://help.example.com`),
   * or `*` for any. Unset: any origin in development, none in production.
   */
  EMBED_ORIGINS: z.string().optional(),
  /** Resolvers for the domain checks, `host[:port]` separated by spaces or commas; unset: the system's. */
  DNS_SERVERS: z.string().optional(),
  /**
   * DNS blocklist zones the sending IPs guides name are checked against (`zen.spamhaus.org bl.spamcop.net`), spaces
   * or commas between; unset or empty: no blocklist checks. Mind each list's terms of use (README).
   */
  DNSBL_ZONES: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseZones(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
  DNS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2000),
  /** How long one whole domain check may take, every DNS query included, before it answers with status `error`. */
  CHECK_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Domain checks one client may run per minute. */
  CHECKS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
  /** New sessions one client may start per minute (API, pages and widget together). */
  SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /** Steps (answers, Back, Start over) one client may take per minute, across all its sessions. */
  STEPS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(300),
  /** Lets tools read /api/analytics with `Authorization: Bearer <token>`; unset: admin login only. */
  ANALYTICS_TOKEN: z.string().min(16).optional(),
  /**
   * Lets tools read and change guides through /api/admin/flows with `Authorization: Bearer <token>`, with an
   * administrator's rights; unset: signed-in administrators, authors and translators only.
   */
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** How often (ms) each instance looks for guide versions published by another one: a publish is served everywhere within this. */
  FLOW_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Sessions older than this many days are deleted (hourly, and by `npm run purge`); unset: kept. */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /**
   * The plain step requests answered in front of Express (server/http/hot-path.ts), as Express itself would answer
   * them; `false` serves every request through Express, e.g. to rule the hot path out while looking into a problem.
   */
  HOT_PATH: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** How much the server logs (JSON lines on stdout): one line per request at `info`. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Serve the demo help-center page at /demo/help-center. Unset: on in development, off in production. */
  DEMO_PAGES: z.enum(['true', 'false', '1', '0']).optional(),
  /** Where people reach this server (`https://help.example.com`): links to the console in hand-offs. Unset: no links. */
  PUBLIC_URL: z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'an http(s) URL like https://help.example.com')
    .optional(),
  /** The support team's language: hand-offs' transcripts, emails and tickets are written in it. */
  HANDOFF_LANGUAGE: z.enum(LANGUAGES).default('en'),
  /** Whether a request to support must give an address to reply to. */
  HANDOFF_REQUIRE_EMAIL: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** A help desk reports a hand-off solved or open with `Authorization: Bearer <token>` (or the webhook secret's signature). */
  HANDOFF_STATUS_TOKEN: z.string().min(16).optional(),
  /** Attempts per delivery before it is failed for good (shown to administrators, who can retry it). */
  HANDOFF_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  /** The wait (ms) after a first failed delivery; it doubles with each attempt (with jitter), up to six hours. */
  HANDOFF_RETRY_BASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Requests to support one client address may send per hour. */
  HANDOFFS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
  ...handoffConfigSchema.shape,
});

export type Config = z.infer<typeof schema>;

/** Every variable the server reads (the README's configuration table lists each; a test holds it to that). */
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof Config)[];

export interface EmbedPolicy {
  /** `*` for any origin, else the exact origins that may frame the embed pages. */
  origins: '*' | readonly string[];
  demo: boolean;
}

/** A value is an origin when it is exactly scheme://host[:port] of an http(s) URL. */
export function asOrigin(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

export function embedPolicy(config: Pick<Config, 'EMBED_ORIGINS' | 'DEMO_PAGES' | 'NODE_ENV'>): EmbedPolicy {
  const production = config.NODE_ENV === 'production';
  const raw = config.EMBED_ORIGINS?.trim() ?? (production ? '' : '*');
  const origins = raw === '*' ? '*' : raw.split(/[\s,]+/).filter(Boolean).map((o) => {
    const origin = asOrigin(o.replace(/\/$/, ''));
    if (!origin) throw new Error(`invalid configuration: EMBED_ORIGINS: "${o}" is not an origin like https://help.example.com`);
    return origin;
  });
  const demo = config.DEMO_PAGES ? config.DEMO_PAGES === 'true' || config.DEMO_PAGES === '1' : !production;
  return { origins, demo };
}

export const allowsOrigin = (policy: EmbedPolicy, origin: string) => policy.origins === '*' || policy.origins.includes(origin);

/** Reads the environment once; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  // A channel half set up would deliver nothing, silently.
  const half = handoffChannelProblem(parsed.data);
  if (half) throw new Error(`invalid configuration: ${half}`);
  return parsed.data;
}
