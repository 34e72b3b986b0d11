import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../http/context.ts';
import { sitePath } from '../http/request.ts';
import { tFor } from '../i18n/i18n.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../i18n/locales.ts';
import { VIEWS_DIR } from './views.ts';

/**
 * Every file in the assets folder → its URL carrying a hash of its own content. Assets are served immutable for a
 * year, so a file's URL must change exactly when the file does: one shared version would either miss a changed
 * script or refetch every unchanged file. Read once at start (assets change only with a release).
 */
export function assetUrls(dir: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const hash = createHash('sha256').update(readFileSync(join(dir, entry.name))).digest('hex').slice(0, 10);
    urls[entry.name] = `/assets/${entry.name}?v=${hash}`;
  }
  return urls;
}

const ASSETS = assetUrls(`${VIEWS_DIR}assets`);

/** What a page reads of its request: the path (for the language switcher) and the query. */
export type PageRequest = Pick<Request, 'path' | 'query'>;

/** What every page's layout needs: the language, its `t`, and the switcher's links (same page, other language). */
export function pageData(ctx: AppContext, req: PageRequest, lng: Language, extra: Record<string, unknown>) {
  const path = sitePath(req.path);
  // On the widget's pages the host origin rides along until a session keeps it.
  const origin = typeof req.query.origin === 'string' ? `&origin=${encodeURIComponent(req.query.origin)}` : '';
  return {
    lng,
    t: tFor(ctx.i18n, lng),
    assets: ASSETS,
    languages: LANGUAGES.map((code) => ({
      code,
      name: LANGUAGE_NAMES[code],
      href: `${path}?lng=${code}${origin}`,
      current: code === lng,
    })),
    ...extra,
  };
}
