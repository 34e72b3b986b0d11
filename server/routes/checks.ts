import express, { Router } from 'express';
import { z } from 'zod';
import { BOUNCE_STEPS } from '../checks/bounce-steps.ts';
import { BOUNCE_MAX_CHARS, explainBounce, isBounce } from '../checks/bounce.ts';
import { parseDomain } from '../checks/domain.ts';
import { checkEmailDomain } from '../checks/email-domain.ts';
import { checkPastedHeaders } from '../checks/headers/paste.ts';
import type { AppContext } from '../http/context.ts';
import { AppError, invalidDomain, invalidInput, unknownFlow } from '../http/errors.ts';
import { requestLanguage, requireJsonBody } from '../http/request.ts';
import { tFor } from '../i18n/i18n.ts';
import { language, parse } from './parse.ts';

/**
 * The JSON body a paste may come in: 64 KB of headers grow when escaped as JSON (newlines, quotes, tabs), so the body
 * may be larger than the text, and the text's own bound is checked after.
 */
export const PASTE_BODY_LIMIT = '192kb';

const bounceBody = z.strictObject({ text: z.string().min(1, 'paste the message that came back') });
const languageQuery = z.object({ lng: language.optional() });

/**
 * Live checks of a sender domain, of a guide's sending IPs and of pasted headers, and a pasted bounce explained. The
 * lookups ask DNS a dozen questions, so each client gets a few per minute. Mounted before the API's 16 KB body
 * parser: a paste (headers, a bounce) may be 64 KB of text, which JSON escaping makes longer, so these routes read
 * their larger bodies themselves. Nothing pasted is stored or logged.
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
  router.post('/checks/bounce', requireJsonBody, ctx.limits.checks, express.json({ limit: PASTE_BODY_LIMIT, strict: true }), (req, res) => {
    const lng = parse(languageQuery, req.query).lng ?? requestLanguage(req);
    const { text } = parse(bounceBody, req.body);
    if (Buffer.byteLength(text, 'utf8') > BOUNCE_MAX_CHARS)
      throw new AppError(413, 'payload_too_large', `text: a bounce message is read up to ${BOUNCE_MAX_CHARS / 1024} KB; paste the part with the error (the first screen is enough).`);
    const report = explainBounce(text);
    if (!isBounce(report))
      throw invalidInput('text: no status code found (like 550 or 5.1.1); paste the whole message that came back, including its technical details.');
    const t = tFor(ctx.i18n, lng);
    const step = BOUNCE_STEPS[report.category];
    // A guide reworked since the map was written (the step gone, or now an ending): left out rather than pointing nowhere.
    const flow = step && ctx.flows.get(step.flowId);
    const known = flow && ctx.flows.entryStep(flow, step.stepId) === step.stepId;
    res.json({
      ...report,
      lng,
      explanation: t(`bounce.${report.category}`),
      whatToDo: t(`bounce.whatToDo.${report.category}`),
      ...(known ? { ...step, stepTitle: ctx.renderer.text(flow, `${step.stepId}.title`, lng) } : {}),
    });
  });
  return router;
}
