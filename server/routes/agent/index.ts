import express, { Router } from 'express';
import { requireCsrf, requireLogin } from '../../auth/logins.ts';
import type { AppContext } from '../../http/context.ts';
import { ConsoleService } from '../../services/console.ts';
import { InboxService } from '../../services/inbox.ts';
import { consoleForm } from '../console-page.ts';
import { inboxRoutes } from './inbox.ts';
import { sessionsRoutes } from './sessions.ts';
import { signInRoutes, signOutRoutes } from './sign-in.ts';
import { triageRoutes } from './triage.ts';

/**
 * The agent console: sign-in, triage (the same flows in agent wording, with notes), hand-off by ref, transcripts,
 * the sessions list and the inbox of requests to support. The console's own language follows the agent (`?lng=`, cookie, browser); the content of a
 * session stays in the caller's language.
 */
export function agentRoutes(ctx: AppContext): Router {
  const service = new ConsoleService(ctx);
  const inbox = new InboxService(ctx);
  const router = Router();
  router.use(signInRoutes(ctx, service));
  // Everything below needs a signed-in agent, and every form a CSRF token; paths that are no route are guarded too.
  router.use(['/agent', '/admin'], requireLogin('agent'));
  // A triage step's form may carry pasted headers (64 KB, up to three times that percent-encoded).
  router.post('/agent/s/:id', express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 30 }));
  router.use(['/agent', '/admin'], consoleForm, requireCsrf);
  router.use(signOutRoutes(ctx));
  router.use(triageRoutes(ctx, service, inbox));
  router.use(sessionsRoutes(ctx, service));
  router.use(inboxRoutes(ctx, inbox, service));
  return router;
}
