import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../http/context.ts';
import type { SessionView } from '../engine/engine.ts';
import { invalidInput, unknownFlow } from '../http/errors.ts';
import { normalizeLanguage } from '../i18n/language.ts';
import { rememberLanguage, requestLanguage } from '../http/request.ts';
import type { Language } from '../i18n/locales.ts';
import { pageData } from '../render/page-data.ts';
import type { Channel } from '../store/types.ts';
import { CHECK } from '../../flows/types.ts';
import { checkView } from '../render/check.ts';

/**
 * Where the pages are served: the help site itself, or the compact frame the widget embeds. The same routes and
 * templates serve both; only the URL prefix, the layout and the channel recorded on new sessions differ.
 */
export interface Surface {
  base: '' | '/embed';
  layout: 'main' | 'embed';
  channel: Channel;
  /** For the embed: the host page's origin (sent as `origin`), if it is an origin allowed to embed us. */
  hostOrigin?: (value: unknown) => string | undefined;
}

const withQuery = (path: string, parts: string[]) => {
  const query = parts.filter(Boolean).join('&');
  return query ? `${path}?${query}` : path;
};

export const SITE: Surface = { base: '', layout: 'main', channel: 'self' };

/*
 * Server-rendered pages for people helping themselves. Every change is a form POST answered with 303 to the
 * session page (POST-redirect-GET), so reloads and the browser's Back button never resend an answer, and
 * everything works without JavaScript.
 */
export function pageRoutes(ctx: AppContext, surface: Surface = SITE): Router {
  const { engine, flows, renderer, search } = ctx;
  const { base } = surface;
  const render = (page: string, data: Record<string, unknown>) => ctx.render(page, { ...data, base }, surface.layout);
  /** The host origin travels on the pages before a session exists; the session keeps it afterwards. */
  const hostQuery = (req: Request) => {
    const host = surface.hostOrigin?.(req.query.origin);
    return host ? `origin=${encodeURIComponent(host)}` : '';
  };
  const pages = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  /** `?lng=` is an explicit choice: keep it in a cookie for later visits. */
  function chosenLanguage(req: Request, res: Response): Language | undefined {
    const lng = normalizeLanguage(req.query.lng);
    if (lng) rememberLanguage(res, lng, req.secure);
    return lng;
  }

  pages.get(base || '/', (req, res) => {
    const lng = chosenLanguage(req, res) ?? requestLanguage(req);
    const list = flows.list.map((flow) => ({
      id: flow.id,
      title: renderer.text(flow, 'title', lng),
      summary: renderer.text(flow, 'summary', lng),
    }));
    // "Describe your problem" is a plain GET form: results are a page of their own, linkable and bookmarkable.
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 300) : '';
    const results = q
      ? search.search(q, lng).map((hit) => ({
          ...hit,
          href: withQuery(`${base}/flows/${hit.flowId}`, [hit.stepId ? `step=${encodeURIComponent(hit.stepId)}` : '', hostQuery(req)]),
        }))
      : undefined;
    const host = surface.hostOrigin?.(req.query.origin);
    res.send(render('home', pageData(ctx, req, lng, { flows: list, q, results, searched: Boolean(q), host, flowQuery: hostQuery(req) ? `?${hostQuery(req)}` : '' })));
  });

  pages.get(`${base}/flows/:flowId`, (req, res) => {
    const lng = chosenLanguage(req, res) ?? requestLanguage(req);
    const flow = flows.get(req.params.flowId);
    if (!flow) throw unknownFlow(req.params.flowId);
    const view = { id: flow.id, title: renderer.text(flow, 'title', lng), summary: renderer.text(flow, 'summary', lng) };
    // A search can point into the flow; an unknown or unstartable step just shows the flow from its beginning.
    const step = typeof req.query.step === 'string' ? flows.entryStep(flow, req.query.step) : undefined;
    const startAt = step && step !== flow.initial ? { id: step, title: renderer.text(flow, `${step}.title`, lng) } : undefined;
    const host = surface.hostOrigin?.(req.query.origin);
    const flowQuery = hostQuery(req) ? `?${hostQuery(req)}` : '';
    res.send(render('flow', pageData(ctx, req, lng, { flow: view, startAt, pageTitle: view.title, host, flowQuery })));
  });

  pages.post(`${base}/flows/:flowId`, form, ctx.limits.sessions, async (req, res) => {
    const body = (req.body as Record<string, unknown> | undefined) ?? {};
    const step = body.step;
    const view = await engine.start({
      flowId: req.params.flowId,
      lng: requestLanguage(req),
      channel: surface.channel,
      origin: surface.hostOrigin?.(body.origin) ?? null,
      ...(typeof step === 'string' && step ? { startAt: step } : {}),
    });
    res.redirect(303, `${base}/s/${view.session.id}`);
  });

  pages.get(`${base}/s/:id`, async (req, res) => {
    const lng = chosenLanguage(req, res);
    // The switcher keeps the session and changes its language, so later steps and redirects stay in it.
    if (lng) await engine.setLanguage(req.params.id, lng);
    const view = await engine.get(req.params.id);
    res.send(render('session', sessionPage(ctx, req, view, base)));
  });

  pages.post(`${base}/s/:id`, form, ctx.limits.checkSteps, async (req, res) => {
    const id = req.params.id;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.restart !== undefined) await engine.restart(id);
    else if (body.back !== undefined) await engine.back(id);
    else if (body.event === CHECK) await engine.send(id, CHECK, { domain: body.domain });
    else if (typeof body.event === 'string' && body.event) await engine.send(id, body.event, undefined);
    else throw invalidInput('Choose one of the answers.');
    res.redirect(303, `${base}/s/${id}`);
  });

  pages.post(`${base}/s/:id/feedback`, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.helpful !== 'yes' && body.helpful !== 'no') throw invalidInput('Answer yes or no.');
    const comment = typeof body.comment === 'string' ? body.comment.trim().slice(0, 2000) : '';
    await engine.feedback(req.params.id, body.helpful === 'yes', comment || null);
    res.redirect(303, `${base}/s/${req.params.id}#feedback-heading`);
  });

  return pages;
}

function sessionPage(ctx: AppContext, req: Request, view: SessionView, base: string) {
  const data = pageData(ctx, req, view.lng, {});
  const { t } = data;
  return {
    ...data,
    pageTitle: view.step.title,
    session: { id: view.session.id, ref: view.session.ref },
    step: view.step,
    history: view.history,
    canGoBack: view.canGoBack,
    actionUrl: `${base}/s/${view.session.id}`,
    host: view.session.origin ?? undefined,
    check: view.check ? checkView(view.check, t) : undefined,
    flowId: view.session.flowId,
    outcomeLabel: view.step.outcome ? t(`session.outcome.${view.step.outcome}`) : undefined,
    showRef: view.step.outcome === 'escalated',
    feedbackGiven: view.feedbackGiven,
    notice: view.notice,
    noticeText: view.notice ? t(`session.notice.${view.notice}`) : undefined,
  };
}
