import type { Request } from 'express';
import type { AppContext } from '../http/context.ts';
import { tFor } from '../i18n/i18n.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../i18n/locales.ts';

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { VIEWS_DIR } from './views.ts';

/** Assets are cached for a year; their URLs carry a hash of the stylesheet so a new release is fetched at once. */
export const ASSET_VERSION = createHash('sha256').update(readFileSync(`${VIEWS_DIR}assets/app.css`)).digest('hex').slice(0, 10);

/** What every page's layout needs: the language, its `t`, and the switcher's links (same page, other language). */
export function pageData(ctx: AppContext, req: Request, lng: Language, extra: Record<string, unknown>) {
  const path = req.path;
  // On the widget's pages the host origin rides along until a session keeps it.
  const origin = typeof req.query.origin === 'string' ? `&origin=${encodeURIComponent(req.query.origin)}` : '';
  return {
    lng,
    t: tFor(ctx.i18n, lng),
    assetVersion: ASSET_VERSION,
    languages: LANGUAGES.map((code) => ({
      code,
      name: LANGUAGE_NAMES[code],
      href: `${path}?lng=${code}${origin}`,
      current: code === lng,
    })),
    ...extra,
  };
}
