import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { CHECK } from '../../flows/types.ts';
import { AppError } from './errors.ts';

/** Generic over route parameters, so a limit can sit in any route's chain without erasing its `req.params` type. */
type Middleware = <P>(req: Request<P>, res: Response, next: NextFunction) => void;

export interface Limits {
  /** New sessions per client per minute, on every surface (API, pages, widget). */
  sessions: Middleware;
  /**
   * Steps (answers, Back, Start over) per client per minute, on every surface: each one is a stored row, so one
   * client cannot fill the database at the speed of its connection.
   */
  steps: Middleware;
  /**
   * Domain checks per client per minute: the check API and a flow's check step count against the same budget,
   * as both send a dozen DNS queries for one request.
   */
  checks: Middleware;
  /** `checks`, for step routes: only a step that runs a check counts (the body is parsed before this runs). */
  checkSteps: Middleware;
  /**
   * Requests to support per client per hour, from the form (page and widget) and the API together: each one stored
   * becomes an email or a ticket for a person to read. A request refused (a field to correct, one already sent) does
   * not count, so a typo does not use up the budget.
   */
  handoffs: Middleware;
}

function limiter(limit: number, message: string, options: { windowMs?: number; skipFailedRequests?: boolean } = {}): RequestHandler {
  const windowMs = options.windowMs ?? 60_000;
  return rateLimit({
    windowMs,
    limit,
    skipFailedRequests: options.skipFailedRequests ?? false,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req: Request, res: Response, next: NextFunction) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      res.set('Retry-After', String(Math.max(1, Math.ceil((reset - Date.now()) / 1000))));
      next(new AppError(429, 'rate_limited', message));
    },
  });
}

/** Whether a step request runs a domain check: JSON `type` or form `event`. */
const runsCheck = (req: Request) => {
  const body = req.body as { type?: unknown; event?: unknown } | undefined;
  return body?.type === CHECK || body?.event === CHECK;
};

export interface LimitOptions {
  sessionsPerMinute: number;
  stepsPerMinute: number;
  checksPerMinute: number;
  handoffsPerHour: number;
}

export function createLimits(options: LimitOptions): Limits {
  const checks = limiter(options.checksPerMinute, 'Too many domain checks; wait a minute and try again.') as Middleware;
  return {
    sessions: limiter(options.sessionsPerMinute, 'Too many new sessions from this address; wait a minute and try again.') as Middleware,
    steps: limiter(options.stepsPerMinute, 'Too many steps from this address; wait a minute and try again.') as Middleware,
    checks,
    // The same limiter (and so the same counts), skipped for the ordinary answers that make up most steps.
    checkSteps: (req, res, next) => (runsCheck(req as Request) ? checks(req, res, next) : next()),
    handoffs: limiter(options.handoffsPerHour, 'Too many requests to support from this address; wait a while and try again.', {
      windowMs: 3_600_000,
      skipFailedRequests: true,
    }) as Middleware,
  };
}
