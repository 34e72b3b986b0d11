import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { allowsOrigin, asOrigin, type EmbedPolicy } from '../config.ts';
import type { AppContext } from '../http/context.ts';
import { VIEWS_DIR } from '../render/views.ts';
import { pageRoutes } from './pages.ts';

/**
 * The embed pages may be framed only by the origins EMBED_ORIGINS lists (CSP frame-ancestors; the legacy
 * X-Frame-Options header cannot name other origins, so it is dropped here). Everything else stays as strict as
 * on the site: scripts only from our own origin.
 */
function frameHeaders(policy: EmbedPolicy) {
  const ancestors = policy.origins === '*' ? '*' : policy.origins.length ? policy.origins.join(' ') : "'none'";
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', csp);
    res.removeHeader('X-Frame-Options');
    next();
  };
}

/** The loader is read once; its hash is its ETag, so a changed loader reaches every host page within a day. */
function loader() {
  const source = readFileSync(`${VIEWS_DIR}assets/widget.js`, 'utf8');
  const etag = `"${createHash('sha256').update(source).digest('base64url').slice(0, 16)}"`;
  return (req: Request, res: Response) => {
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      ETag: etag,
      // With ?v=<etag> the URL names one version and can be cached for good; without, revalidate daily.
      'Cache-Control': req.query.v ? 'public, max-age=31536000, immutable' : 'public, max-age=86400',
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    if (req.fresh) return void res.status(304).end();
    res.send(source);
  };
}

export function embedRoutes(ctx: AppContext, policy: EmbedPolicy): Router {
  const router = Router();
  router.get('/widget.js', loader());
  router.use('/embed', frameHeaders(policy));
  router.use(
    pageRoutes(ctx, {
      base: '/embed',
      layout: 'embed',
      channel: 'widget',
      hostOrigin: (value) => {
        const origin = asOrigin(value);
        return origin && allowsOrigin(policy, origin) ? origin : undefined;
      },
    }),
  );
  if (policy.demo) {
    const demo = readFileSync(`${VIEWS_DIR}demo/help-center.html`, 'utf8');
    router.get('/demo/help-center', (_req, res) => {
      res.type('html').send(demo);
    });
  }
  return router;
}
