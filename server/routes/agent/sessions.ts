import { Router } from 'express';
import { z } from 'zod';
import { OUTCOMES } from '../../../flows/types.ts';
import { requireLogin } from '../../auth/logins.ts';
import type { AppContext } from '../../http/context.ts';
import { requestLanguage } from '../../http/request.ts';
import { TRANSCRIPT_FORMATS } from '../../render/transcript.ts';
import type { ConsoleService } from '../../services/console.ts';
import { CHANNELS } from '../../store/types.ts';
import { sendConsolePage } from '../console-page.ts';
import { day, language, optional, parse } from '../parse.ts';

const transcriptQuery = z.object({
  format: z.enum(TRANSCRIPT_FORMATS, { error: `format must be ${TRANSCRIPT_FORMATS.join(' or ')}` }).default('text'),
  lng: language.optional(),
});

/** The filters of the sessions list, as its form sends them (an empty field is "any"). */
const FILTERS = ['flow', 'outcome', 'language', 'channel', 'from', 'to', 'scope'] as const;
const sessionsQuery = z.object({
  flow: optional(z.string().max(100)),
  outcome: optional(z.enum(['active', ...OUTCOMES])),
  language: optional(language),
  channel: optional(z.enum(CHANNELS)),
  from: optional(day),
  to: optional(day),
  scope: optional(z.string().max(10)),
  // A page number out of range is the nearest page, not a mistake worth a page of its own.
  page: z.coerce
    .number()
    .int()
    .catch(1)
    .transform((n) => Math.min(10_000, Math.max(1, n))),
});

/** A session's transcript (a page to copy from, and plain text or Markdown to download), and the sessions list. */
export function sessionsRoutes(ctx: AppContext, service: ConsoleService): Router {
  const router = Router();

  router.get('/agent/s/:id/transcript', async (req, res) => {
    const lng = requestLanguage(req);
    sendConsolePage(ctx, req, res, 'agent-transcript', {
      ...(await service.transcripts(req.params.id, lng)),
      pageTitle: ctx.i18n.getFixedT(lng)('agent.transcript.title'),
    });
  });

  // Under /api, so outside the console's page guard: it answers 401, not a redirect to the login page.
  router.get('/api/sessions/:id/transcript', requireLogin('agent'), async (req, res) => {
    const { format } = parse(transcriptQuery, req.query);
    const text = await service.transcript(String(req.params.id), requestLanguage(req), format);
    res.type(format === 'markdown' ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8').send(text);
  });

  router.get('/agent/sessions', async (req, res) => {
    const lng = requestLanguage(req);
    const query = parse(sessionsQuery, req.query);
    const list = await service.sessions(
      req.login!.agent,
      {
        ...(query.flow ? { flow: query.flow } : {}),
        ...(query.outcome ? { outcome: query.outcome } : {}),
        ...(query.language ? { language: query.language } : {}),
        ...(query.channel ? { channel: query.channel } : {}),
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        all: query.scope === 'all',
        page: query.page,
      },
      lng,
    );
    // Paging links keep the filters as they were sent.
    const sent = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string).trim() : '');
    const params = new URLSearchParams(FILTERS.filter((k) => sent(k)).map((k) => [k, sent(k)]));
    const link = (p: number) => `/agent/sessions?${new URLSearchParams([...params, ['page', String(p)]])}`;
    sendConsolePage(ctx, req, res, 'agent-sessions', {
      ...list,
      prev: list.pageNo > 1 ? link(list.pageNo - 1) : undefined,
      next: list.pageNo < list.pages ? link(list.pageNo + 1) : undefined,
      filters: { ...list.filters, from: sent('from'), to: sent('to') },
      pageTitle: ctx.i18n.getFixedT(lng)('agent.sessions.title'),
    });
  });

  return router;
}
