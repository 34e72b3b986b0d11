import express, { type Express } from 'express';
import { createDns, type Dns } from '../checks/dns.ts';
import { parseZones } from '../checks/dnsbl.ts';
import { SenderIpService } from '../services/sender-ips.ts';
import { checkEmailDomain } from '../checks/email-domain.ts';
import { checkPastedHeaders } from '../checks/headers/paste.ts';
import { checkPastedBounce } from '../checks/bounce-paste.ts';
import { embedPolicy, type Config } from '../config.ts';
import type { AppContext } from './context.ts';
import { Engine } from '../engine/engine.ts';
import { errorHandler, notFound } from './error-handler.ts';
import { AppError } from './errors.ts';
import { FlowRegistry } from '../engine/flow-registry.ts';
import { createI18n, tFor } from '../i18n/i18n.ts';
import { DEFAULT_LANGUAGE } from '../i18n/locales.ts';
import { createLimits } from './limits.ts';
import { noStore, securityHeaders } from './policy.ts';
import { createLogger, requestLog, routeOf, type Logger } from './log.ts';
import { StepRenderer } from '../render/step.ts';
import { loadLogin } from '../auth/logins.ts';
import { adminRoutes } from '../routes/admin.ts';
import { studioRoutes } from '../routes/studio/index.ts';
import { analyticsRoutes } from '../routes/analytics.ts';
import { agentRoutes } from '../routes/agent/index.ts';
import { apiRoutes } from '../routes/api.ts';
import { embedRoutes } from '../routes/embed.ts';
import { FlowSearch } from '../services/search.ts';
import { DraftService } from '../content/drafts.ts';
import { channelsFromConfig } from '../handoff/channels/index.ts';
import type { HandoffConfig } from '../handoff/config.ts';
import { Outbox, type OutboxOptions } from '../handoff/outbox.ts';
import { HandoffService } from '../handoff/service.ts';
import { ContentService } from '../content/service.ts';
import { adminFlowRoutes } from '../routes/admin-flows.ts';
import { handoffStatusRoutes } from '../routes/handoff-status.ts';
import { adminTranslationRoutes } from '../routes/admin-translations.ts';
import { pageRoutes } from '../routes/pages.ts';
import type { Store } from '../store/types.ts';
import { createViews, VIEWS_DIR } from '../render/views.ts';

export interface AppOptions {
  store: Store;
  config?: Partial<
    Pick<Config, 'TRUST_PROXY' | 'EMBED_ORIGINS' | 'DEMO_PAGES' | 'NODE_ENV' | 'DNS_SERVERS' | 'DNSBL_ZONES' | 'DNS_TIMEOUT_MS' | 'CHECK_DEADLINE_MS' | 'CHECKS_PER_MINUTE' | 'SESSIONS_PER_MINUTE' | 'STEPS_PER_MINUTE' | 'ANALYTICS_TOKEN' | 'ADMIN_TOKEN'> & HandoffAppConfig
  >;
  /** Options of the hand-off outbox (tests shorten its waits); its channels come from the configuration. */
  outbox?: OutboxOptions;
  /** The resolver for domain checks; by default one built from DNS_SERVERS, DNS_TIMEOUT_MS and CHECK_DEADLINE_MS. */
  dns?: Dns;
  flows?: FlowRegistry;
  /**
   * The guides' versions, started on `flows` (server/content/startup.ts: the built-in sync, then every guide's
   * latest version current). `server/main.ts` passes it; without it, the registry serves the built-in documents and
   * publishing through the admin API starts from whatever the database holds.
   */
  content?: ContentService;
  /** Where request lines and errors go; by default nowhere (tests), `server/main.ts` passes stdout's. */
  logger?: Logger;
  /** Called with every unexpected error; by default it is logged with the request's id and route. */
  log?: (err: unknown, req: express.Request) => void;
}

/** The hand-off settings the app reads: its channels, and how requests and their stories are made. */
type HandoffAppConfig = HandoffConfig &
  Pick<Config, 'PUBLIC_URL' | 'HANDOFF_LANGUAGE' | 'HANDOFF_REQUIRE_EMAIL' | 'HANDOFF_STATUS_TOKEN' | 'HANDOFF_MAX_ATTEMPTS' | 'HANDOFF_RETRY_BASE_MS' | 'HANDOFFS_PER_HOUR'>;

/** Where the app's request lines and unexpected errors go; the hot path in front of it writes to the same. */
export interface AppLog {
  logger: Logger;
  logError: (err: unknown, req: express.Request) => void;
}

export type App = Express & { locals: { ctx: AppContext; log: AppLog } };

/** Builds the app on a store; `server/main.ts` serves it (server/http/server.ts), tests use it with supertest or on a free port. */
export function createApp(options: AppOptions): App {
  const flows = options.flows ?? new FlowRegistry();
  const logger = options.logger ?? createLogger('silent');
  const logError =
    options.log ?? ((err: unknown, req: express.Request) => logger.error({ reqId: req.id, method: req.method, route: routeOf(req), err }, 'request failed'));
  const i18n = createI18n();
  const renderer = new StepRenderer(i18n);
  const dns =
    options.dns ??
    createDns({
      servers: options.config?.DNS_SERVERS?.split(/[\s,]+/).filter(Boolean),
      timeoutMs: options.config?.DNS_TIMEOUT_MS ?? 2000,
      deadlineMs: options.config?.CHECK_DEADLINE_MS,
    });
  const search = new FlowSearch(flows, renderer);
  // A guide published or added while the app runs is found by search at once.
  flows.onChange(() => search.rebuild());
  const config = options.config ?? {};
  const channels = channelsFromConfig(config, tFor(i18n, config.HANDOFF_LANGUAGE ?? DEFAULT_LANGUAGE));
  const outbox = new Outbox(
    options.store.handoffs,
    new Map(channels.map((c) => [c.name, c])),
    { maxAttempts: config.HANDOFF_MAX_ATTEMPTS, baseDelayMs: config.HANDOFF_RETRY_BASE_MS, ...options.outbox },
    (err) => logger.error({ err }, 'hand-off delivery'),
  );
  const content = options.content ?? new ContentService(options.store, flows, (err) => logger.error({ err }, 'guide versions'));
  const ctx: AppContext = {
    store: options.store,
    flows,
    i18n,
    renderer,
    engine: new Engine(options.store, flows, renderer, {
      emailDomain: (domain, includes) => checkEmailDomain(dns, domain, [...includes]),
      headers: (text) => checkPastedHeaders(dns, text),
      bounce: (text) => checkPastedBounce(text),
    }),
    content,
    drafts: new DraftService(options.store, content),
    outbox,
    handoffs: new HandoffService(
      { store: options.store, flows, content, renderer, i18n },
      { requireEmail: config.HANDOFF_REQUIRE_EMAIL ?? true, storyLng: config.HANDOFF_LANGUAGE ?? DEFAULT_LANGUAGE, publicUrl: config.PUBLIC_URL },
      outbox,
    ),
    render: createViews(),
    search,
    dns,
    senderIps: new SenderIpService(flows, dns, parseZones(options.config?.DNSBL_ZONES)),
    limits: createLimits({
      sessionsPerMinute: options.config?.SESSIONS_PER_MINUTE ?? 30,
      stepsPerMinute: options.config?.STEPS_PER_MINUTE ?? 300,
      checksPerMinute: options.config?.CHECKS_PER_MINUTE ?? 20,
      handoffsPerHour: options.config?.HANDOFFS_PER_HOUR ?? 10,
      counter: options.store.hitCounter,
    }),
  };

  const app = express();
  app.locals.ctx = ctx;
  app.locals.log = { logger, logError } satisfies AppLog;
  app.disable('x-powered-by');
  // Pages and JSON below are one person's session: never stored by a browser or proxy, so no ETag to compute.
  app.set('etag', false);
  // Behind a proxy, trust exactly one hop: the client address and protocol come from it, and no client can
  // forge them past it (which would defeat per-address rate limits).
  app.set('trust proxy', options.config?.TRUST_PROXY ? 1 : false);
  app.use(requestLog(logger));
  app.use(securityHeaders);

  // A load balancer or supervisor asks this: "ok" only if the database can be read right now.
  app.get('/healthz', async (req, res) => {
    try {
      await ctx.store.ping();
    } catch (err) {
      logError(err, req);
      throw new AppError(503, 'unavailable', 'The database cannot be read.');
    }
    res.json({ status: 'ok' });
  });
  app.use('/assets', express.static(`${VIEWS_DIR}assets`, { immutable: true, maxAge: '365d', index: false }));
  // Browsers ask for /favicon.ico whatever a page links (pages link the versioned asset); its URL never changes, so a day.
  app.get('/favicon.ico', (_req, res) => res.sendFile(`${VIEWS_DIR}assets/favicon.ico`, { maxAge: '1d' }));
  app.use(noStore);
  app.use(embedRoutes(ctx, embedPolicy({ NODE_ENV: 'development', ...options.config })));
  app.use(loadLogin(ctx.store));
  app.use(agentRoutes(ctx));
  app.use(studioRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(analyticsRoutes(ctx, options.config?.ANALYTICS_TOKEN));
  app.use(adminTranslationRoutes(ctx, options.config?.ADMIN_TOKEN));
  app.use(adminFlowRoutes(ctx, options.config?.ADMIN_TOKEN));
  // Before the API's JSON parser: a signed report is checked over its raw bytes.
  app.use(handoffStatusRoutes(ctx, { token: config.HANDOFF_STATUS_TOKEN, webhookSecret: config.HANDOFF_WEBHOOK_SECRET }));
  app.use('/api', apiRoutes(ctx));
  app.use(pageRoutes(ctx));
  app.use(notFound);
  app.use(errorHandler(ctx, logError));
  return app as App;
}
