import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../http/errors.ts';
import { cookies } from '../http/request.ts';
import { layer } from '../http/layers.ts';
import type { AgentRecord, LoginRecord, Role, PeopleStore } from '../store/types.ts';

export const LOGIN_COOKIE = 'mh_login';
/** A console login lasts a working day. */
const LOGIN_TTL_MS = 12 * 3600 * 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
export const newToken = () => randomBytes(32).toString('base64url');

declare module 'express-serve-static-core' {
  interface Request {
    login?: LoginRecord;
  }
}

export async function startLogin(store: PeopleStore, res: Response, req: Request, agent: AgentRecord) {
  const token = newToken();
  const expiresAt = Date.now() + LOGIN_TTL_MS;
  await store.createLogin(sha256(token), agent.id, newToken(), expiresAt);
  res.cookie(LOGIN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export async function endLogin(store: PeopleStore, req: Request, res: Response) {
  const token = cookies(req)[LOGIN_COOKIE];
  if (token) await store.deleteLogin(sha256(token));
  res.clearCookie(LOGIN_COOKIE, { path: '/' });
}

/** Reads the login cookie (if any) into `req.login`. */
export function loadLogin(store: PeopleStore) {
  return layer('loadLogin', async (req: Request, _res: Response, next: NextFunction) => {
    const token = cookies(req)[LOGIN_COOKIE];
    if (token && token.length < 100) req.login = await store.getLogin(sha256(token));
    next();
  });
}

const isApi = (req: Request) => req.originalUrl.startsWith('/api/');

/**
 * Guards the console: without a valid login, pages redirect to the login page (and come back after it), the API
 * answers 401. `role: 'admin'` also refuses signed-in agents (403).
 */
export function requireLogin(role: Role = 'agent') {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.login) {
      if (isApi(req) || req.method !== 'GET') return next(new AppError(401, 'unauthorized', 'Sign in as an agent first.'));
      return res.redirect(302, `/agent/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (role === 'admin' && req.login.agent.role !== 'admin')
      return next(new AppError(403, 'forbidden', 'This needs an administrator.'));
    next();
  };
}

/** Compares a token sent with one expected, in constant time; an empty expected token matches nothing. */
export const sameToken = (a: unknown, b: string) =>
  b !== '' && typeof a === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Every state-changing console form carries the login's CSRF token (`_csrf`); the cookie alone is not enough.
 * SameSite=Lax already stops most cross-site posts, this stops the rest (e.g. from a sibling subdomain).
 */
export function requireCsrf(req: Request, _res: Response, next: NextFunction) {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.headers['x-csrf-token'];
  if (!req.login || !sameToken(sent, req.login.csrf))
    return next(new AppError(403, 'csrf_failed', 'This form has expired. Reload the page and try again.'));
  next();
}
