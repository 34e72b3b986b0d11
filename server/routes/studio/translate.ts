import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { glossaryOf } from '../../content/glossary.ts';
import { generalNote, nextItem, normalizedText, sourceLanguage, TranslationWork, workItems, type WorkedOn, type WorkingState } from '../../content/translation-work.ts';
import { textAt } from '../../content/text-keys.ts';
import type { AppContext } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { requestLanguage } from '../../http/request.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../i18n/locales.ts';
import { renderMarkdown } from '../../render/markdown.ts';
import { wordDiffHtml } from '../../render/word-diff.ts';
import { consoleForm } from '../console-page.ts';
import { parse } from '../parse.ts';
import { languagesOf, sendStudioPage, studioT } from './page.ts';

const number = z.coerce.number().int().min(1).max(1e9);
/** Where the page's texts came from: its draft and revision, or the version when the person had no draft. */
const workedOn = { draftId: number.optional(), revision: number.optional(), version: number.optional() };
const saveBody = z.object({ _csrf: z.string(), text: z.string().max(10_000), ...workedOn });
const confirmBody = z.object({ _csrf: z.string(), ...workedOn });

/** What a redirect after a save or confirmation tells the next page to say. */
const DONE = ['saved', 'confirmed'] as const;

/** How long a source text is shown in a list before it is cut. */
const EXCERPT = 90;
const excerpt = (s: string) => (s.length > EXCERPT ? `${s.slice(0, EXCERPT - 1)}…` : s);

/**
 * The translator's pages of the studio: per language what each guide lacks and has stale, one guide's list, and the
 * focused view of one text with its save and "still correct" forms. Each works on the person's working state of
 * the guide (translation-work.ts); publishing is the draft page's.
 */
export function studioTranslateRoutes(ctx: AppContext): Router {
  const work = new TranslationWork(ctx.content, ctx.drafts);
  const router = Router();

  /** The URL's language, if it is one the person works on: 404 for no language, 403 for another's. */
  const languageOf = (req: Request): Language => {
    const lng = String((req.params as { lng: string }).lng);
    if (!(LANGUAGES as readonly string[]).includes(lng)) throw new AppError(404, 'not_found', `There is no language "${lng.slice(0, 40)}".`);
    if (!languagesOf(req).includes(lng as Language)) throw new AppError(403, 'forbidden', `You translate into ${languagesOf(req).join(', ') || 'no language'}, not ${lng}.`);
    return lng as Language;
  };
  const flowIdOf = (req: Request) => String((req.params as { flowId: string }).flowId);
  const keyOf = (req: Request) => String((req.params as { key: string }).key);
  /** A guide's title as people see it (its facts filled in): the published one; a guide is renamed by publishing. */
  const titleOf = (state: WorkingState, lng: Language) => {
    const flow = ctx.flows.get(state.flowId);
    return flow ? ctx.renderer.text(flow, 'title', lng) : state.flowId;
  };
  const listUrl = (lng: Language, flowId: string) => `/admin/studio/translate/${lng}/${encodeURIComponent(flowId)}`;
  const itemUrl = (lng: Language, flowId: string, key: string) => `${listUrl(lng, flowId)}/${encodeURIComponent(key)}`;
  const doneOf = (req: Request) => DONE.find((d) => d === req.query.done);

  router.get('/admin/studio/translate', async (req, res) => {
    const reader = requestLanguage(req);
    const t = studioT(ctx, req);
    const langs = languagesOf(req);
    const states = await work.states(req.editor!);
    const languages = langs.map((lng) => ({
      lng,
      name: LANGUAGE_NAMES[lng],
      guides: states.map((s) => {
        const items = workItems(s.document, s.origins, lng);
        return {
          id: s.flowId,
          title: titleOf(s, reader),
          url: listUrl(lng, s.flowId),
          draft: s.draft?.id,
          missing: items.filter((i) => i.kind === 'missing').length,
          stale: items.filter((i) => i.kind === 'stale').length,
        };
      }),
    }));
    sendStudioPage(ctx, req, res, 'studio-translate', { pageTitle: t('studio:translate.title'), languages });
  });

  router.get('/admin/studio/translate/:lng/:flowId', async (req, res) => {
    const lng = languageOf(req);
    const t = studioT(ctx, req);
    const state = await work.state(flowIdOf(req), req.editor!);
    const items = workItems(state.document, state.origins, lng).map((i) => {
      const src = sourceLanguage(state.document, state.origins, lng, i.key);
      const source = src && textAt(state.document, src, i.key);
      return { key: i.key, kind: i.kind, url: itemUrl(lng, state.flowId, i.key), source: source && excerpt(source), sourceLng: src };
    });
    const missing = items.filter((i) => i.kind === 'missing');
    const stale = items.filter((i) => i.kind === 'stale');
    sendStudioPage(ctx, req, res, 'studio-translate-list', {
      pageTitle: t('studio:translate.listTitle', { guide: titleOf(state, requestLanguage(req)), language: LANGUAGE_NAMES[lng] }),
      guide: { id: state.flowId, title: titleOf(state, requestLanguage(req)), version: state.version },
      lng,
      language: LANGUAGE_NAMES[lng],
      missing,
      stale,
      first: items[0]?.url,
      draft: state.draft ? { id: state.draft.id, changed: await work.changedInDraft(state, languagesOf(req)) } : undefined,
      done: doneOf(req),
    });
  });

  /** The focused view; after a conflict, again with the person's text in the field and the message above it. */
  async function sendFocus(req: Request, res: Response, lng: Language, kept?: { text: string; conflict: string }) {
    const t = studioT(ctx, req);
    const state = await work.state(flowIdOf(req), req.editor!);
    const key = keyOf(req);
    const focus = await work.focus(state, lng, key);
    const next = nextItem(state.document, workItems(state.document, state.origins, lng), key);
    const body = /\.body(_agent)?$/.test(key);
    const title = titleOf(state, requestLanguage(req));
    sendStudioPage(
      ctx,
      req,
      res,
      'studio-translate-text',
      {
        pageTitle: t('studio:translate.textTitle', { key, language: LANGUAGE_NAMES[lng] }),
        guide: { id: state.flowId, title },
        listUrl: listUrl(lng, state.flowId),
        actionUrl: itemUrl(lng, state.flowId, key),
        nextUrl: next ? itemUrl(lng, state.flowId, next.key) : undefined,
        lng,
        language: LANGUAGE_NAMES[lng],
        key,
        step: stepTitle(state, requestLanguage(req), key),
        missing: focus.kind === 'missing',
        stale: focus.kind === 'stale',
        source: focus.source && {
          lng: focus.source.lng,
          language: LANGUAGE_NAMES[focus.source.lng],
          text: focus.source.text,
          preview: body ? renderMarkdown(focus.source.text) : undefined,
        },
        was: focus.was,
        diffHtml: focus.diff && wordDiffHtml(focus.diff),
        // After a conflict the field keeps what the person wrote; the text in the working state is shown beside it.
        text: kept ? kept.text : (focus.target ?? ''),
        current: kept && kept.text !== (focus.target ?? '') ? (focus.target ?? '') : undefined,
        conflict: kept?.conflict,
        notes: focus.notes,
        generalNote: generalNote(),
        glossary: glossaryOf(lng).map((g) => ({ ...g, reject: g.reject.join(', ') })),
        draftId: state.draft?.id,
        revision: state.draft?.revision,
        version: state.draft ? undefined : state.version,
        done: doneOf(req),
      },
      kept ? 409 : 200,
    );
  }

  router.get('/admin/studio/translate/:lng/:flowId/:key', async (req, res) => {
    await sendFocus(req, res, languageOf(req));
  });

  /** After a write: the next item in reading order, or the list when none is left after this one. */
  async function afterWrite(req: Request, res: Response, lng: Language, done: (typeof DONE)[number]) {
    const state = await work.state(flowIdOf(req), req.editor!);
    const next = nextItem(state.document, workItems(state.document, state.origins, lng), keyOf(req));
    res.redirect(303, `${next ? itemUrl(lng, state.flowId, next.key) : listUrl(lng, state.flowId)}?done=${done}`);
  }

  /** A conflict (someone saved the draft, it was published, a version came) shows the page again; nothing is lost. */
  const conflictText = (req: Request, err: unknown) => {
    if (!(err instanceof AppError) || (err.code !== 'draft_conflict' && err.code !== 'draft_closed')) return undefined;
    return studioT(ctx, req)(err.code === 'draft_closed' ? 'studio:translate.closed' : 'studio:translate.conflict');
  };

  router.post('/admin/studio/translate/:lng/:flowId/:key', consoleForm, async (req, res) => {
    const lng = languageOf(req);
    const body = parse(saveBody, req.body);
    try {
      await work.save(flowIdOf(req), lng, keyOf(req), body.text, req.editor!, at(body));
    } catch (err) {
      const conflict = conflictText(req, err);
      if (!conflict) throw err;
      return sendFocus(req, res, lng, { text: normalizedText(body.text), conflict });
    }
    await afterWrite(req, res, lng, 'saved');
  });

  router.post('/admin/studio/translate/:lng/:flowId/:key/confirm', consoleForm, async (req, res) => {
    const lng = languageOf(req);
    const body = parse(confirmBody, req.body);
    try {
      await work.confirm(flowIdOf(req), lng, keyOf(req), req.editor!, at(body));
    } catch (err) {
      const conflict = conflictText(req, err);
      if (!conflict) throw err;
      return sendFocus(req, res, lng, { text: textAt((await work.state(flowIdOf(req), req.editor!)).document, lng, keyOf(req)) ?? '', conflict });
    }
    await afterWrite(req, res, lng, 'confirmed');
  });

  return router;
}

const at = (body: WorkedOn): WorkedOn => ({
  ...(body.draftId !== undefined ? { draftId: body.draftId } : {}),
  ...(body.revision !== undefined ? { revision: body.revision } : {}),
  ...(body.version !== undefined ? { version: body.version } : {}),
});

/** The title of the step a text belongs to, in the reader's language where the working state has it; else its id. */
function stepTitle(state: WorkingState, lng: Language, key: string): string | undefined {
  const [step, field] = key.split('.');
  if (field === undefined) return undefined;
  return textAt(state.document, lng, `${step}.title`) || textAt(state.document, 'en', `${step}.title`) || step;
}
