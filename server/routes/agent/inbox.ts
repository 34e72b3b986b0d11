import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import { requestLanguage } from '../../http/request.ts';
import type { ConsoleService } from '../../services/console.ts';
import type { InboxService } from '../../services/inbox.ts';
import { HANDOFF_STATUSES } from '../../store/types.ts';
import { sendConsolePage } from '../console-page.ts';
import { optional, parse } from '../parse.ts';

const inboxQuery = z.object({
  state: optional(z.enum(HANDOFF_STATUSES, { error: `state must be one of ${HANDOFF_STATUSES.join(', ')}` })),
  // As on the sessions list: a page number out of range is the nearest page, not a mistake.
  page: z.coerce
    .number()
    .int()
    .catch(1)
    .transform((n) => Math.min(10_000, Math.max(1, n))),
});

const stateForm = z.object({
  state: z.enum(['done', 'open'], { error: 'state must be done or open' }),
});

/**
 * The inbox of hand-offs: the list (by state, paged), one hand-off with the person's request and the session's
 * transcript, claiming one, and marking it done or open again. Login and CSRF are checked before these.
 */
export function inboxRoutes(ctx: AppContext, inbox: InboxService, sessions: ConsoleService): Router {
  const router = Router();

  router.get('/agent/inbox', async (req, res) => {
    const lng = requestLanguage(req);
    const query = parse(inboxQuery, req.query);
    const list = await inbox.page({ ...(query.state ? { status: query.state } : {}), page: query.page }, lng);
    const link = (p: number) => `/agent/inbox?${new URLSearchParams([...(query.state ? [['state', query.state]] : []), ['page', String(p)]])}`;
    sendConsolePage(ctx, req, res, 'agent-inbox', {
      ...list,
      prev: list.pageNo > 1 ? link(list.pageNo - 1) : undefined,
      next: list.pageNo < list.pages ? link(list.pageNo + 1) : undefined,
      pageTitle: ctx.i18n.getFixedT(lng)('agent.inbox.title'),
    });
  });

  /** The hand-off's page; `refusal` says why this agent's claim was refused (a 409): who has it, or that it is closed. */
  const handoffPage = async (req: Request, res: Response, refusal?: { holder: string } | { closed: true }) => {
    const lng = requestLanguage(req);
    const id = String(req.params.id);
    const handoff = await inbox.detail(id, lng);
    const transcript = await sessions.transcript(handoff.sessionId, lng, 'text');
    const t = ctx.i18n.getFixedT(lng);
    sendConsolePage(
      ctx,
      req,
      res,
      'agent-handoff',
      { handoff, transcript, refusal, pageTitle: t('agent.inbox.handoffTitle', { ref: handoff.ref }) },
      refusal === undefined ? 200 : 409,
    );
  };

  router.get('/agent/inbox/:id', (req, res) => handoffPage(req, res));

  router.post('/agent/inbox/:id/claim', async (req, res) => {
    const id = String(req.params.id);
    const result = await inbox.claim(id, req.login!.agent);
    if (result.ok) return res.redirect(303, `/agent/inbox/${encodeURIComponent(id)}`);
    // Another agent has it, or it is closed: say so on the hand-off's own page, with 409 for what did not happen.
    await handoffPage(req, res, 'closed' in result ? { closed: true } : { holder: result.holder });
  });

  router.post('/agent/inbox/:id/state', async (req, res) => {
    const id = String(req.params.id);
    const { state } = parse(stateForm, req.body);
    await inbox.setState(id, state);
    res.redirect(303, `/agent/inbox/${encodeURIComponent(id)}`);
  });

  return router;
}
