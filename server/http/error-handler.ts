import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { clientError, requestLanguage } from './request.ts';
import { pageData } from '../render/page-data.ts';
import { apiErrorBody, setErrorStatus } from './policy.ts';
import { layer } from './layers.ts';

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

/**
 * What the client is told about an error: its own AppError, a bad request Express or body-parser noticed, a busy
 * database; anything else is ours, logged (`log`) and answered as a plain 500.
 */
export function asAppError(err: unknown, log: () => void): AppError {
  const error = err instanceof AppError ? err : (clientError(err) ?? (databaseBusy(err) ? busy() : undefined));
  if (error) return error;
  log();
  return new AppError(500, 'internal', 'Something went wrong on our side. Please try again.');
}

export const notFound = layer('notFound', (req: Request) => {
  throw new AppError(404, 'not_found', `Nothing at ${req.method} ${req.path}.`);
});

/**
 * The one error handler. A client's mistake gets its status and a clear message, as JSON for the API and as a
 * page in the visitor's language for HTML; anything else is logged here and answered with a plain 500. No stack
 * trace ever leaves the server.
 */
export function errorHandler(ctx: AppContext, log: (err: unknown, req: Request) => void) {
  return layer('errorHandler', async (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const error = asAppError(err, () => log(err, req));
    setErrorStatus(res, error);
    if (wantsJson(req)) {
      res.json(apiErrorBody(error));
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
  });
}
