import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit, type Store as RateStore } from 'express-rate-limit';
import type { HitCounter } from '../store/hit-counter.ts';
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

/** express-rate-limit's store on a shared HitCounter: every instance counts the same key in the same window. */
function sharedStore(counter: HitCounter, prefix: string, windowMs: number): RateStore {
  const keyOf = (key: string) => `${prefix}:${key}`;
  return {
    localKeys: false,
    prefix,
    async increment(key) {
      const { hits, resetAt } = await counter.increment(keyOf(key), windowMs);
      return { totalHits: hits, resetTime: new Date(resetAt) };
    },
    decrement: (key) => counter.decrement(keyOf(key)),
    resetKey: (key) => counter.reset(keyOf(key)),
  };
}

function limiter(
  name: string,
  limit: number,
  message: string,
  options: { windowMs?: number; skipFailedRequests?: boolean; counter?: HitCounter | undefined } = {},
): RequestHandler {
  const windowMs = options.windowMs ?? 60_000;
  return rateLimit({
    windowMs,
    limit,
    ...(options.counter ? { store: sharedStore(options.counter, name, windowMs) } : {}),
    skipFailedRequests: options.skipFailedRequests ?? false,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req: Request, res: Response, next: NextFunction) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil((reset - Date.now()) / 1000))));
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
  /** Counts shared by every instance (PostgreSQL); without, each process counts for itself. */
  counter?: HitCounter | undefined;
}

export function createLimits(options: LimitOptions): Limits {
  const { counter } = options;
  const checks = limiter('checks', options.checksPerMinute, 'Too many domain checks; wait a minute and try again.', { counter }) as Middleware;
  return {
    sessions: limiter('sessions', options.sessionsPerMinute, 'Too many new sessions from this address; wait a minute and try again.', { counter }) as Middleware,
    steps: limiter('steps', options.stepsPerMinute, 'Too many steps from this address; wait a minute and try again.', { counter }) as Middleware,
    checks,
    // The same limiter (and so the same counts), skipped for the ordinary answers that make up most steps.
    checkSteps: (req, res, next) => (runsCheck(req as Request) ? checks(req, res, next) : next()),
    handoffs: limiter('handoffs', options.handoffsPerHour, 'Too many requests to support from this address; wait a while and try again.', {
      windowMs: 3_600_000,
      skipFailedRequests: true,
      counter,
    }) as Middleware,
  };
}
