import { Router } from 'express';
import { z } from 'zod';
import { compareDocuments } from '../../content/compare.ts';
import { missingTexts, staleTexts } from '../../content/origins.ts';
import type { AppContext } from '../../http/context.ts';
import { requestLanguage } from '../../http/request.ts';
import { comparisonView } from '../../render/compare-view.ts';
import { flowSvg } from '../../render/flow-svg.ts';
import { utcMinute } from '../../render/format.ts';
import { consoleForm } from '../console-page.ts';
import { parse } from '../parse.ts';
import { languagesOf, peopleById, requireAuthor, sendStudioPage, studioT, whoName } from './page.ts';

const number = z.coerce.number().int().min(1).max(1e9);
const compareQuery = z.object({ from: number, to: number });
const startBody = z.object({ _csrf: z.string(), from: number.optional() });
const rollbackBody = z.object({ _csrf: z.string(), version: number });

/** Texts shown per guide in the list: what each language lacks or has stale, in the guide's latest version. */
const HISTORY_LIMIT = 50;

/**
 * The studio's guide pages: every guide with its drafts and what its translations lack; one guide with its
 * diagram, drafts, versions (compare, roll back) and history. Editing happens on drafts (drafts.ts).
 */
export function studioGuideRoutes(ctx: AppContext): Router {
  const { content, drafts } = ctx;
  const router = Router();
  const flowId = (p: unknown) => String((p as { flowId: string }).flowId);

  router.get('/admin/studio', async (req, res) => {
    const lng = requestLanguage(req);
    const t = studioT(ctx, req);
    const [guides, open, people] = await Promise.all([content.list(), drafts.list(), peopleById(ctx)]);
    const langs = languagesOf(req);
    const rows = await Promise.all(
      guides.map(async (g) => {
        const v = await content.version(g.id);
        const flow = ctx.flows.get(g.id);
        return {
          id: g.id,
          title: flow ? ctx.renderer.text(flow, 'title', lng) : g.id,
          version: g.latest.number,
          published: utcMinute(g.latest.publishedAt),
          drafts: open.filter((d) => d.flowId === g.id).length,
          languages: langs.map((l) => ({ lng: l, missing: missingTexts(v.document, l).length, stale: staleTexts(v.document, v.origins, l).length })),
        };
      }),
    );
    // Drafts of guides not published yet (new guides) are listed on their own.
    const known = new Set(guides.map((g) => g.id));
    const newGuides = open
      .filter((d) => !known.has(d.flowId))
      .map((d) => ({ id: d.id, flowId: d.flowId, by: whoName(people, d.updatedBy, 'console', t), at: utcMinute(d.updatedAt) }));
    sendStudioPage(ctx, req, res, 'studio-home', { pageTitle: t('studio:home.title'), guides: rows, newGuides, workLanguages: langs });
  });

  router.get('/admin/studio/guides/:flowId', async (req, res) => {
    const lng = requestLanguage(req);
    const t = studioT(ctx, req);
    const id = flowId(req.params);
    const [latest, versions, open, history, people] = await Promise.all([
      content.version(id),
      content.versions(id),
      drafts.list(id),
      content.audit({ flowId: id, limit: HISTORY_LIMIT, offset: 0 }),
      peopleById(ctx),
    ]);
    const flow = ctx.flows.get(id);
    const title = flow ? ctx.renderer.text(flow, 'title', lng) : id;
    const svg = flow
      ? flowSvg(
          flow,
          (s) => (s === '__flow__' ? title : ctx.renderer.text(flow, `${s}.title`, lng)),
          (s, e) => ctx.renderer.text(flow, `${s}.options.${e}`, lng),
        )
      : '';
    sendStudioPage(ctx, req, res, 'studio-guide', {
      pageTitle: title,
      guide: { id, title, version: latest.number },
      svg,
      drafts: open.map((d) => ({
        id: d.id,
        by: whoName(people, d.updatedBy, 'console', t),
        at: utcMinute(d.updatedAt),
        revision: d.revision,
        baseVersion: d.baseVersion,
        behind: d.baseVersion !== null && d.baseVersion < latest.number,
      })),
      versions: versions.map((v, i) => ({
        number: v.number,
        note: v.note,
        by: whoName(people, v.publishedBy, v.via, t),
        at: utcMinute(v.publishedAt),
        latest: v.number === latest.number,
        previous: versions[i + 1]?.number,
      })),
      history: history.map((h) => ({
        at: utcMinute(h.at),
        by: whoName(people, h.agentId, h.via, t),
        action: t(`studio:history.action.${h.action}`),
        from: h.fromVersion,
        to: h.toVersion,
        draft: h.draftId,
        note: h.note,
      })),
    });
  });

  router.post('/admin/studio/guides/:flowId/drafts', consoleForm, async (req, res) => {
    const { from } = parse(startBody, req.body);
    const draft = await drafts.start(flowId(req.params), req.editor!, from);
    res.redirect(303, `/admin/studio/drafts/${draft.id}`);
  });

  router.post('/admin/studio/guides/:flowId/rollback', consoleForm, requireAuthor, async (req, res) => {
    const { version } = parse(rollbackBody, req.body);
    const id = flowId(req.params);
    const v = await content.publish(id, { version }, req.editor!, { note: `rollback to version ${version}` });
    res.redirect(303, `/admin/studio/guides/${encodeURIComponent(id)}?published=${v.number}`);
  });

  router.get('/admin/studio/guides/:flowId/compare', async (req, res) => {
    const lng = requestLanguage(req);
    const t = studioT(ctx, req);
    const id = flowId(req.params);
    const q = parse(compareQuery, req.query);
    const [a, b, versions] = await Promise.all([content.version(id, q.from), content.version(id, q.to), content.versions(id)]);
    const comparison = comparisonView(compareDocuments(a.document, b.document), a.document, b.document, lng);
    sendStudioPage(ctx, req, res, 'studio-compare', {
      pageTitle: t('studio:compare.title', { from: q.from, to: q.to }),
      guide: { id },
      from: q.from,
      to: q.to,
      choices: versions.map((v) => v.number),
      comparison,
    });
  });

  return router;
}
