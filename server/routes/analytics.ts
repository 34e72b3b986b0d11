import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireLogin } from '../auth/logins.ts';
import type { AppContext } from '../http/context.ts';
import { streamCsv } from '../http/csv.ts';
import { AppError, invalidInput, unknownFlow } from '../http/errors.ts';
import { requestLanguage } from '../http/request.ts';
import { LANGUAGE_NAMES, LANGUAGES } from '../i18n/locales.ts';
import { isoDay, option, utcMinute } from '../render/format.ts';
import { edgeKey, flowSvg } from '../render/flow-svg.ts';
import { ConsoleService } from '../services/console.ts';
import { OUTCOMES } from '../../flows/types.ts';
import { AUDIENCES, CHANNELS, type AnalyticsFilter } from '../store/types.ts';
import { sendConsolePage } from './console-page.ts';
import { day, language, optional, parse } from './parse.ts';

const DAY = 24 * 3600 * 1000;
const ABANDON_AFTER = 30 * 60 * 1000;

const analyticsQuery = z.object({
  from: optional(day),
  to: optional(day),
  lng: optional(language),
  channel: optional(z.enum(CHANNELS)),
  audience: optional(z.enum(AUDIENCES)),
  flow: optional(z.string().max(100)),
  /** A published version number of `flow`. */
  version: optional(z.coerce.number().int().min(1).max(1e9)),
});

/** The period and filters of a query. `from`/`to` are whole UTC days, `to` included; by default the last 30 days. */
export function parseFilter(
  query: Request['query'],
  now = Date.now(),
): { filter: AnalyticsFilter; fromDay: string; toDay: string; flowId?: string; version?: number } {
  const q = parse(analyticsQuery, query);
  if (q.version !== undefined && q.flow === undefined) throw invalidInput('version: a version is of one guide; give flow too');
  const today = Math.floor(now / DAY) * DAY;
  const to = (q.to ?? today) + DAY;
  const from = q.from ?? to - 30 * DAY;
  if (from >= to) throw invalidInput('from: the period starts after it ends');
  return {
    filter: {
      from,
      to,
      abandonedBefore: now - ABANDON_AFTER,
      ...(q.lng ? { lng: q.lng } : {}),
      ...(q.channel ? { channel: q.channel } : {}),
      ...(q.audience ? { audience: q.audience } : {}),
    },
    fromDay: isoDay(from),
    toDay: isoDay(to - DAY),
    ...(q.flow ? { flowId: q.flow } : {}),
    ...(q.version !== undefined ? { version: q.version } : {}),
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
  const { flows, renderer } = ctx;
  const service = new ConsoleService(ctx);
  const router = Router();

  /** `?version=N` of a guide as sessions pin it: the version's content hash. */
  const versionFilter = async (flowId: string, version: number | undefined) =>
    version === undefined ? {} : { flowVersion: await ctx.content.hashOf(flowId, version) };

  /**
   * The query's filter, with `?flow=` checked against the guides there are and `?version=` against its versions;
   * `flow` is the version asked for (its diagram is the one drawn), else the current one.
   */
  const flowFilter = async (req: Request) => {
    const { filter, fromDay, toDay, flowId, version } = parseFilter(req.query);
    const current = flowId === undefined ? undefined : flows.get(flowId);
    if (flowId !== undefined && !current) throw unknownFlow(flowId);
    const pinned = current ? await versionFilter(current.id, version) : {};
    const flow = current && pinned.flowVersion ? ((await ctx.content.pinned(current.id, pinned.flowVersion)) ?? current) : current;
    return { filter: { ...filter, ...(flow ? { flowId: flow.id } : {}), ...pinned }, fromDay, toDay, flow, version };
  };

  router.get('/api/analytics/flows/:flowId', analyticsAuth(token), async (req, res) => {
    const flowId = String(req.params.flowId);
    const flow = flows.get(flowId);
    if (!flow) throw unknownFlow(flowId);
    const { filter, fromDay, toDay, version } = parseFilter({ ...req.query, flow: flowId });
    const pinned = await versionFilter(flow.id, version);
    res.json({
      flowId: flow.id,
      ...(version !== undefined ? { version } : {}),
      from: fromDay,
      to: toDay,
      ...(await service.figures({ ...filter, flowId: flow.id, ...pinned })),
    });
  });

  router.get('/admin/analytics', async (req, res) => {
    const lng = requestLanguage(req);
    const t = ctx.i18n.getFixedT(lng);
    const { filter, fromDay, toDay, flow, version } = await flowFilter(req);
    const figures = await service.figures(filter);
    const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
    const hours = (h: number | null) => (h === null ? '–' : `${h} h`);
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
      Object.entries({
        from: fromDay,
        to: toDay,
        lng: filter.lng,
        channel: filter.channel,
        audience: filter.audience,
        flow: flow?.id,
        version: version === undefined ? undefined : String(version),
      }).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    ).toString();
    const maxDay = Math.max(1, ...figures.perDay.map((d) => d.started));
    // A guide's versions, newest first, to compare how each did; none until a guide is chosen.
    const versions = flow ? await ctx.content.versions(flow.id).catch(() => []) : [];
    sendConsolePage(ctx, req, res, 'admin-analytics', {
      pageTitle: t('analytics.title'),
      f: figures,
      rates: {
        resolution: pct(figures.resolutionRate),
        helpful: pct(figures.feedback.rate),
        median: figures.medianSecondsToOutcome === null ? '–' : formatDuration(figures.medianSecondsToOutcome),
      },
      handoffHours: hours(figures.handoffs.medianHoursToSolved),
      // Per guide only when no guide is chosen; a guide's own figures are the two above.
      handoffsByFlow: figures.handoffsByFlow?.map((h) => {
        const fl = flows.get(h.flowId);
        return { ...h, title: fl ? renderer.text(fl, 'title', lng) : h.flowId, hours: hours(h.medianHoursToSolved) };
      }),
      outcomes: OUTCOMES.map((o) => ({
        name: o,
        label: t(`session.outcome.${o}`),
        count: figures.outcomes[o],
      })),
      days: figures.perDay.map((d, i) => ({ ...d, x: i * 14, h: Math.round((d.started / maxDay) * 80), y: 90 - Math.round((d.started / maxDay) * 80) })),
      chartWidth: Math.max(14, figures.perDay.length * 14),
      // The axes: the tallest bar's count and the period's first and last day with sessions (one label for one day).
      maxDay,
      firstDay: figures.perDay[0]?.day ?? fromDay,
      lastDay: figures.perDay.length > 1 ? figures.perDay.at(-1)!.day : undefined,
      diagram,
      flowTitle: flow && renderer.text(flow, 'title', lng),
      comments: figures.comments.map((c) => ({ ...c, when: utcMinute(c.at) })),
      filter: {
        from: fromDay,
        to: toDay,
        flows: flows.list.map((fl) => option(fl.id, renderer.text(fl, 'title', lng), flow?.id)),
        languages: LANGUAGES.map((l) => option(l, LANGUAGE_NAMES[l], filter.lng)),
        channels: CHANNELS.map((c) => option(c, t(`channel.${c}`), filter.channel)),
        audiences: AUDIENCES.map((a) => option(a, t(`analytics.audiences.${a}`), filter.audience)),
        versions: versions.map((v) =>
          option(String(v.number), t('analytics.versionOption', { number: v.number, day: isoDay(v.publishedAt) }), version === undefined ? undefined : String(version)),
        ),
      },
      exports: { sessions: `/admin/analytics/sessions.csv?${query}`, steps: `/admin/analytics/steps.csv?${query}` },
    });
  });

  const exportFilter = async (req: Request) => {
    const { filter, fromDay, toDay, flow, version } = await flowFilter(req);
    return { filter, name: `${flow?.id ?? 'all'}${version === undefined ? '' : `-v${version}`}-${fromDay}-${toDay}` };
  };

  router.get('/admin/analytics/sessions.csv', async (req, res) => {
    const { filter, name } = await exportFilter(req);
    await streamCsv(res, `sessions-${name}.csv`, SESSION_COLUMNS, service.exportSessions(filter), ['ticket_ref', 'origin']);
  });

  router.get('/admin/analytics/steps.csv', async (req, res) => {
    const { filter, name } = await exportFilter(req);
    await streamCsv(res, `steps-${name}.csv`, STEP_COLUMNS, service.exportSteps(filter), ['note']);
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
