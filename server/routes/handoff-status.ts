import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { verifyWebhook } from '../handoff/channels/webhook.ts';
import type { AppContext } from '../http/context.ts';
import { AppError, invalidInput } from '../http/errors.ts';
import { parse } from './parse.ts';

/** `{"status":"solved"}` is a few bytes; room for a help desk that adds fields, none for abuse. */
const BODY_LIMIT = '16kb';

const statusBody = z.object({
  status: z.enum(['solved', 'open'], { error: 'status must be "solved" or "open"' }),
});

/** How a help desk proves it may report: the deployment's token, or a Standard Webhooks signature with its secret. */
export interface StatusAuth {
  token?: string | undefined;
  webhookSecret?: string | undefined;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

/**
 * Checks the caller before the body is read as JSON: `Authorization: Bearer <HANDOFF_STATUS_TOKEN>` (compared by
 * hash, in constant time), or `webhook-id`/`webhook-timestamp`/`webhook-signature` over the raw body made with
 * HANDOFF_WEBHOOK_SECRET (which also refuses a timestamp more than five minutes off: no replays of old reports).
 */
function statusAuth({ token, webhookSecret }: StatusAuth) {
  const expected = token ? sha256(token) : undefined;
  return (req: Request, _res: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) {
      if (expected && timingSafeEqual(sha256(bearer), expected)) return next();
      return next(new AppError(401, 'unauthorized', 'That token is not valid.'));
    }
    if (req.headers['webhook-signature'] !== undefined) {
      if (!webhookSecret) return next(new AppError(401, 'unauthorized', 'Signed reports need HANDOFF_WEBHOOK_SECRET set on this server.'));
      try {
        verifyWebhook(webhookSecret, req.headers, rawBody(req));
        return next();
      } catch {
        return next(new AppError(401, 'unauthorized', 'The signature does not match the body, or its timestamp is too old.'));
      }
    }
    next(new AppError(401, 'unauthorized', 'Send Authorization: Bearer <HANDOFF_STATUS_TOKEN>, or sign the body with the webhook secret.'));
  };
}

/** The body as sent: express.raw leaves a Buffer; with no body there is none, which is the empty string. */
const rawBody = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

/**
 * The loop back from the help desk: `POST /api/handoffs/:id/status` `{"status":"solved"|"open"}`. Solved records
 * that the session was resolved by support; open hands it back to the inbox. The body is read raw, whatever its
 * content type, because the signature is over its exact bytes; it is parsed as JSON only after the caller is known.
 */
export function handoffStatusRoutes(ctx: AppContext, auth: StatusAuth): Router {
  const router = Router();
  router.post('/api/handoffs/:id/status', express.raw({ type: () => true, limit: BODY_LIMIT }), statusAuth(auth), async (req, res) => {
    let json: unknown;
    try {
      json = JSON.parse(rawBody(req).toString('utf8'));
    } catch {
      throw invalidInput('Send a JSON body: {"status": "solved"} or {"status": "open"}.');
    }
    const { status } = parse(statusBody, json);
    const handoff = await ctx.handoffs.report(String(req.params.id), status);
    res.json({
      handoff: { id: handoff.id, status: handoff.status, solvedAt: handoff.status === 'solved' && handoff.solvedAt !== null ? new Date(handoff.solvedAt).toISOString() : null },
    });
  });
  return router;
}
