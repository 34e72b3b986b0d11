import { Router } from 'express';
import type { AppContext } from '../http/context.ts';
import { mermaidDiagram } from '../render/diagram.ts';
import { requireLogin } from '../auth/logins.ts';
import { unknownFlow } from '../http/errors.ts';
import { requestLanguage } from '../http/request.ts';
import { flowSvg } from '../render/flow-svg.ts';
import { ConsoleService } from '../services/console.ts';
import { sendConsolePage } from './console-page.ts';

/** Pages for administrators: the agents, and each flow drawn as a diagram. The login check runs before these. */
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

  return router;
}
