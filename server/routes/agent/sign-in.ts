import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { TooManyAttempts } from '../../auth/attempts.ts';
import { endLogin, sameToken, startLogin } from '../../auth/logins.ts';
import { safeNext } from '../../auth/next.ts';
import type { AppContext } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { cookies, requestLanguage } from '../../http/request.ts';
import type { ConsoleService } from '../../services/console.ts';
import { consoleForm, sendConsolePage } from '../console-page.ts';
import { parse } from '../parse.ts';

const PRE_LOGIN_CSRF = 'mh_csrf';

// Anything but one string is no place to return to.
const loginQuery = z.object({ next: z.string().optional().catch(undefined) });

// Longer values are cut, as before: no account has a longer email, and a longer password never matched.
const loginForm = z.object({
  _csrf: z.string().default(''),
  email: z.string().default('').transform((s) => s.trim().slice(0, 200)),
  password: z.string().default('').transform((s) => s.slice(0, 200)),
  next: z.string().optional(),
});

/** Signing in: open to everyone, so mounted before the console's login check. */
export function signInRoutes(ctx: AppContext, service: ConsoleService): Router {
  const router = Router();
  const loginPage = (req: Request, res: Response, data: Record<string, unknown>, status = 200) =>
    sendConsolePage(ctx, req, res, 'login', { ...data, pageTitle: ctx.i18n.getFixedT(requestLanguage(req))('agent.login.title') }, status);

  router.get('/agent/login', (req, res) => {
    const next = safeNext(parse(loginQuery, req.query).next);
    if (req.login) return res.redirect(303, next);
    const token = randomBytes(24).toString('base64url');
    res.cookie(PRE_LOGIN_CSRF, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/agent/login' });
    loginPage(req, res, { loginCsrf: token, next });
  });

  router.post('/agent/login', consoleForm, async (req, res) => {
    const form = parse(loginForm, req.body);
    const expected = cookies(req)[PRE_LOGIN_CSRF] ?? '';
    if (!sameToken(form._csrf, expected)) throw new AppError(403, 'csrf_failed', 'This form has expired. Reload the page and try again.');
    const next = safeNext(form.next);
    const t = ctx.i18n.getFixedT(requestLanguage(req));
    const again = { loginCsrf: expected, next, email: form.email };
    let agent;
    try {
      agent = await service.signIn(form.email, form.password, req.ip);
    } catch (e) {
      if (!(e instanceof TooManyAttempts)) throw e;
      res.set('Retry-After', String(e.retryAfter));
      return loginPage(req, res, { ...again, error: t('agent.login.tooMany', { count: Math.ceil(e.retryAfter / 60) }) }, 429);
    }
    if (!agent) return loginPage(req, res, { ...again, error: t('agent.login.wrong') }, 401);
    res.clearCookie(PRE_LOGIN_CSRF, { path: '/agent/login' });
    await startLogin(ctx.store, res, req, agent);
    res.redirect(303, next);
  });

  return router;
}

/** Signing out: behind the login check and the CSRF token like every other console form. */
export function signOutRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/agent/logout', async (req, res) => {
    await endLogin(ctx.store, req, res);
    res.redirect(303, '/agent/login');
  });
  return router;
}
