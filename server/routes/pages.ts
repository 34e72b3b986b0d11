import express, { Router, type Request, type Response } from 'express';
import { RECIPIENT_FLOW_IDS } from '../../flows/index.ts';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import { DOMAIN_MAX, type SessionView } from '../engine/engine.ts';
import { AppError, InvalidDomainError, InvalidPasteError, invalidInput, unknownFlow } from '../http/errors.ts';
import { parse } from './parse.ts';
import { normalizeLanguage } from '../i18n/language.ts';
import { rememberLanguage, requestLanguage } from '../http/request.ts';
import type { Language } from '../i18n/locales.ts';
import { pageData, type PageRequest } from '../render/page-data.ts';
import type { Channel } from '../store/types.ts';
import { CHECK } from '../../flows/types.ts';
import { checkView } from '../render/check.ts';
import { headersView, pasteField } from '../render/headers.ts';
import { bounceView } from '../render/bounce.ts';
import { offeredDomain } from '../checks/domain.ts';
import { checkField, type CheckField } from '../render/check-field.ts';
import { fieldProblems, handoffPart } from '../render/handoff-form.ts';

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

/**
 * Query strings come from links people share and edit: a missing, repeated or odd value counts as absent (the page
 * falls back to its default) rather than failing. Forms come from our own pages: a wrong one is a 400.
 */
const queryText = z.string().optional().catch(undefined);
const pageQuery = z.object({
  lng: queryText,
  /** "Describe your problem": long input is cut, not refused. */
  q: z
    .string()
    .trim()
    .transform((q) => q.slice(0, 300))
    .catch(''),
  step: queryText,
  origin: queryText,
});

const field = (max: number) => z.string().max(max, `longer than ${max} characters`);

const startForm = z.object({
  step: field(100).optional(),
  origin: field(200).optional(),
});

/** One of: Start over, Back, or an option (CHECK with the domain typed into the check step's field). */
const stepFields = z.object({
  restart: field(10).optional(),
  back: field(10).optional(),
  event: field(100).optional(),
  domain: field(DOMAIN_MAX).optional(),
  /** The suggested domain's button ("Check företag.se" for a pasted web address): CHECK with that domain. */
  use: field(DOMAIN_MAX).optional(),
  /** The text a suggestion was offered for: sent as it is again, it is checked as typed. */
  seen: field(DOMAIN_MAX).optional(),
  /** The headers pasted at a headers check step; their size is the check's to refuse (with its own text). */
  headers: z.string().optional(),
  /** The message that came back, pasted at a bounce check step. */
  text: z.string().optional(),
});

/**
 * A request to support. The service checks what is in the fields (and says which is wrong, to show next to it);
 * here only that each is one piece of text. Generous caps: a message of 5,000 characters in any script, sent
 * percent-encoded, fits the body limit, and a longer one reaches the service to be refused with its own text.
 */
const handoffForm = z.object({
  message: field(60_000).optional(),
  email: field(2_000).optional(),
  name: field(2_000).optional(),
});

const feedbackForm = z.object({
  helpful: z.enum(['yes', 'no'], { error: 'Answer yes or no.' }),
  comment: z
    .string()
    .optional()
    .transform((c) => c?.trim().slice(0, 2000) || null),
});

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
  const hostQuery = (origin: string | undefined) => {
    const host = surface.hostOrigin?.(origin);
    return host ? `origin=${encodeURIComponent(host)}` : '';
  };
  const pages = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  // A message may be 5,000 characters of any script: up to 9 bytes each once percent-encoded.
  const longForm = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 });
  // A step's form may carry pasted headers: 64 KB of them, percent-encoded, take up to three times as much.
  const stepForm = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 20 });

  /** `?lng=` is an explicit choice: keep it in a cookie for later visits. */
  function chosenLanguage(query: { lng?: string | undefined }, req: Request, res: Response): Language | undefined {
    const lng = normalizeLanguage(query.lng);
    if (lng) rememberLanguage(res, lng, req.secure);
    return lng;
  }

  pages.get(base || '/', (req, res) => {
    const query = parse(pageQuery, req.query);
    const lng = chosenLanguage(query, req, res) ?? requestLanguage(req);
    const list = flows.list.map((flow) => ({
      id: flow.id,
      title: renderer.text(flow, 'title', lng),
      summary: renderer.text(flow, 'summary', lng),
    }));
    // Two doors: the person who is missing an email, and the person whose recipients are.
    const forRecipients = list.filter((flow) => RECIPIENT_FLOW_IDS.includes(flow.id));
    const forSenders = list.filter((flow) => !RECIPIENT_FLOW_IDS.includes(flow.id));
    // "Describe your problem" is a plain GET form: results are a page of their own, linkable and bookmarkable.
    const { q } = query;
    const host = hostQuery(query.origin);
    const results = q
      ? search.search(q, lng).map((hit) => ({
          ...hit,
          href: withQuery(`${base}/flows/${hit.flowId}`, [hit.stepId ? `step=${encodeURIComponent(hit.stepId)}` : '', host]),
        }))
      : undefined;
    res.send(
      render('home', pageData(ctx, req, lng, { forRecipients, forSenders, q, results, searched: Boolean(q), host: surface.hostOrigin?.(query.origin), flowQuery: host ? `?${host}` : '' })),
    );
  });

  pages.get(`${base}/flows/:flowId`, (req, res) => {
    const query = parse(pageQuery, req.query);
    const lng = chosenLanguage(query, req, res) ?? requestLanguage(req);
    const flow = flows.get(req.params.flowId);
    if (!flow) throw unknownFlow(req.params.flowId);
    const view = { id: flow.id, title: renderer.text(flow, 'title', lng), summary: renderer.text(flow, 'summary', lng) };
    // A search can point into the flow; an unknown or unstartable step just shows the flow from its beginning.
    const step = query.step === undefined ? undefined : flows.entryStep(flow, query.step);
    const startAt = step && step !== flow.initial ? { id: step, title: renderer.text(flow, `${step}.title`, lng) } : undefined;
    const host = hostQuery(query.origin);
    res.send(
      render('flow', pageData(ctx, req, lng, { flow: view, startAt, pageTitle: view.title, host: surface.hostOrigin?.(query.origin), flowQuery: host ? `?${host}` : '' })),
    );
  });

  pages.post(`${base}/flows/:flowId`, form, ctx.limits.sessions, async (req, res) => {
    const body = parse(startForm, req.body);
    const view = await engine.start({
      flowId: req.params.flowId,
      lng: requestLanguage(req),
      channel: surface.channel,
      origin: surface.hostOrigin?.(body.origin) ?? null,
      ...(body.step ? { startAt: body.step } : {}),
    });
    res.redirect(303, `${base}/s/${view.session.id}`);
  });

  pages.get(`${base}/s/:id`, async (req, res) => {
    const lng = chosenLanguage(parse(pageQuery, req.query), req, res);
    // The switcher keeps the session and changes its language, so later steps and redirects stay in it.
    if (lng) await engine.setLanguage(req.params.id, lng);
    res.send(await sessionPageHtml(ctx, req, await engine.get(req.params.id), surface));
  });

  pages.post(`${base}/s/:id`, stepForm, ctx.limits.steps, ctx.limits.checkSteps, async (req, res) => {
    const id = req.params.id;
    const body = parse(stepFields, req.body);
    let view: SessionView;
    if (body.restart !== undefined) view = await engine.restart(id);
    else if (body.back !== undefined) view = await engine.back(id);
    // The domain field sits in the check step's form, so the browser sends it with every button there; it is
    // input only with CHECK (or the suggested domain's button).
    else if (body.event === CHECK && (body.headers !== undefined || body.text !== undefined)) {
      const pasted = body.headers ?? body.text ?? '';
      try {
        view = await engine.send(id, CHECK, body.headers !== undefined ? { headers: body.headers } : { text: pasted });
      } catch (error) {
        // Pasted text that cannot be checked is said next to the box, keeping what was pasted.
        if (!(error instanceof InvalidPasteError)) throw error;
        if (await showPasteField(req, res, id, pasted, error)) return;
        throw error;
      }
    } else if (body.event === CHECK || body.use !== undefined) {
      const typed = body.use ?? body.domain ?? '';
      // A pasted web address: offer its registrable domain first, once; the same text sent again is checked as is.
      const suggestion = body.use === undefined ? offeredDomain(typed, body.seen) : undefined;
      const offered = suggestion && (await showCheckField(req, res, id, { value: typed, suggestion: { host: suggestion.host.unicode, domain: suggestion.domain.unicode } }));
      if (offered) return;
      try {
        view = await engine.send(id, CHECK, { domain: typed });
      } catch (error) {
        // What cannot be checked is said next to the field, in the session's language, keeping what was typed.
        if (!(error instanceof InvalidDomainError)) throw error;
        if (await showCheckField(req, res, id, { value: typed, refusal: error.refusal }, 422)) return;
        throw error;
      }
    } else if (body.event) view = await engine.send(id, body.event);
    else throw invalidInput('Choose one of the answers.');
    // Start over at a session's step cap continues in a new session: follow it there. The page opens at the current
    // step (and the result of a check just run): below the answers so far, which fill a phone's screen after a few.
    res.redirect(303, `${base}/s/${view.session.id}#step`);
  });

  /**
   * The session's check step again, with what was typed and why it was not checked, or the domain to check instead.
   * False, having sent nothing, when the session is not at a check step (the engine then answers as it does).
   */
  async function showCheckField(
    req: Request,
    res: Response,
    id: string,
    field: CheckField,
    status = 200,
  ): Promise<boolean> {
    const view = await engine.get(id);
    if (view.step.kind !== 'check' || view.notice || view.tooLong) return false;
    res.status(status).send(render('session', { ...sessionPage(ctx, req, view, base), domainField: checkField(ctx, view.lng, field) }));
    return true;
  }

  /** The session's headers step again, with what was pasted and why it was not checked; false when not at one. */
  async function showPasteField(req: Request, res: Response, id: string, value: string, error: InvalidPasteError): Promise<boolean> {
    const view = await engine.get(id);
    const box = view.step.checkType === 'headers' ? 'headers' : view.step.checkType === 'bounce' ? 'bounceCheck' : undefined;
    if (view.step.kind !== 'check' || !box || view.notice || view.tooLong) return false;
    const page = sessionPage(ctx, req, view, base);
    res.status(error.status === 413 ? 413 : 422).send(render('session', { ...page, pasteField: pasteField(page.t, value, error.problem, box) }));
    return true;
  }

  /*
   * A request to support from an escalated ending. Like the feedback form, it needs no CSRF token: the session's id
   * in the URL is random and unguessable and never leaves in a Referer (helmet: no-referrer), so another site cannot
   * forge the post; no cookie grants anything here.
   */
  pages.post(`${base}/s/:id/handoff`, longForm, ctx.limits.handoffs, async (req, res) => {
    const id = req.params.id;
    const body = parse(handoffForm, req.body);
    try {
      await ctx.handoffs.request(id, body);
    } catch (error) {
      // A field to correct: the page again, each problem next to its field in the session's language, as typed.
      const problems = error instanceof AppError && error.code === 'invalid_input' ? fieldProblems(error.details) : undefined;
      if (!problems) throw error;
      const view = await engine.get(id);
      const handoff = await handoffPart(ctx, view, view.lng, `${base}/s/${id}`, { values: body, problems });
      if (!handoff) throw error;
      const page = sessionPage(ctx, req, view, base);
      // The switcher links to the session page, not to this form's address (which only takes posts).
      const languages = page.languages.map((l) => ({ ...l, href: `${base}/s/${id}?lng=${l.code}` }));
      res.status(400).send(render('session', { ...page, languages, handoff, pageTitle: `${page.t('handoff.request.errorTitle')}: ${page.pageTitle}` }));
      return;
    }
    res.redirect(303, `${base}/s/${id}#handoff`);
  });

  pages.post(`${base}/s/:id/feedback`, form, async (req, res) => {
    const body = parse(feedbackForm, req.body);
    await engine.feedback(req.params.id, body.helpful === 'yes', body.comment);
    res.redirect(303, `${base}/s/${req.params.id}#feedback-heading`);
  });

  return pages;
}

/** A session's page as it stands; the hot path (server/http/hot-path.ts) answers the plain GET with it too. */
export async function sessionPageHtml(ctx: AppContext, req: PageRequest, view: SessionView, surface: Surface = SITE): Promise<string> {
  const { base } = surface;
  const handoff = await handoffPart(ctx, view, view.lng, `${base}/s/${view.session.id}`);
  return ctx.render('session', { ...sessionPage(ctx, req, view, base), handoff, base }, surface.layout);
}

function sessionPage(ctx: AppContext, req: PageRequest, view: SessionView, base: string) {
  const data = pageData(ctx, req, view.lng, {});
  const { t } = data;
  return {
    ...data,
    pageTitle: view.step.title,
    session: { id: view.session.id, ref: view.session.ref },
    // A session at its step cap takes no more answers: its step is shown without them, and Start over goes on.
    step: view.tooLong ? { ...view.step, options: [] } : view.step,
    tooLong: view.tooLong,
    history: view.history,
    canGoBack: view.canGoBack,
    actionUrl: `${base}/s/${view.session.id}`,
    host: view.session.origin ?? undefined,
    check: view.check ? checkView(view.check, t, view.checkAsks) : undefined,
    headersCheck: view.headersCheck ? headersView(view.headersCheck, t) : undefined,
    bounceCheck: view.bounceCheck ? bounceView(view.bounceCheck, t) : undefined,
    flowId: view.session.flowId,
    outcomeLabel: view.step.outcome ? t(`session.outcome.${view.step.outcome}`) : undefined,
    showRef: view.step.outcome === 'escalated',
    // The recipient's guide hands on to the sender, IT or an email provider, not to "support".
    forRecipient: RECIPIENT_FLOW_IDS.includes(view.session.flowId),
    // An escalated ending solved nothing yet: asking "did this solve your problem?" there would only count a no.
    showFeedback: view.step.final && view.step.outcome !== 'escalated',
    feedbackGiven: view.feedbackGiven,
    notice: view.notice,
    noticeText: view.notice ? t(`session.notice.${view.notice}`) : undefined,
  };
}
