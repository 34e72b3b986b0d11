import { Router } from 'express';
import { parseDomain } from '../checks/domain.ts';
import { checkEmailDomain } from '../checks/email-domain.ts';
import type { AppContext } from '../http/context.ts';
import { invalidDomain, invalidInput, unknownFlow } from '../http/errors.ts';

/** Live checks of a sender domain and of a guide's sending IPs. Each asks DNS a dozen questions, so each client gets a few per minute. */
export function checkRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/checks/email-domain', ctx.limits.checks, async (req, res) => {
    if (Array.isArray(req.query.domain)) throw invalidInput('domain: give one domain');
    const domain = parseDomain(req.query.domain);
    if ('error' in domain) throw invalidDomain(domain.error);
    const includes = [req.query.include ?? []].flat();
    if (includes.length > 10 || !includes.every((i) => typeof i === 'string' && /^(include:)?[a-z0-9._-]{1,253}$/i.test(i)))
      throw invalidInput('include: up to 10 domain names, like _spf.example.com');
    res.json(await checkEmailDomain(ctx.dns, domain, includes as string[]));
  });
  // The sending servers a guide names, against the DNS blocklists configured (DNSBL_ZONES); `enabled: false` without.
  router.get('/checks/sender-ips', ctx.limits.checks, async (req, res) => {
    const flowId = req.query.flowId;
    if (typeof flowId !== 'string' || !flowId || flowId.length > 100) throw invalidInput('flowId: give the id of one guide');
    const report = await ctx.senderIps.check(flowId);
    if (!report) throw unknownFlow(flowId);
    res.json(report);
  });
  return router;
}
