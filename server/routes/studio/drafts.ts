import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { compareDocuments } from '../../content/compare.ts';
import { applyDraftCommand, applyStepCommand, type Applied } from '../../content/draft-commands.ts';
import type { FlowDocument } from '../../content/document.ts';
import { duplicateGuide, newGuide } from '../../content/edit.ts';
import { resolveFacts } from '../../content/fact-refs.ts';
import type { AppContext } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { requestLanguage } from '../../http/request.ts';
import { LANGUAGES } from '../../i18n/locales.ts';
import { comparisonView } from '../../render/compare-view.ts';
import { utcMinute } from '../../render/format.ts';
import { draftView, factsView, guideTitle, stepView } from '../../render/studio-draft.ts';
import type { DraftRecord } from '../../store/types.ts';
import { parse } from '../parse.ts';
import { languagesOf, peopleById, requireAuthor, sendStudioPage, studioT, whoName } from './page.ts';

/**
 * A step's texts in four languages are long (a body may have 20,000 characters) and many fields: the studio's forms
 * get a larger limit than the console's, still bounded.
 */
const studioForm = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 400 });

const draftParams = z.object({ id: z.coerce.number().int().min(1).max(1e9) });
const stepParams = draftParams.extend({ step: z.string().min(1).max(100) });
const revisionBody = z.object({ revision: z.coerce.number().int().min(1).max(1e9), sourceLng: z.enum(LANGUAGES).optional() }).passthrough();
const publishBody = z.object({ revision: z.coerce.number().int().min(1).max(1e9), note: z.string().max(1000).optional() }).passthrough();
const newGuideBody = z.object({
  id: z.string().trim().min(1).max(80),
  title: z.string().trim().min(1).max(300),
  copyOf: z.string().max(80).optional(),
});

/** A form's fields; none when the request had no form body (Express leaves `req.body` unset then). */
const formOf = (req: Request): Record<string, unknown> => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

/** A mistake shown on the page: what it means in the person's language, and the specifics under it. */
const troubleOf = (e: AppError, t: (key: string) => string, unsaved: Record<string, unknown>): Trouble => ({
  status: e.status,
  message: t(`errors.${e.code}.message`),
  detail: e.message,
  unsaved,
});

/** What the page shows after a form could not be applied: the message, and for a conflict the texts not saved. */
interface Trouble {
  status: number;
  message: string;
  /** The specifics, as the content code says them (which step, which fact). */
  detail?: string;
  conflict?: boolean;
  unsaved?: Record<string, unknown>;
}

/**
 * The studio's draft pages: a draft's overview (diagram, steps, problems, the guide's texts, publish), one step's
 * editor (kind, options and where they lead, texts in four columns), the facts, and publishing. Every form posts the
 * revision it was made on: a save over someone else's newer one shows their draft with the unsaved change beside it.
 */
export function studioDraftRoutes(ctx: AppContext): Router {
  const { drafts, content } = ctx;
  const router = Router();
  const href = (d: DraftRecord, next = '') => `/admin/studio/drafts/${d.id}${next && !next.startsWith('#') ? '/' : ''}${next}`;
  /** Other guides' facts, as the draft's references show them. */
  const otherFacts = (id: string) => ctx.flows.get(id)?.document.facts;
  const factsOf = (draft: DraftRecord) => resolveFacts(draft.document.facts, otherFacts);

  async function draftHeader(req: Request, draft: DraftRecord) {
    const t = studioT(ctx, req);
    const people = await peopleById(ctx);
    const latest = await content.version(draft.flowId).catch(() => undefined);
    const behind = latest && draft.baseVersion !== null && latest.number > draft.baseVersion ? latest : undefined;
    // Published since the draft began: what changed from its base to the latest, so publishing over it is a choice.
    let sinceBase;
    if (behind && draft.baseVersion !== null) {
      const base = (await content.version(draft.flowId, draft.baseVersion)).document;
      sinceBase = comparisonView(compareDocuments(base, behind.document), base, behind.document, requestLanguage(req));
    }
    return {
      id: draft.id,
      flowId: draft.flowId,
      revision: draft.revision,
      baseVersion: draft.baseVersion,
      by: whoName(people, draft.updatedBy, 'console', t),
      at: utcMinute(draft.updatedAt),
      title: guideTitle(draft.document, factsOf(draft), requestLanguage(req)),
      isNew: draft.baseVersion === null,
      behind: behind ? { latest: behind.number } : undefined,
      sinceBase,
    };
  }

  async function showDraft(req: Request, res: Response, draft: DraftRecord, trouble?: Trouble) {
    const lng = requestLanguage(req);
    const problems = drafts.problems(draft);
    sendStudioPage(
      ctx,
      req,
      res,
      'studio-draft',
      {
        pageTitle: studioT(ctx, req)('studio:draft.title', { id: draft.id }),
        draft: await draftHeader(req, draft),
        view: draftView(draft.document, draft.origins, factsOf(draft), draft.id, lng, problems, languagesOf(req)),
        problemCount: problems.length,
        trouble,
      },
      trouble?.status ?? 200,
    );
  }

  async function showStep(req: Request, res: Response, draft: DraftRecord, step: string, trouble?: Trouble) {
    if (!Object.hasOwn(draft.document.machine.states, step)) throw new AppError(404, 'unknown_step', `The guide has no step "${step}".`);
    const lng = requestLanguage(req);
    const view = stepView(draft.document, draft.origins, factsOf(draft), draft.id, step, lng, drafts.problems(draft), languagesOf(req), trouble?.unsaved);
    sendStudioPage(
      ctx,
      req,
      res,
      'studio-step',
      { pageTitle: view.step.title || step, draft: await draftHeader(req, draft), view, trouble, lng },
      trouble?.status ?? 200,
    );
  }

  /**
   * Applies one form's command to the draft and saves it over the revision the form was made on; then 303 to the
   * page the command names, or for the autosave script (`X-Autosave: 1`) the new revision as JSON. A mistake the
   * person can fix, and a save over a newer revision, show the page again with what was sent kept.
   */
  async function command(req: Request, res: Response, apply: (doc: FlowDocument) => Applied, show: (draft: DraftRecord, trouble: Trouble) => Promise<void>) {
    const { id } = parse(draftParams, req.params);
    const body = parse(revisionBody, req.body);
    const draft = await drafts.get(id);
    const autosave = req.get('x-autosave') === '1';
    const t = studioT(ctx, req);
    const conflict = (current: DraftRecord) => {
      if (autosave) throw new AppError(409, 'draft_conflict', t('studio:draft.conflict'), { details: { revision: current.revision } });
      return show(current, { status: 409, message: t('studio:draft.conflict'), conflict: true, unsaved: body });
    };
    if (draft.status !== 'open') throw new AppError(409, 'draft_closed', t('studio:draft.closed'));
    // A form made on an older revision is a conflict before anything else: its edit may not even apply to the draft
    // as it is now (a step renamed since), and that error would hide what happened. The store checks again on save.
    if (body.revision !== draft.revision) return conflict(draft);
    let applied: Applied;
    try {
      applied = apply(draft.document);
    } catch (e) {
      if (autosave || !(e instanceof AppError) || e.status >= 500) throw e;
      return show(draft, troubleOf(e, t, body));
    }
    let saved: DraftRecord;
    try {
      saved = await drafts.save(id, applied.document, req.editor!, { ifRevision: body.revision, sourceLng: body.sourceLng ?? requestLanguage(req), note: applied.note });
    } catch (e) {
      if (e instanceof AppError && e.code === 'draft_conflict') return conflict(await drafts.get(id));
      if (autosave || !(e instanceof AppError) || e.status >= 500 || e.code === 'draft_closed') throw e;
      return show(draft, troubleOf(e, t, body));
    }
    if (autosave) return void res.json({ revision: saved.revision, problems: drafts.problems(saved).length });
    res.redirect(303, href(saved, applied.next));
  }

  router.post('/admin/studio/guides', studioForm, requireAuthor, async (req, res) => {
    const body = parse(newGuideBody, req.body);
    const lng = requestLanguage(req);
    const source = body.copyOf ? await content.version(body.copyOf) : undefined;
    let document: FlowDocument;
    if (source) {
      const { version: _n, ...doc } = source.document;
      document = duplicateGuide(doc, body.id);
      for (const l of LANGUAGES) document.texts[l].title = l === lng ? body.title : document.texts[l].title;
    } else document = newGuide(body.id, { titles: { [lng]: body.title } });
    const draft = await drafts.startNew(document, req.editor!, source ? `copy of ${body.copyOf}` : null);
    res.redirect(303, href(draft));
  });

  router.get('/admin/studio/drafts/:id', async (req, res) => {
    const { id } = parse(draftParams, req.params);
    await showDraft(req, res, await drafts.get(id));
  });

  router.post('/admin/studio/drafts/:id', studioForm, async (req, res) => {
    const op = String(formOf(req).op ?? '');
    // A translator changes texts only; the content service refuses the rest too, this says it before any work.
    if (op !== 'guideTexts' && req.editor!.onlyTexts) throw new AppError(403, 'forbidden', studioT(ctx, req)('studio:draft.textsOnly'));
    const editable = languagesOf(req);
    const showOn = op.startsWith('fact') ? showFacts : showDraft;
    await command(req, res, (doc) => applyDraftCommand(doc, formOf(req), editable), (d, trouble) => showOn(req, res, d, trouble));
  });

  router.get('/admin/studio/drafts/:id/steps/:step', async (req, res) => {
    const { id, step } = parse(stepParams, req.params);
    await showStep(req, res, await drafts.get(id), step);
  });

  router.post('/admin/studio/drafts/:id/steps/:step', studioForm, async (req, res) => {
    const { step } = parse(stepParams, req.params);
    const op = String(formOf(req).op ?? '');
    if (op !== 'texts' && req.editor!.onlyTexts) throw new AppError(403, 'forbidden', studioT(ctx, req)('studio:draft.textsOnly'));
    const editable = languagesOf(req);
    await command(req, res, (doc) => applyStepCommand(doc, step, formOf(req), editable), (d, trouble) => showStep(req, res, d, step, trouble));
  });

  async function showFacts(req: Request, res: Response, draft: DraftRecord, trouble?: Trouble) {
    sendStudioPage(
      ctx,
      req,
      res,
      'studio-facts',
      { pageTitle: studioT(ctx, req)('studio:facts.title'), draft: await draftHeader(req, draft), facts: factsView(draft.document, draft.id), trouble },
      trouble?.status ?? 200,
    );
  }

  router.get('/admin/studio/drafts/:id/facts', async (req, res) => {
    const { id } = parse(draftParams, req.params);
    await showFacts(req, res, await drafts.get(id));
  });

  router.post('/admin/studio/drafts/:id/publish', studioForm, async (req, res) => {
    const { id } = parse(draftParams, req.params);
    const body = parse(publishBody, req.body);
    const draft = await drafts.get(id);
    const t = studioT(ctx, req);
    if (draft.status === 'open' && body.revision !== draft.revision) return showDraft(req, res, draft, { status: 409, message: t('studio:draft.conflict'), conflict: true });
    try {
      const v = await drafts.publish(draft, req.editor!, body.note?.trim() || null);
      res.redirect(303, `/admin/studio/guides/${encodeURIComponent(v.flowId)}?published=${v.number}`);
    } catch (e) {
      // Problems are on the page already, each with a link to its place; say why nothing was published.
      if (e instanceof AppError && (e.code === 'invalid_document' || e.code === 'document_unchanged'))
        return showDraft(req, res, draft, { status: e.status, message: e.code === 'invalid_document' ? t('studio:draft.notPublished') : e.message });
      throw e;
    }
  });

  router.post('/admin/studio/drafts/:id/discard', studioForm, async (req, res) => {
    const { id } = parse(draftParams, req.params);
    const draft = await drafts.discard(id, req.editor!);
    res.redirect(303, draft.baseVersion === null ? '/admin/studio' : `/admin/studio/guides/${encodeURIComponent(draft.flowId)}`);
  });

  return router;
}
