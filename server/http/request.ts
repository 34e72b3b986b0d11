import { UnstorableTextError } from '../store/types.ts';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { AppError } from './errors.ts';
import { layer } from './layers.ts';
import { pickLanguage, type LanguageSources } from '../i18n/language.ts';
import type { Language } from '../i18n/locales.ts';

export function cookies(req: Request): Record<string, string | undefined> {
  return req.headers.cookie ? parseCookies(req.headers.cookie) : {};
}

/** The language for this request, given the session's own language when there is one. */
export function requestLanguage(req: Request, session?: string): Language {
  const sources: LanguageSources = {
    query: req.query.lng,
    session,
    cookie: cookies(req).lng,
    acceptLanguage: req.headers['accept-language'],
  };
  return pickLanguage(sources);
}

/**
 * The request's path, safe to write into a link on this site. A browser reads `//host/x` and `/\host/x` as another
 * site's address and drops tabs and newlines before it looks, so runs of slashes and backslashes become one slash
 * and control characters and spaces are removed: the result always starts with exactly one `/`.
 */
export function sitePath(path: string): string {
  return `/${path.replace(/[\u0000-\u0020\u007f]/g, '').replace(/[\\/]+/g, '/').replace(/^\//, '')}`;
}

/** Remembers an explicit choice (`?lng=`) for the next visit. */
export function rememberLanguage(res: Response, lng: Language, secure: boolean) {
  res.cookie('lng', lng, { maxAge: 365 * 24 * 3600 * 1000, sameSite: 'lax', httpOnly: true, secure, path: '/' });
}

/**
 * A request that carries a body must say it is JSON: anything else is refused with 415 before it is read,
 * rather than silently parsed as nothing.
 */
export const requireJsonBody = layer('requireJsonBody', (req: Request, _res: Response, next: NextFunction) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) return next(new AppError(415, 'unsupported_media_type', 'Send the request body as application/json.'));
  next();
});

/**
 * Maps errors raised by Express and body-parser for a bad request (unreadable body, undecodable path) onto ours:
 * they are the client's mistakes, never a 500.
 */
export function clientError(err: unknown): AppError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  if (err instanceof UnstorableTextError) return new AppError(400, 'invalid_input', 'The request contains a character that cannot be stored (NUL).');
  switch ((err as { type?: string }).type) {
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', `The request body is larger than ${Math.round(((err as { limit?: number }).limit ?? 16_384) / 1024)} KB.`);
    case 'entity.parse.failed':
      return new AppError(400, 'invalid_input', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', 'Send the request body as UTF-8.');
    case 'parameters.too.many':
      return new AppError(413, 'payload_too_large', 'The form has too many fields.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError(400, 'invalid_input', 'The request body could not be read.');
    default: {
      const status = (err as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500)
        return new AppError(400, 'invalid_input', 'The request could not be read.');
      return undefined;
    }
  }
}
