import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { clientError, requestLanguage } from './request.ts';
import { pageData } from '../render/page-data.ts';

const wantsJson = (req: Request) =>
  req.path.startsWith('/api/') || req.path === '/healthz' || req.accepts(['html', 'json']) === 'json';

/**
 * Another process holds the database's write lock (a purge, a backup, a second instance) for longer than the short
 * busy timeout: nothing is wrong with the request, it only needs to come again a moment later. A PostgreSQL store
 * would add its lock-timeout code here.
 */
const databaseBusy = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
};
const busy = () => new AppError(503, 'unavailable', 'The service is busy. Please try again in a moment.');

/** How long a client is asked to wait before trying again after a 503. */
const RETRY_AFTER_SECONDS = 1;

export function notFound(req: Request) {
  throw new AppError(404, 'not_found', `Nothing at ${req.method} ${req.path}.`);
}

/**
 * The one error handler. A client's mistake gets its status and a clear message, as JSON for the API and as a
 * page in the visitor's language for HTML; anything else is logged here and answered with a plain 500. No stack
 * trace ever leaves the server.
 */
export function errorHandler(ctx: AppContext, log: (err: unknown, req: Request) => void) {
  return async (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    let error = err instanceof AppError ? err : (clientError(err) ?? (databaseBusy(err) ? busy() : undefined));
    if (!error) {
      log(err, req);
      error = new AppError(500, 'internal', 'Something went wrong on our side. Please try again.');
    }
    res.status(error.status);
    if (error.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    if (wantsJson(req)) {
      res.json({ error: { code: error.code, message: error.message, ...error.details } });
      return;
    }
    try {
      const sessionId = req.path.match(/^(?:\/embed)?\/s\/([A-Za-z0-9_-]{1,64})(\/|$)/)?.[1];
      // On a session's page, the error speaks the session's language.
      const session = sessionId ? await ctx.store.getSession(sessionId) : undefined;
      const lng = requestLanguage(req, session?.lng);
      const data = pageData(ctx, req, lng, {});
      res.send(
        ctx.render('error', {
          ...data,
          pageTitle: data.t(`errors.${error.code}.title`),
          errorTitle: data.t(`errors.${error.code}.title`),
          errorMessage: data.t(`errors.${error.code}.message`),
          sessionUrl: session ? `${req.path.startsWith('/embed') ? '/embed' : ''}/s/${session.id}` : undefined,
        }),
      );
    } catch (renderError) {
      log(renderError, req);
      res.type('text/plain').send(error.message);
    }
  };
}
