import { Router, type NextFunction, type Request, type Response } from 'express';
import { RECIPIENT_FLOW_IDS } from '../../../flows/index.ts';
import { z } from 'zod';
import { parsePreviewPath, previewPath } from '../../content/preview.ts';
import type { AppContext } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { requestLanguage } from '../../http/request.ts';
import { tFor } from '../../i18n/i18n.ts';
import { normalizeLanguage } from '../../i18n/language.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../i18n/locales.ts';
import { pageData } from '../../render/page-data.ts';
import { DraftPreviews, PREVIEW_REF, previewStep } from '../../render/preview.ts';
import { AUDIENCES, type Audience, type DraftRecord } from '../../store/types.ts';
import { consoleForm } from '../console-page.ts';
import { parse } from '../parse.ts';
import { sendStudioPage, studioT } from './page.ts';

/*
 * Previewing a draft (README: "The studio"). The private link `/preview/:token` shows the draft to anyone who has
 * it, without a login, while the draft is open; it is stateless (the way taken is the URL), so nothing is stored
 * and no analytics count it. The studio page frames it at a phone's size.
 */

/** Query values come from links people share and edit: an odd language or audience falls back to the default. */
const previewQuery = z.object({
  lng: z.string().optional().catch(undefined),
  audience: z.enum(AUDIENCES).optional().catch(undefined),
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{24}$/)
    .optional()
    .catch(undefined),
});
const draftParams = z.object({ id: z.coerce.number().int().min(1).max(1e9) });
const linkBody = z.object({ _csrf: z.string(), lng: z.string().optional(), audience: z.enum(AUDIENCES).optional().catch(undefined) });

/** The app's policy (server/http/app.ts) with one change: studio pages of this site may frame the preview. */
const FRAMED_BY_SELF = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "font-src 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** A private link is not for search engines, and its token must not leave in a Referer header of a link it shows. */
function previewHeaders(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Content-Security-Policy', FRAMED_BY_SELF);
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  next();
}

/** A preview's address: token, language, audience and the way taken. */
const previewUrl = (token: string, lng: Language, audience: Audience, tokens: readonly string[] = []) =>
  `/preview/${token}?lng=${lng}&audience=${audience}${tokens.length ? `&path=${previewPath(tokens)}` : ''}`;

export function studioPreviewRoutes(ctx: AppContext): Router {
  const router = Router();
  const previews = new DraftPreviews((id) => ctx.flows.get(id)?.document.facts);
  const chosen = (q: z.infer<typeof previewQuery>, req: Request) => ({
    lng: normalizeLanguage(q.lng) ?? requestLanguage(req),
    audience: q.audience ?? 'participant',
  });

  router.use('/preview', previewHeaders);

  router.get('/preview/:token', async (req, res) => {
    const q = parse(previewQuery, req.query);
    const { lng, audience } = chosen(q, req);
    const token = String(req.params.token);
    const draft = await ctx.drafts.byPreviewToken(token);
    if (!draft) throw new AppError(404, 'not_found', 'This preview link is unknown, was replaced by a newer one, or its draft is closed.');
    const studio = tFor(ctx.i18n, lng, 'studio');
    const common = tFor(ctx.i18n, lng);
    const href = (tokens: readonly string[]) => previewUrl(token, lng, audience, tokens);
    const path = parsePreviewPath(req.query.path);
    const base = pageData(ctx, req, lng, {
      draft: { id: draft.id, flowId: draft.flowId },
      audienceLabel: studio(`preview.audience.${audience}`),
      pageTitle: studio('preview.banner', { id: draft.id }),
      // The switcher keeps the audience and the way taken.
      languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], href: previewUrl(token, code, audience, path), current: code === lng })),
      restartHref: href([]),
      ref: PREVIEW_REF,
      // The recipient's guide hands on to the sender, IT or an email provider, not to "support" (as session pages say).
      forRecipient: RECIPIENT_FLOW_IDS.includes(draft.flowId),
    });
    const prepared = previews.prepare(draft);
    if (!prepared) return void res.send(ctx.render('preview', { ...base, problems: problemsOf(ctx, draft) }, 'preview'));
    try {
      const view = previewStep(prepared, path, lng, audience, { studio, common }, href);
      res.send(ctx.render('preview', { ...base, ...view, pageTitle: view.step.title }, 'preview'));
    } catch (error) {
      // A path the draft does not have (it changed since the link was followed): said in the preview, with Start over.
      if (!(error instanceof AppError)) throw error;
      res.status(error.status).send(ctx.render('preview', { ...base, error: { title: common(`errors.${error.code}.title`), detail: error.message } }, 'preview'));
    }
  });

  router.get('/admin/studio/drafts/:id/preview', async (req, res) => {
    const { id } = parse(draftParams, req.params);
    const q = parse(previewQuery, req.query);
    const { lng, audience } = chosen(q, req);
    const t = studioT(ctx, req);
    const draft = await ctx.drafts.get(id);
    const open = draft.status === 'open';
    const frameSrc = open && q.token ? previewUrl(q.token, lng, audience) : undefined;
    sendStudioPage(ctx, req, res, 'studio-preview', {
      pageTitle: t('studio:preview.title', { id }),
      draft: { id, flowId: draft.flowId, open, status: draft.status },
      choice: { lng, audience },
      languageChoices: LANGUAGES.map((code) => ({ value: code, label: LANGUAGE_NAMES[code], selected: code === lng })),
      audienceChoices: AUDIENCES.map((a) => ({ value: a, label: t(`studio:preview.audience.${a}`), selected: a === audience })),
      token: open ? q.token : undefined,
      frameSrc,
      // The whole address, to copy into a message; the page shows the host the browser asked for.
      fullUrl: frameSrc ? `${req.protocol}://${req.get('host')}${frameSrc}` : undefined,
    });
  });

  router.post('/admin/studio/drafts/:id/preview-link', consoleForm, async (req, res) => {
    const { id } = parse(draftParams, req.params);
    const body = parse(linkBody, req.body);
    const draft = await ctx.drafts.get(id);
    if (draft.status !== 'open') throw new AppError(409, 'draft_closed', `Draft ${id} was ${draft.status} already; it cannot be previewed.`);
    const token = await ctx.drafts.previewLink(id);
    const lng = normalizeLanguage(body.lng) ?? requestLanguage(req);
    res.redirect(303, `/admin/studio/drafts/${id}/preview?lng=${lng}&audience=${body.audience ?? 'participant'}&token=${token}`);
  });

  return router;
}

/** What keeps the draft from being shown, each problem as validation words it. */
const problemsOf = (ctx: AppContext, draft: DraftRecord): string[] => ctx.drafts.problems(draft).map((p) => p.message);
