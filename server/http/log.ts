import { randomUUID } from 'node:crypto';
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

/**
 * Gives each request an id (echoed as `X-Request-Id`, so a support ticket can quote it) and logs one line when
 * the response is finished: id, method, route, status, milliseconds. No address, no headers, no bodies.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    if (logger.isLevelEnabled('info')) {
      const start = performance.now();
      res.once('finish', () => {
        logger.info(
          { reqId: req.id, method: req.method, route: routeOf(req), status: res.statusCode, ms: Math.round((performance.now() - start) * 10) / 10 },
          'request',
        );
      });
    }
    next();
  };
}
