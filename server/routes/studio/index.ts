import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { studioDraftRoutes } from './drafts.ts';
import { studioGuideRoutes } from './guides.ts';
import { requireEditor } from './page.ts';
import { studioPreviewRoutes } from './preview.ts';
import { studioTranslateRoutes } from './translate.ts';

/**
 * The studio (README: "The studio"): where authors and translators change guides in the browser. Server-rendered
 * pages and forms (POST, then 303 to a page), so every action works without JavaScript; a script only enhances.
 * Mounted before the admin pages, which are for administrators only.
 */
export function studioRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/studio', requireEditor);
  router.use(studioGuideRoutes(ctx));
  router.use(studioDraftRoutes(ctx));
  router.use(studioPreviewRoutes(ctx));
  router.use(studioTranslateRoutes(ctx));
  // Anything else under the studio is a 404 here, not the admin pages' "administrators only".
  router.use('/admin/studio', (_req: Request, _res: Response, next: NextFunction) => next(new AppError(404, 'not_found', 'There is no such studio page.')));
  return router;
}
