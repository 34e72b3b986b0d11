import express, { Router } from 'express';
import { parseDomain } from '../checks/domain.ts';
import { checkEmailDomain } from '../checks/email-domain.ts';
import { checkPastedHeaders } from '../checks/headers/paste.ts';
import type { AppContext } from '../http/context.ts';
import { invalidDomain, invalidInput, unknownFlow } from '../http/errors.ts';
import { requireJsonBody } from '../http/request.ts';

/**
 * The JSON body a paste may come in: 64 KB of headers grow when escaped as JSON (newlines, quotes, tabs), so the body
 * may be larger than the text, and the text's own bound is checked after.
 */
export const PASTE_BODY_LIMIT = '192kb';

/**
 * Live checks of a sender domain, of a guide's sending IPs and of pasted headers. Each asks DNS a dozen questions, so each client gets a few
 * per minute. Mounted before the API's 16 KB body parser: the headers route reads its larger body itself.
 */
export function checkRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/checks/email-domain', requireJsonBody, ctx.limits.checks, async (req, res) => {
    if (Array.isArray(req.query.domain)) throw invalidInput('domain: give one domain');
    const domain = parseDomain(req.query.domain);
    if ('error' in domain) throw invalidDomain(domain.error);
    const includes = [req.query.include ?? []].flat();
    if (includes.length > 10 || !includes.every((i) => typeof i === 'string' && /^(include:)?[a-z0-9._-]{1,253}$/i.test(i)))
      throw invalidInput('include: up to 10 domain names, like _spf.example.com');
    res.json(await checkEmailDomain(ctx.dns, domain, includes as string[]));
  });
  router.post('/checks/headers', requireJsonBody, express.json({ limit: PASTE_BODY_LIMIT, strict: true }), ctx.limits.checks, async (req, res) => {
    const body: unknown = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'headers'))
      throw invalidInput('the body is {"headers": "<the email\'s headers>"}');
    res.json(await checkPastedHeaders(ctx.dns, (body as { headers?: unknown }).headers));
  });
  // The sending servers a guide names, against the DNS blocklists configured (DNSBL_ZONES); `enabled: false` without.
  router.get('/checks/sender-ips', requireJsonBody, ctx.limits.checks, async (req, res) => {
    const flowId = req.query.flowId;
    if (typeof flowId !== 'string' || !flowId || flowId.length > 100) throw invalidInput('flowId: give the id of one guide');
    const report = await ctx.senderIps.check(flowId);
    if (!report) throw unknownFlow(flowId);
    res.json(report);
  });
  return router;
}
