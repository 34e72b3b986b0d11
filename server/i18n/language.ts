import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './locales.ts';

const SUPPORTED = new Set<string>(LANGUAGES);
/** Norwegian comes as `no`, Bokmål (`nb`) or Nynorsk (`nn`); we serve one Norwegian. */
const ALIASES: Record<string, Language> = { nb: 'no', nn: 'no' };

/** `sv-SE` → `sv`, `nb-NO` → `no`, `fr` → undefined. */
export function normalizeLanguage(tag: unknown): Language | undefined {
  if (typeof tag !== 'string' || tag.length > 35) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (SUPPORTED.has(primary)) return primary as Language;
  return ALIASES[primary];
}

/** The supported language the browser prefers most, honouring q-values (`q=0` means "not this one"). */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, 30)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { lng: normalizeLanguage(tag), quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.lng && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranges[0]?.lng;
}

export interface LanguageSources {
  query?: unknown;
  session?: string | undefined;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
}

/** `?lng=` → the session's language → the `lng` cookie → Accept-Language → English. */
export function pickLanguage(sources: LanguageSources): Language {
  return (
    normalizeLanguage(sources.query) ??
    normalizeLanguage(sources.session) ??
    normalizeLanguage(sources.cookie) ??
    fromAcceptLanguage(sources.acceptLanguage) ??
    DEFAULT_LANGUAGE
  );
}
