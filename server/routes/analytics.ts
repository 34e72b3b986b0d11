import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { requireLogin } from '../auth/logins.ts';
import type { AppContext } from '../http/context.ts';
import { streamCsv } from '../http/csv.ts';
import { AppError, invalidInput, unknownFlow } from '../http/errors.ts';
import { requestLanguage } from '../http/request.ts';
import { normalizeLanguage } from '../i18n/language.ts';
import { LANGUAGE_NAMES, LANGUAGES } from '../i18n/locales.ts';
import { pageData } from '../render/page-data.ts';
import { edgeKey, flowSvg } from '../render/flow-svg.ts';
import { OUTCOMES } from '../../flows/types.ts';
import { AUDIENCES, CHANNELS, type AnalyticsFilter, type Audience, type Channel } from '../store/types.ts';

const DAY = 24 * 3600 * 1000;
const ABANDON_AFTER = 30 * 60 * 1000;

/** `from`/`to` are whole UTC days, `to` included; by default the last 30 days. */
export function parseFilter(query: Request['query'], now = Date.now()): AnalyticsFilter & { fromDay: string; toDay: string } {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const dayOf = (v: unknown, name: string) => {
    const s = str(v);
    if (s === undefined) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s))) throw invalidInput(`${name}: write the date as YYYY-MM-DD`);
    return Date.parse(s);
  };
  const today = Math.floor(now / DAY) * DAY;
  const to = (dayOf(query.to, 'to') ?? today) + DAY;
  const from = dayOf(query.from, 'from') ?? to - 30 * DAY;
  if (from >= to) throw invalidInput('from: the period starts after it ends');
  const lng = str(query.lng);
  const channel = str(query.channel);
  const audience = str(query.audience);
  if (lng && !normalizeLanguage(lng)) throw invalidInput(`lng must be one of ${LANGUAGES.join(', ')}`);
  if (channel && !CHANNELS.includes(channel as Channel)) throw invalidInput(`channel must be one of ${CHANNELS.join(', ')}`);
  if (audience && !AUDIENCES.includes(audience as Audience)) throw invalidInput(`audience must be one of ${AUDIENCES.join(', ')}`);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    from,
    to,
    fromDay: iso(from),
    toDay: iso(to - DAY),
    abandonedBefore: now - ABANDON_AFTER,
    ...(lng ? { lng: normalizeLanguage(lng)! } : {}),
    ...(channel ? { channel: channel as Channel } : {}),
    ...(audience ? { audience: audience as Audience } : {}),
  };
}

/**
 * Tools read `/api/analytics` with `Authorization: Bearer <ANALYTICS_TOKEN>`; people with an admin login. The token
 * is compared by hash, in constant time.
 */
function analyticsAuth(token: string | undefined) {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer && expected && timingSafeEqual(createHash('sha256').update(bearer).digest(), expected)) return next();
    if (bearer) return next(new AppError(401, 'unauthorized', 'That token is not valid.'));
    return requireLogin('admin')(req, res, next);
  };
}

export function analyticsRoutes(ctx: AppContext, token: string | undefined): Router {
  const { store, flows, renderer, render } = ctx;
  const router = Router();

  router.get('/api/analytics/flows/:flowId', analyticsAuth(token), async (req, res) => {
    const flowId = String(req.params.flowId);
    const flow = flows.get(flowId);
    if (!flow) throw unknownFlow(flowId);
    const { fromDay, toDay, ...filter } = parseFilter(req.query);
    res.json({ flowId: flow.id, from: fromDay, to: toDay, ...(await store.analytics({ ...filter, flowId: flow.id })) });
  });

  router.get('/admin/analytics', async (req, res) => {
    const lng = requestLanguage(req);
    const t = ctx.i18n.getFixedT(lng);
    const filter = parseFilter(req.query);
    const flowId = typeof req.query.flow === 'string' && req.query.flow ? req.query.flow : undefined;
    const flow = flowId ? flows.get(flowId) : undefined;
    if (flowId && !flow) throw unknownFlow(flowId);
    const figures = await store.analytics({ ...filter, ...(flow ? { flowId: flow.id } : {}) });
    const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
    const diagram =
      flow &&
      flowSvg(
        flow,
        (s) => (s === '__flow__' ? renderer.text(flow, 'title', lng) : renderer.text(flow, `${s}.title`, lng)),
        (s, e) => renderer.text(flow, `${s}.options.${e}`, lng),
        {
          steps: figures.steps ?? {},
          edges: new Map((figures.transitions ?? []).map((tr) => [edgeKey(tr.from, tr.event, tr.to), tr.count])),
          reachedLabel: (n) => t('analytics.reachedShort', { count: n }),
          abandonedLabel: (n) => t('analytics.abandonedShort', { count: n }),
        },
      );
    const query = new URLSearchParams(
      Object.entries({ from: filter.fromDay, to: filter.toDay, lng: filter.lng, channel: filter.channel, audience: filter.audience, flow: flowId }).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    ).toString();
    const maxDay = Math.max(1, ...figures.perDay.map((d) => d.started));
    const option = (value: string, label: string, current?: string) => ({ value, label, selected: value === current });
    res.send(
      render(
        'admin-analytics',
        {
          ...pageData(ctx, req, lng, {}),
          agent: req.login!.agent,
          csrf: req.login!.csrf,
          isAdmin: true,
          pageTitle: t('analytics.title'),
          f: figures,
          rates: {
            resolution: pct(figures.resolutionRate),
            helpful: pct(figures.feedback.rate),
            median: figures.medianSecondsToOutcome === null ? '–' : formatDuration(figures.medianSecondsToOutcome),
          },
          outcomes: OUTCOMES.map((o) => ({
            name: o,
            label: t(`session.outcome.${o}`),
            count: figures.outcomes[o],
          })),
          days: figures.perDay.map((d, i) => ({ ...d, x: i * 14, h: Math.round((d.started / maxDay) * 80), y: 90 - Math.round((d.started / maxDay) * 80) })),
          chartWidth: Math.max(14, figures.perDay.length * 14),
          diagram,
          flowTitle: flow && renderer.text(flow, 'title', lng),
          comments: figures.comments.map((c) => ({ ...c, when: new Date(c.at).toISOString().slice(0, 16).replace('T', ' ') })),
          filter: {
            from: filter.fromDay,
            to: filter.toDay,
            flows: flows.list.map((fl) => option(fl.id, renderer.text(fl, 'title', lng), flowId)),
            languages: LANGUAGES.map((l) => option(l, LANGUAGE_NAMES[l], filter.lng)),
            channels: CHANNELS.map((c) => option(c, t(`channel.${c}`), filter.channel)),
            audiences: AUDIENCES.map((a) => option(a, t(`analytics.audiences.${a}`), filter.audience)),
          },
          exports: { sessions: `/admin/analytics/sessions.csv?${query}`, steps: `/admin/analytics/steps.csv?${query}` },
        },
        'console',
      ),
    );
  });

  const exportFilter = (req: Request) => {
    const { fromDay, toDay, ...filter } = parseFilter(req.query);
    const flowId = typeof req.query.flow === 'string' && req.query.flow ? req.query.flow : undefined;
    if (flowId && !flows.get(flowId)) throw unknownFlow(flowId);
    return { filter: { ...filter, ...(flowId ? { flowId } : {}) }, name: `${flowId ?? 'all'}-${fromDay}-${toDay}` };
  };

  router.get('/admin/analytics/sessions.csv', async (req, res) => {
    const { filter, name } = exportFilter(req);
    await streamCsv(res, `sessions-${name}.csv`, SESSION_COLUMNS, store.exportSessions(filter), ['ticket_ref', 'origin']);
  });

  router.get('/admin/analytics/steps.csv', async (req, res) => {
    const { filter, name } = exportFilter(req);
    await streamCsv(res, `steps-${name}.csv`, STEP_COLUMNS, store.exportSteps(filter), ['note']);
  });

  return router;
}

export const SESSION_COLUMNS = [
  'id', 'ref', 'flow_id', 'flow_version', 'lng', 'audience', 'channel', 'origin', 'status', 'outcome', 'state',
  'abandoned', 'steps', 'agent_id', 'ticket_ref', 'created_at', 'updated_at', 'finished_at',
];
export const STEP_COLUMNS = ['session_id', 'seq', 'flow_id', 'prev_state', 'event', 'state', 'agent_id', 'note', 'at'];

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${seconds % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
