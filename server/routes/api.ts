import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import { DOMAIN_MAX, type SessionView } from '../engine/engine.ts';
import { AppError } from '../http/errors.ts';
import { language, parse } from './parse.ts';
import type { Language } from '../i18n/locales.ts';
import { requestLanguage, requireJsonBody } from '../http/request.ts';
import { layer } from '../http/layers.ts';
import { AUDIENCES, CHANNELS } from '../store/types.ts';
import { checkRoutes, PASTE_BODY_LIMIT } from './checks.ts';
import { checkedStep, sessionJsonText } from '../render/session-json.ts';
import { tFor } from '../i18n/i18n.ts';
import type { TFunction } from 'i18next';
import type { FieldProblem } from '../handoff/service.ts';

const startBody = z.strictObject({
  flowId: z.string().min(1).max(100),
  lng: language.optional(),
  audience: z.enum(AUDIENCES).optional(),
  channel: z.enum(CHANNELS).optional(),
  startAt: z.string().min(1).max(100).optional(),
});

/**
 * `?lng=` on the API must name a language we serve; without it, the session's own language (or the request's) is
 * used. Other query parameters are not read, so they are let be.
 */
const languageQuery = z.object({ lng: language.optional() });

const searchQuery = languageQuery.extend({
  q: z.string({ error: 'is required' }).trim().min(1, 'is required').max(300, 'is longer than 300 characters'),
});

/**
 * Only a check step asks for input, with CHECK: `{"domain": "…"}` at a domain check, `{"headers": "…"}` at a headers
 * check (the engine refuses it anywhere else, and checks the paste's size itself, to answer 413).
 */
const stepInput = z.strictObject(
  { domain: z.string().max(DOMAIN_MAX, `domain is longer than ${DOMAIN_MAX} characters`).optional(), headers: z.string().optional(), text: z.string().optional() },
  { error: 'data is {"domain": "<your domain>"}, {"headers": "<the email\'s headers>"} or {"text": "<the bounce>"}, sent only with CHECK at a check step' },
);

const eventBody = z.strictObject({
  type: z.string().min(1).max(100),
  data: stepInput.optional(),
});

const feedbackBody = z.strictObject({
  helpful: z.boolean(),
  comment: z.string().max(2000).optional(),
});

/** A request to support; the service checks each field's content and names every one that is wrong. */
const handoffBody = z.strictObject({
  message: z.string().optional(),
  email: z.string().nullish(),
  name: z.string().nullish(),
});

/**
 * The body's shape: a field of the wrong type is named in `details.fields` (as the service names a wrong value), so a
 * client reads every field problem in one place; an unknown field is a plain 400.
 */
function handoffInput(body: unknown) {
  const result = handoffBody.safeParse(body ?? {});
  if (result.success) return result.data;
  const fields: Record<string, FieldProblem> = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if (issue.code !== 'unrecognized_keys' && (field === 'message' || field === 'email' || field === 'name')) fields[field] = 'invalid';
  }
  if (!Object.keys(fields).length) return parse(handoffBody, body);
  throw new AppError(400, 'invalid_input', `Check ${Object.keys(fields).map((f) => `${f} (not a string)`).join(', ')}.`, { details: { fields } });
}

/** What res.json(sessionJson(view)) sends, written directly (server/render/session-json.ts, test/server/session-json.test.ts). */
function sendSession(ctx: Pick<AppContext, 'i18n'>, res: Response, view: SessionView) {
  if (!res.get('Content-Type')) res.set('Content-Type', 'application/json');
  res.send(sessionJsonText(view, tFor(ctx.i18n, view.lng)));
}

const queryLanguage = (req: Request): Language | undefined => parse(languageQuery, req.query).lng;

/** The public Session shape (see README: JSON API). */
export function sessionJson(view: SessionView, t: TFunction) {
  const { session, step, history, lng, notice } = view;
  return {
    sessionId: session.id,
    ref: session.ref,
    flowId: session.flowId,
    lng,
    audience: session.audience,
    status: session.status,
    ...(session.outcome ? { outcome: session.outcome } : {}),
    step: checkedStep(view, t) ?? step,
    history: history.map(({ stepId, title, answer }) => ({ stepId, title, answer })),
    ...(notice ? { notice } : {}),
  };
}

/** The session as the API sends it, in the session's language; the hot path (server/http/hot-path.ts) sends it too. */
export const apiSession = (ctx: Pick<AppContext, 'i18n'>, view: SessionView) => sessionJson(view, tFor(ctx.i18n, view.lng));

export function apiRoutes(ctx: AppContext): Router {
  const { engine, flows, renderer, search } = ctx;
  const json = (view: SessionView) => apiSession(ctx, view);
  const api = Router();
  // Before the body limit of every other route: a message of 5,000 characters may take 30 KB as JSON (escaped).
  // 202: the request is stored and its deliveries are queued; the outbox sends them after this answer.
  api.post('/sessions/:id/handoff', requireJsonBody, express.json({ limit: '64kb', strict: true }), ctx.limits.handoffs, async (req: Request<{ id: string }>, res) => {
    const handoff = await ctx.handoffs.request(req.params.id, handoffInput(req.body));
    res.status(202).json({ handoff: { id: handoff.id, status: handoff.status } });
  });
  api.use(checkRoutes(ctx));
  // A headers check step takes its paste as an event's data: that route reads the paste's larger body itself.
  api.post('/sessions/:id/events', requireJsonBody, express.json({ limit: PASTE_BODY_LIMIT, strict: true }));
  api.use(requireJsonBody, express.json({ limit: '16kb', strict: true }));

  api.get('/flows', (req, res) => {
    const lng = queryLanguage(req) ?? requestLanguage(req);
    res.json(
      flows.list.map((flow) => ({
        id: flow.id,
        title: renderer.text(flow, 'title', lng),
        summary: renderer.text(flow, 'summary', lng),
      })),
    );
  });

  api.get('/search', (req, res) => {
    const { q, lng } = parse(searchQuery, req.query);
    res.json(search.search(q, lng ?? requestLanguage(req)));
  });

  api.post('/sessions', ctx.limits.sessions, async (req, res) => {
    const body = parse(startBody, req.body);
    const view = await engine.start({
      flowId: body.flowId,
      lng: body.lng ?? requestLanguage(req),
      audience: body.audience ?? 'participant',
      channel: body.channel ?? 'api',
      ...(body.startAt ? { startAt: body.startAt } : {}),
    });
    res.status(201).location(`/api/sessions/${view.session.id}`).json(json(view));
  });

  api.get('/sessions/:id', async (req, res) => {
    sendSession(ctx, res, await engine.get(req.params.id, { lng: queryLanguage(req) }));
  });

  api.post('/sessions/:id/events', ctx.limits.steps, ctx.limits.checkSteps, async (req, res) => {
    const body = parse(eventBody, req.body);
    sendSession(ctx, res, await engine.send(req.params.id, body.type, body.data, { lng: queryLanguage(req) }));
  });

  api.post('/sessions/:id/back', ctx.limits.steps, async (req, res) => {
    sendSession(ctx, res, await engine.back(req.params.id, { lng: queryLanguage(req) }));
  });

  api.post('/sessions/:id/restart', ctx.limits.steps, async (req, res) => {
    const view = await engine.restart(req.params.id, { lng: queryLanguage(req) });
    // At the step cap, Start over continues in a new session: it is created, and the client follows it.
    if (view.session.id !== req.params.id) res.status(201).location(`/api/sessions/${view.session.id}`);
    res.json(json(view));
  });

  api.post('/sessions/:id/feedback', async (req, res) => {
    const body = parse(feedbackBody, req.body);
    await engine.feedback(req.params.id, body.helpful, body.comment?.trim() || null);
    res.status(204).end();
  });

  api.use(
    layer('apiNotFound', (req: Request) => {
      throw new AppError(404, 'not_found', `No API route ${req.method} ${req.path}.`);
    }),
  );
  return api;
}
