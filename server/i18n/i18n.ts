import i18next, { type TFunction, type i18n } from 'i18next';
import { DEFAULT_LANGUAGE, LANGUAGES, loadResources, type Language, type Resources } from './locales.ts';

export type { TFunction };

/**
 * One i18next instance for the app, initialised synchronously from resources read at start-up. Language detection
 * is ours (server/i18n/language.ts); requests get fixed `t` functions, which is all i18next does on the hot path.
 */
export function createI18n(resources: Resources = loadResources()): i18n {
  const instance = i18next.createInstance();
  const namespaces = [...new Set(LANGUAGES.flatMap((l) => Object.keys(resources[l])))];
  instance.init({
    resources,
    supportedLngs: [...LANGUAGES],
    fallbackLng: DEFAULT_LANGUAGE,
    ns: namespaces,
    defaultNS: 'common',
    initAsync: false,
    returnEmptyString: false,
    returnNull: false,
    // Texts are escaped where they are shown: Handlebars for plain text, markdown-it for bodies.
    interpolation: { escapeValue: false },
  });
  return instance;
}

/**
 * Adds one flow version's texts (its document's `texts`, one object per language in i18next's own shape) under the
 * version's namespace. Texts of a published version never change, so a namespace is added once and kept.
 */
export function addFlowTexts(i18n: i18n, ns: string, texts: Record<Language, object>): void {
  for (const lng of LANGUAGES) if (!i18n.hasResourceBundle(lng, ns)) i18n.addResourceBundle(lng, ns, texts[lng]);
}

const fixed = new WeakMap<i18n, Map<string, TFunction>>();
/** Keys are written in templates and code, so a few thousand at most; the cap only guards against a bug. */
const MEMO_LIMIT = 10_000;

/**
 * A fixed `t` for one language and namespace that remembers texts without interpolation values. Every page asks
 * for the same labels on every request, and i18next's lookup (key parsing, fallbacks, nesting) was a tenth of
 * the time an HTML step took; texts cannot change while the app runs.
 */
export function tFor(i18n: i18n, lng: Language, ns = 'common'): TFunction {
  let byLanguage = fixed.get(i18n);
  if (!byLanguage) fixed.set(i18n, (byLanguage = new Map()));
  const id = `${lng}\u0000${ns}`;
  let t = byLanguage.get(id);
  if (t) return t;
  const base = i18n.getFixedT(lng, ns);
  const memo = new Map<string, string>();
  const memoized = (key: string | string[], values?: unknown) => {
    if (typeof key !== 'string' || (values !== undefined && (typeof values !== 'object' || values === null || Object.keys(values).length > 0)))
      return base(key as string, values as Record<string, unknown>);
    let text = memo.get(key);
    if (text === undefined) {
      text = base(key) as string;
      if (memo.size < MEMO_LIMIT) memo.set(key, text);
    }
    return text;
  };
  t = memoized as unknown as TFunction;
  byLanguage.set(id, t);
  return t;
}
