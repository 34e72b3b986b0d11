import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { dummyHash, verifyPassword } from '../auth/password.ts';
import { endLogin, requireCsrf, requireLogin, startLogin } from '../auth/logins.ts';
import type { AppContext } from '../http/context.ts';
import type { SessionView } from '../engine/engine.ts';
import { AppError, invalidInput } from '../http/errors.ts';
import { cookies, requestLanguage } from '../http/request.ts';
import { normalizeLanguage } from '../i18n/language.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../i18n/locales.ts';
import { pageData } from '../render/page-data.ts';
import { CHANNELS, type Channel, type SessionFilter } from '../store/types.ts';
import { transcript, type TranscriptFormat } from '../render/transcript.ts';
import { CHECK, OUTCOMES } from '../../flows/types.ts';
import { checkView } from '../render/check.ts';

const PRE_LOGIN_CSRF = 'mh_csrf';
const PAGE_SIZE = 25;

/** Only our own console pages are allowed as a place to return to after signing in (no open redirect). */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(agent|admin)(\/[\w\-/?=&%.]*)?$/.test(next) && !next.startsWith('//') ? next : '/agent';

const field = (body: unknown, name: string): string | undefined => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * The agent console: login, triage (the same flows in agent wording, with notes), hand-off by ref, transcripts and
 * the sessions list. The console's own language follows the agent (`?lng=`, cookie, browser); the content of a
 * session stays in the caller's language.
 */
export function agentRoutes(ctx: AppContext): Router {
  const { engine, flows, renderer, render, store, search } = ctx;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 });

  const page = (req: Request, name: string, data: Record<string, unknown>, status = 200) => (res: Response) => {
    const lng = requestLanguage(req);
    const base = pageData(ctx, req, lng, data);
    res.status(status).send(
      render(name, { ...base, agent: req.login?.agent, csrf: req.login?.csrf, isAdmin: req.login?.agent.role === 'admin' }, 'console'),
    );
  };

  // ---- login -------------------------------------------------------------------------------------------------
  router.get('/agent/login', (req, res) => {
    if (req.login) return res.redirect(303, safeNext(req.query.next));
    const token = randomBytes(24).toString('base64url');
    res.cookie(PRE_LOGIN_CSRF, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/agent/login' });
    page(req, 'login', { loginCsrf: token, next: safeNext(req.query.next), pageTitle: ctx.i18n.getFixedT(requestLanguage(req))('agent.login.title') })(res);
  });

  // Five wrong attempts from one address in 15 minutes, then a pause: enough for typos, too few for guessing.
  const loginLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: 5,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError(429, 'rate_limited', 'Too many failed sign-ins. Wait 15 minutes and try again.')),
  });

  router.post('/agent/login', form, loginLimiter, async (req, res) => {
    const sent = field(req.body, '_csrf') ?? '';
    const expected = cookies(req)[PRE_LOGIN_CSRF] ?? '';
    if (!expected || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(expected)))
      throw new AppError(403, 'csrf_failed', 'This form has expired. Reload the page and try again.');
    const email = (field(req.body, 'email') ?? '').trim().slice(0, 200);
    const password = (field(req.body, 'password') ?? '').slice(0, 200);
    const agent = email ? await store.findAgentByEmail(email) : undefined;
    const ok = await verifyPassword(password, agent?.passwordHash ?? (await dummyHash()));
    if (!agent || !ok) {
      const t = ctx.i18n.getFixedT(requestLanguage(req));
      return page(req, 'login', { loginCsrf: expected, next: safeNext(field(req.body, 'next')), email, error: t('agent.login.wrong'), pageTitle: t('agent.login.title') }, 401)(res);
    }
    res.clearCookie(PRE_LOGIN_CSRF, { path: '/agent/login' });
    await startLogin(store, res, req, agent);
    res.redirect(303, safeNext(field(req.body, 'next')));
  });

  // Everything below needs a signed-in agent, and every form a CSRF token.
  router.use(['/agent', '/admin'], requireLogin('agent'));
  router.use(['/agent', '/admin'], form, requireCsrf);

  router.post('/agent/logout', async (req, res) => {
    await endLogin(store, req, res);
    res.redirect(303, '/agent/login');
  });

  // ---- console home: pick up by ref, start a triage ------------------------------------------------------------
  router.get('/agent', (req, res) => {
    const lng = requestLanguage(req);
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 300) : '';
    const list = flows.list.map((f) => ({ id: f.id, title: renderer.text(f, 'title', lng) }));
    const hits = q ? search.search(q, lng) : undefined;
    const callerLanguages = LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], selected: code === lng }));
    page(req, 'agent-home', { flows: list, q, hits, searched: Boolean(q), callerLanguages, pageTitle: ctx.i18n.getFixedT(lng)('agent.home.title') })(res);
  });

  router.post('/agent/pickup', async (req, res) => {
    const ref = (field(req.body, 'ref') ?? '').trim();
    if (!ref) throw invalidInput('Enter the code the participant gave you.');
    const id = await engine.takeOver(ref, req.login!.agent.id);
    res.redirect(303, `/agent/s/${id}`);
  });

  router.post('/agent/start', async (req, res) => {
    const flowId = field(req.body, 'flowId') ?? '';
    const lng = normalizeLanguage(field(req.body, 'lng'));
    if (!lng) throw invalidInput('Choose the caller’s language.');
    const ticketRef = (field(req.body, 'ticketRef') ?? '').trim().slice(0, 100) || null;
    const step = field(req.body, 'step');
    const view = await engine.start({
      flowId,
      lng,
      audience: 'agent',
      channel: 'agent',
      agentId: req.login!.agent.id,
      ticketRef,
      ...(step ? { startAt: step } : {}),
    });
    res.redirect(303, `/agent/s/${view.session.id}`);
  });

  // ---- triage ----------------------------------------------------------------------------------------------------
  router.get('/agent/s/:id', async (req, res) => {
    const view = await engine.get(req.params.id, { audience: 'agent' });
    page(req, 'agent-session', await triageData(req, view))(res);
  });

  router.post('/agent/s/:id', async (req, res) => {
    const id = req.params.id;
    const note = field(req.body, 'note')?.trim().slice(0, 4000);
    const actor = { audience: 'agent' as const, agentId: req.login!.agent.id, ...(note ? { note } : {}) };
    const event = field(req.body, 'event');
    if (field(req.body, 'restart') !== undefined) await engine.restart(id, actor);
    else if (field(req.body, 'back') !== undefined) await engine.back(id, actor);
    else if (event === CHECK) await engine.send(id, CHECK, { domain: field(req.body, 'domain') }, actor);
    else if (event) await engine.send(id, event, undefined, actor);
    else if (note !== undefined) await engine.note(id, note);
    else throw invalidInput('Choose one of the answers, or write a note.');
    res.redirect(303, `/agent/s/${id}`);
  });

  router.get('/agent/s/:id/transcript', async (req, res) => {
    const lng = requestLanguage(req);
    const session = await store.getSession(req.params.id);
    if (!session) throw new AppError(404, 'unknown_session', 'There is no session with this id.');
    const input = await transcriptInput(session.id, lng);
    page(req, 'agent-transcript', {
      session: { id: session.id, ref: session.ref },
      text: transcript(flows, renderer, input, 'text'),
      markdown: transcript(flows, renderer, input, 'markdown'),
      pageTitle: ctx.i18n.getFixedT(lng)('agent.transcript.title'),
    })(res);
  });

  router.get('/api/sessions/:id/transcript', requireLogin('agent'), async (req, res) => {
    const format = (req.query.format ?? 'text') as TranscriptFormat;
    if (format !== 'text' && format !== 'markdown') throw invalidInput('format must be text or markdown.');
    const lng = requestLanguage(req);
    if (req.query.lng !== undefined && !normalizeLanguage(req.query.lng)) throw invalidInput(`lng must be one of ${LANGUAGES.join(', ')}`);
    const session = await store.getSession(String(req.params.id));
    if (!session) throw new AppError(404, 'unknown_session', 'There is no session with this id.');
    res
      .type(format === 'markdown' ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8')
      .send(transcript(flows, renderer, await transcriptInput(session.id, lng), format));
  });

  // ---- sessions list ---------------------------------------------------------------------------------------------
  router.get('/agent/sessions', async (req, res) => {
    const lng = requestLanguage(req);
    const t = ctx.i18n.getFixedT(lng);
    const q = req.query;
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    const day = (v: unknown, end = false) => {
      const s = str(v);
      if (!s) return undefined;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s))) throw invalidInput('Dates are written as YYYY-MM-DD.');
      return Date.parse(s) + (end ? 24 * 3600 * 1000 : 0);
    };
    const isAdmin = req.login!.agent.role === 'admin';
    const mine = !isAdmin || q.scope !== 'all';
    const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
    const channel = str(q.channel);
    if (channel && !CHANNELS.includes(channel as Channel)) throw invalidInput('Unknown channel.');
    const flowId = str(q.flow);
    const outcome = str(q.outcome);
    const lngFilter = str(q.language);
    const filter: SessionFilter = {
      ...(mine ? { agentId: req.login!.agent.id } : {}),
      ...(flowId ? { flowId } : {}),
      ...(outcome === 'active' ? { status: 'active' as const } : outcome ? { outcome } : {}),
      ...(lngFilter ? { lng: normalizeLanguage(lngFilter) ?? lngFilter } : {}),
      ...(channel ? { channel: channel as Channel } : {}),
      ...(day(q.from) !== undefined ? { from: day(q.from)! } : {}),
      ...(day(q.to, true) !== undefined ? { to: day(q.to, true)! } : {}),
      limit: PAGE_SIZE,
      offset: (pageNo - 1) * PAGE_SIZE,
    };
    const { sessions, total } = await store.listSessions(filter);
    const agents = new Map((await store.listAgents()).map((a) => [a.id, a]));
    const rows = sessions.map((s) => {
      const flow = flows.get(s.flowId);
      return {
        id: s.id,
        ref: s.ref,
        flow: flow ? renderer.text(flow, 'title', lng) : s.flowId,
        outcome: s.outcome ? t(`session.outcome.${s.outcome}`) : t('agent.sessions.active'),
        lng: s.lng,
        channel: t(`channel.${s.channel}`),
        agent: s.agentId !== null ? (agents.get(s.agentId)?.name ?? '') : '',
        created: new Date(s.createdAt).toISOString().replace('T', ' ').slice(0, 16),
      };
    });
    const params = new URLSearchParams();
    for (const k of ['flow', 'outcome', 'language', 'channel', 'from', 'to', 'scope']) if (str(q[k])) params.set(k, str(q[k])!);
    const link = (p: number) => `/agent/sessions?${new URLSearchParams([...params, ['page', String(p)]])}`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const option = (value: string, label: string, current?: string) => ({ value, label, selected: value === current });
    page(req, 'agent-sessions', {
      rows,
      total,
      pageNo,
      pages,
      prev: pageNo > 1 ? link(pageNo - 1) : undefined,
      next: pageNo < pages ? link(pageNo + 1) : undefined,
      filters: {
        flows: flows.list.map((f) => option(f.id, renderer.text(f, 'title', lng), flowId)),
        outcomes: ['active', ...OUTCOMES].map((o) =>
          option(o, o === 'active' ? t('agent.sessions.active') : t(`session.outcome.${o}`), outcome),
        ),
        languages: LANGUAGES.map((l) => option(l, LANGUAGE_NAMES[l], lngFilter)),
        channels: CHANNELS.map((c) => option(c, t(`channel.${c}`), channel)),
        from: str(q.from) ?? '',
        to: str(q.to) ?? '',
        all: !mine,
      },
      pageTitle: t('agent.sessions.title'),
    })(res);
  });

  async function transcriptInput(sessionId: string, lng: Language) {
    const session = (await store.getSession(sessionId))!;
    const steps = await store.listSteps(sessionId);
    const agents = new Map((await store.listAgents()).map((a) => [a.id, a]));
    return { session, steps, agents, lng, t: ctx.i18n.getFixedT(lng) };
  }

  async function triageData(req: Request, view: SessionView) {
    const lng = requestLanguage(req);
    const t = ctx.i18n.getFixedT(lng);
    const { session, flow } = view;
    const agents = new Map((await store.listAgents()).map((a) => [a.id, a]));
    const participantStep = renderer.step(flow, view.step.id, view.lng, 'participant');
    return {
      pageTitle: view.step.title,
      session: {
        id: session.id,
        ref: session.ref,
        ticketRef: session.ticketRef,
        lngName: LANGUAGE_NAMES[view.lng],
        lng: view.lng,
        channel: t(`channel.${session.channel}`),
        agent: session.agentId !== null ? agents.get(session.agentId)?.name : undefined,
        takenOverAt: session.takenOverAt ? new Date(session.takenOverAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : undefined,
      },
      flowTitle: renderer.text(flow, 'title', view.lng, 'agent'),
      step: view.step,
      participantStep,
      check: view.check ? checkView(view.check, ctx.i18n.getFixedT(view.lng)) : undefined,
      showRaw: true,
      note: view.note,
      history: view.history,
      canGoBack: view.canGoBack,
      outcomeLabel: view.step.outcome ? t(`session.outcome.${view.step.outcome}`) : undefined,
      notice: view.notice,
      noticeText: view.notice ? t(`session.notice.${view.notice}`) : undefined,
    };
  }

  return router;
}
