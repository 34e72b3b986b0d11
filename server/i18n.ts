import i18next, { type TFunction, type i18n } from 'i18next';
import { DEFAULT_LANGUAGE, LANGUAGES, loadResources, type Language, type Resources } from './locales.ts';

export type { TFunction };

/**
 * One i18next instance for the app, initialised synchronously from resources read at start-up. Language detection
 * is ours (server/language.ts); requests get fixed `t` functions, which is all i18next does on the hot path.
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

export function tFor(i18n: i18n, lng: Language, ns = 'common'): TFunction {
  return i18n.getFixedT(lng, ns);
}
