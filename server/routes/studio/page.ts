import type { NextFunction, Request, Response } from 'express';
import { canEdit, editorFor } from '../../auth/editors.ts';
import { requireCsrf } from '../../auth/logins.ts';
import type { AppContext } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { requestLanguage } from '../../http/request.ts';
import { tFor } from '../../i18n/i18n.ts';
import { LANGUAGES, type Language } from '../../i18n/locales.ts';
import type { AgentRecord } from '../../store/types.ts';
import { sendConsolePage } from '../console-page.ts';

/**
 * Studio pages are for people who change guides (admin, author, translator): signed in, the role checked here on
 * the server whatever the page shows, and every form carrying the login's CSRF token. A GET without a login goes
 * to the sign-in page and comes back.
 */
export function requireEditor(req: Request, res: Response, next: NextFunction) {
  const agent = req.login?.agent;
  if (!agent) {
    if (req.method !== 'GET') return next(new AppError(401, 'unauthorized', 'Sign in first.'));
    return res.redirect(302, `/agent/login?next=${encodeURIComponent(req.originalUrl)}`);
  }
  if (!canEdit(agent.role)) return next(new AppError(403, 'forbidden', 'The studio is for administrators, authors and translators.'));
  req.editor = editorFor(agent);
  requireCsrf(req, res, next);
}

/** Authors and administrators change a guide's structure; translators only texts. */
export function requireAuthor(req: Request, _res: Response, next: NextFunction) {
  next(req.editor?.onlyTexts ? new AppError(403, 'forbidden', 'Only authors and administrators change the steps, options and facts of a guide.') : undefined);
}

/** The languages a person works on: a translator's own, everyone else's all four. */
export const languagesOf = (req: Request): Language[] => {
  const only = req.editor?.onlyTexts;
  return only ? LANGUAGES.filter((l) => only.includes(l)) : [...LANGUAGES];
};

/** The request's `t`; the studio's own texts are in the `studio` namespace, so their keys start `studio:`. */
export const studioT = (ctx: AppContext, req: Request) => tFor(ctx.i18n, requestLanguage(req));

/** A studio page: the console's layout with the studio's own navigation. */
export function sendStudioPage(ctx: AppContext, req: Request, res: Response, name: string, data: Record<string, unknown>, status = 200) {
  const role = req.editor?.role;
  sendConsolePage(ctx, req, res, name, { ...data, studio: { isAuthor: role === 'admin' || role === 'author', isTranslator: role === 'translator', ...(data.studio as object) } }, status);
}

/** People by id, for "who changed it" columns. */
export async function peopleById(ctx: AppContext): Promise<Map<number, AgentRecord>> {
  return new Map((await ctx.store.listAgents()).map((a) => [a.id, a]));
}

/** A person's name for a history line, or how a change came without one (the CLI, a token, a release). */
export const whoName = (people: Map<number, AgentRecord>, id: number | null, via: string, t: (k: string) => string) =>
  (id !== null ? people.get(id)?.name : undefined) ?? t(`studio:via.${via}`);
