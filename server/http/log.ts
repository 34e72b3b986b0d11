import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { layer } from './layers.ts';
import type { NextFunction, Request, Response } from 'express';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * JSON lines on stdout. Asynchronous, so a request never waits for the terminal or a log shipper; pino flushes
 * what is buffered when the process exits normally.
 */
export function createLogger(level: (typeof LOG_LEVELS)[number] = 'info', destination?: DestinationStream): Logger {
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id: the caller's `X-Request-Id` when it is a plain token, else a new one. */
    id: string;
  }
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The route a request matched, as a pattern (`/api/sessions/:id`). Logs name routes, never raw URLs: a session id
 * is the key to someone's session and a query string can hold an email address.
 */
export const routeOf = (req: Request): string | null => {
  if (!req.route) return null;
  // By the time an error reaches the app's handler, Express has reset baseUrl; /api is the one mounted router.
  const base = req.baseUrl || (req.originalUrl.startsWith('/api/') ? '/api' : '');
  return `${base}${String(req.route.path)}`;
};

/** The caller's `X-Request-Id` when it is a plain token (so a chain of services shares one), else a new one. */
export function requestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Echoes the request's id (so a support ticket can quote it) and logs one line when the response is finished: id,
 * method, route, status, milliseconds. No address, no headers, no bodies. `route` is asked at the end, once the
 * request has found its route.
 */
export function logRequest(logger: Logger, res: ServerResponse, id: string, method: string | undefined, route: () => string | null, start = performance.now()) {
  res.setHeader('X-Request-Id', id);
  if (!logger.isLevelEnabled('info')) return;
  res.once('finish', () => {
    logger.info({ reqId: id, method, route: route(), status: res.statusCode, ms: Math.round((performance.now() - start) * 10) / 10 }, 'request');
  });
}

/** Gives each request its id and its log line (`logRequest`). */
export function requestLog(logger: Logger) {
  return layer('requestLog', (req: Request, res: Response, next: NextFunction) => {
    req.id = requestId(req.headers['x-request-id']);
    logRequest(logger, res, req.id, req.method, () => routeOf(req));
    next();
  });
}
