import express, { type Request, type Response } from 'express';
import { canEdit } from '../auth/editors.ts';
import type { AppContext } from '../http/context.ts';
import { requestLanguage } from '../http/request.ts';
import { pageData } from '../render/page-data.ts';

/** Console forms are small: a note of 4,000 characters fits, and a few dozen fields are all any form has. */
export const consoleForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 });

/** Sends a console page in the agent's language, with who is signed in and their CSRF token for the layout's forms. */
export function sendConsolePage(ctx: AppContext, req: Request, res: Response, name: string, data: Record<string, unknown>, status = 200) {
  const base = pageData(ctx, req, requestLanguage(req), data);
  const login = req.login;
  res.status(status).send(ctx.render(name, { ...base, agent: login?.agent, csrf: login?.csrf, isAdmin: login?.agent.role === 'admin', canStudio: canEdit(login?.agent.role) }, 'console'));
}
