import express, { Router } from 'express';
import { z } from 'zod';
import { BOUNCE_STEPS } from '../checks/bounce-steps.ts';
import { BOUNCE_MAX_CHARS, explainBounce, isBounce } from '../checks/bounce.ts';
import type { AppContext } from '../http/context.ts';
import { AppError, invalidInput } from '../http/errors.ts';
import { requestLanguage, requireJsonBody } from '../http/request.ts';
import { tFor } from '../i18n/i18n.ts';
import { language, parse } from './parse.ts';

const bounceBody = z.strictObject({ text: z.string().min(1, 'paste the message that came back') });
const languageQuery = z.object({ lng: language.optional() });

/**
 * A pasted bounce explained in the reader's language. Mounted before the API's 16 KB body limit: a bounce may be
 * 64 KB of text, which JSON escaping can make several times longer on the wire. Nothing pasted is stored or logged.
 */
export function bounceRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/checks/bounce', requireJsonBody, ctx.limits.checks, express.json({ limit: '512kb', strict: true }), (req, res) => {
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
