import { Router } from 'express';
import type { AppContext } from '../http/context.ts';
import { mermaidDiagram } from '../render/diagram.ts';
import { requireLogin } from '../auth/logins.ts';
import { AppError, unknownFlow } from '../http/errors.ts';
import { requestLanguage } from '../http/request.ts';
import { flowSvg } from '../render/flow-svg.ts';
import { ConsoleService } from '../services/console.ts';
import { utcMinute } from '../render/format.ts';
import { sendConsolePage } from './console-page.ts';

/** Failed deliveries listed at once: more than this means a channel is down, and the newest say why. */
const FAILED_SHOWN = 200;

/**
 * Pages for administrators: the agents, each flow drawn as a diagram, and the hand-off deliveries that failed (to try
 * again). The login check runs before these, and the console's CSRF check before every form.
 */
export function adminRoutes(ctx: AppContext): Router {
  const { flows, renderer } = ctx;
  const service = new ConsoleService(ctx);
  const router = Router();
  router.use('/admin', requireLogin('admin'));

  router.get('/admin', async (req, res) => {
    const lng = requestLanguage(req);
    const agents = (await service.agents()).map(({ name, email, role }) => ({ name, email, role }));
    const list = flows.list.map((f) => ({ id: f.id, title: renderer.text(f, 'title', lng) }));
    sendConsolePage(ctx, req, res, 'admin-home', { agents, flows: list, pageTitle: ctx.i18n.getFixedT(lng)('admin.title') });
  });

  router.get('/admin/flows/:flowId', (req, res) => {
    const lng = requestLanguage(req);
    const flow = flows.get(req.params.flowId);
    if (!flow) throw unknownFlow(req.params.flowId);
    const title = renderer.text(flow, 'title', lng);
    const stepTitle = (s: string) => (s === '__flow__' ? title : renderer.text(flow, `${s}.title`, lng));
    const svg = flowSvg(flow, stepTitle, (s, e) => renderer.text(flow, `${s}.options.${e}`, lng));
    sendConsolePage(ctx, req, res, 'admin-flow', {
      flow: { id: flow.id, title, version: flow.version, source: flow.source },
      svg,
      mermaid: mermaidDiagram(flow, stepTitle),
      pageTitle: title,
    });
  });

  router.get('/admin/deliveries', async (req, res) => {
    const lng = requestLanguage(req);
    const t = ctx.i18n.getFixedT(lng);
    const rows = (await ctx.store.handoffs.failed(FAILED_SHOWN)).map((d) => {
      const flow = flows.get(d.flowId);
      return {
        id: d.id,
        handoffId: d.handoffId,
        channel: t(`agent.inbox.channels.${d.channel}`),
        flow: flow ? renderer.text(flow, 'title', lng) : d.flowId,
        ref: d.ref,
        attempts: d.attempts,
        lastError: d.lastError ?? '',
        // next_at is when the last attempt was made: the failed delivery is not tried again by itself.
        at: `${utcMinute(d.nextAt)} UTC`,
      };
    });
    sendConsolePage(ctx, req, res, 'admin-deliveries', { rows, limit: FAILED_SHOWN, pageTitle: t('admin.deliveries.title') });
  });

  router.post('/admin/deliveries/:id/retry', async (req, res) => {
    if (!(await ctx.store.handoffs.retry(String(req.params.id))))
      throw new AppError(404, 'not_found', 'There is no failed delivery with that id: it may have been retried already.');
    ctx.outbox.kick();
    res.redirect(303, '/admin/deliveries');
  });

  return router;
}
