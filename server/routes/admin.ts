import { Router, type Request } from 'express';
import type { AppContext } from '../http/context.ts';
import { mermaidDiagram } from '../render/diagram.ts';
import { requireLogin } from '../auth/logins.ts';
import { unknownFlow } from '../http/errors.ts';
import { requestLanguage } from '../http/request.ts';
import { pageData } from '../render/page-data.ts';
import { flowSvg } from '../render/flow-svg.ts';

/** Pages for administrators: the agents, and each flow drawn as a diagram. The login check runs before these. */
export function adminRoutes(ctx: AppContext): Router {
  const { flows, renderer, render, store } = ctx;
  const router = Router();
  router.use('/admin', requireLogin('admin'));

  const data = (req: Request, extra: Record<string, unknown>) => ({
    ...pageData(ctx, req, requestLanguage(req), extra),
    agent: req.login!.agent,
    csrf: req.login!.csrf,
    isAdmin: true,
  });

  router.get('/admin', async (req, res) => {
    const lng = requestLanguage(req);
    const agents = (await store.listAgents()).map(({ name, email, role }) => ({ name, email, role }));
    const list = flows.list.map((f) => ({ id: f.id, title: renderer.text(f, 'title', lng) }));
    res.send(render('admin-home', data(req, { agents, flows: list, pageTitle: ctx.i18n.getFixedT(lng)('admin.title') }), 'console'));
  });

  router.get('/admin/flows/:flowId', (req, res) => {
    const lng = requestLanguage(req);
    const flow = flows.get(req.params.flowId);
    if (!flow) throw unknownFlow(req.params.flowId);
    const title = renderer.text(flow, 'title', lng);
    const stepTitle = (s: string) => (s === '__flow__' ? title : renderer.text(flow, `${s}.title`, lng));
    const svg = flowSvg(flow, stepTitle, (s, e) => renderer.text(flow, `${s}.options.${e}`, lng));
    res.send(
      render('admin-flow', data(req, { flow: { id: flow.id, title, version: flow.version, source: flow.source }, svg, mermaid: mermaidDiagram(flow, stepTitle), pageTitle: title }), 'console'),
    );
  });

  return router;
}
