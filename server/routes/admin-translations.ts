import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  checkLanguage,
  exportFileName,
  importTranslation,
  latestDocuments,
  readI18next,
  readXliff,
  toI18next,
  toXliff,
  TRANSLATION_FILTERS,
  TRANSLATION_FORMATS,
  TRANSLATION_UPLOAD_LIMIT,
  unitsOf,
} from '../content/translation.ts';
import type { AppContext } from '../http/context.ts';
import { AppError } from '../http/errors.ts';
import { LANGUAGES, DEFAULT_LANGUAGE } from '../i18n/locales.ts';
import { editorAuth } from './admin-flows.ts';
import { optional, parse } from './parse.ts';

/** What an XLIFF upload may be sent as; JSON is application/json. */
const XML_TYPES = ['application/xliff+xml', 'application/xml', 'text/xml'];

const lngParams = z.object({ lng: z.enum(LANGUAGES, { error: `the language is one of ${LANGUAGES.join(', ')}` }) });
const flowParam = z.string().regex(/^(all|[a-z0-9]+(-[a-z0-9]+)*)$/, 'a guide id, or "all"').max(80);
const exportQuery = z.object({
  flow: optional(flowParam).default('all'),
  format: optional(z.enum(TRANSLATION_FORMATS)).default('xliff'),
  only: optional(z.enum(TRANSLATION_FILTERS)).default('all'),
  source: optional(z.enum(LANGUAGES)).default(DEFAULT_LANGUAGE),
});
const importQuery = z.object({ flow: optional(flowParam), source: optional(z.enum(LANGUAGES)).default(DEFAULT_LANGUAGE) });

/**
 * Export and import for translation agencies (README: "Changing a guide"): a language's texts of one guide or all
 * as XLIFF 2.0 or i18next JSON, and such a file back as a draft per guide. Signed in as the other /api/admin routes
 * (a translator only for their languages), uploads up to 2 MB.
 */
export function adminTranslationRoutes(ctx: AppContext, token: string | undefined): Router {
  const router = Router();
  const base = '/api/admin/translations';
  router.use(
    base,
    editorAuth(token),
    express.text({ type: XML_TYPES, limit: TRANSLATION_UPLOAD_LIMIT }),
    express.json({ limit: TRANSLATION_UPLOAD_LIMIT, strict: true }),
  );

  router.get(`${base}/:lng`, async (req, res) => {
    const { lng } = parse(lngParams, req.params);
    const q = parse(exportQuery, req.query);
    checkLanguage(req.editor!, lng);
    if (q.source === lng) throw new AppError(400, 'invalid_input', 'source: the source language is another than the one translated into.');
    const { selected, all } = await latestDocuments(ctx.content, q.flow);
    const options = { source: q.source, target: lng, only: q.only };
    const guides = selected.map((g) => unitsOf(g, all, options));
    const body = q.format === 'xliff' ? toXliff(guides, options) : toI18next(guides, q.flow !== 'all');
    res
      .type(q.format === 'xliff' ? 'application/xliff+xml; charset=utf-8' : 'application/json; charset=utf-8')
      .attachment(exportFileName(q.flow, lng, q.format))
      .send(body);
  });

  router.post(`${base}/:lng`, async (req, res) => {
    const { lng } = parse(lngParams, req.params);
    const q = parse(importQuery, req.query);
    checkLanguage(req.editor!, lng);
    let upload;
    if (typeof req.body === 'string' && req.is(XML_TYPES)) upload = readXliff(req.body, lng);
    else if (req.is('application/json')) {
      const { units, problems } = readI18next(req.body, q.flow === 'all' ? undefined : q.flow);
      upload = { source: q.source, units, problems };
    } else throw new AppError(415, 'unsupported_media_type', `Send XLIFF as ${XML_TYPES[0]} (or application/xml), or i18next JSON as application/json.`);
    const outcome = await importTranslation(ctx.content, lng, upload, req.editor!);
    res.status(outcome.drafts.length ? 201 : 200).json(outcome);
  });

  // Anything else under the prefix: refused here, before the JSON-only admin routes see an XML body.
  router.use(base, (_req: Request, _res: Response, next: NextFunction) => next(new AppError(404, 'not_found', 'No such translation route.')));
  return router;
}
