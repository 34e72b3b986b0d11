import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { AppError } from './errors.ts';
import { layer } from './layers.ts';

/*
 * What every answer carries, whichever path answers it: the Express app (server/http/app.ts) and the hot path in
 * front of it (server/http/hot-path.ts) both take their headers and error bodies from here, so the two cannot drift.
 */

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      fontSrc: ["'self'"],
      // Self-hosted installs often run on plain HTTP inside a network; upgrading would break their assets.
      upgradeInsecureRequests: null,
    },
  },
  // Sent by `securityHeaders`, and only over HTTPS.
  strictTransportSecurity: false,
};

/**
 * Helmet's headers, worked out once by helmet itself: none of our directives depends on the request, so running its
 * 13 middlewares on every request would compute the same list each time.
 */
function helmetHeaders(): readonly (readonly [string, string])[] {
  const headers: [string, string][] = [];
  const probe = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => undefined,
  };
  let ran = false;
  helmet(HELMET_OPTIONS)({} as never, probe as never, () => {
    ran = true;
  });
  // Helmet is synchronous today; if a version ever was not, the list would be silently short.
  if (!ran || !headers.length) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

export const SECURITY_HEADERS = helmetHeaders();

/** Browsers keep to HTTPS for a year once they have seen this (helmet's default value). */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Helmet's headers, and HSTS only on a response that came over HTTPS: over plain HTTP it would claim what this
 * server cannot know. Behind a proxy (TRUST_PROXY), X-Forwarded-Proto says which it was; without, no client can claim it.
 */
export function setSecurityHeaders(res: ServerResponse, secure: boolean) {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  if (secure) res.setHeader('Strict-Transport-Security', HSTS);
}

export const securityHeaders = layer('securityHeaders', (req: Request, res: Response, next: NextFunction) => {
  setSecurityHeaders(res, req.secure);
  next();
});

/** Pages and JSON are one person's session: never stored by a browser or proxy. */
export function setNoStore(res: ServerResponse) {
  res.setHeader('Cache-Control', 'no-store');
}

export const noStore = layer('noStore', (_req: Request, res: Response, next: NextFunction) => {
  setNoStore(res);
  next();
});

/** The API's error body: `{"error":{"code","message"}}` and whatever more the client needs to act on. */
export const apiErrorBody = (error: AppError) => ({ error: { code: error.code, message: error.message, ...error.details } });

/** How long a client is asked to wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** The status line and headers of an error, before its body (JSON or a page). */
export function setErrorStatus(res: ServerResponse, error: AppError) {
  res.statusCode = error.status;
  if (error.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
}
