import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../root.ts';

export const LANGUAGES = ['sv', 'no', 'de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

export type Resources = Record<Language, Record<string, Record<string, unknown>>>;

export const LOCALES_DIR = join(ROOT_DIR, 'locales/');

/**
 * Reads every `locales/<lng>/<ns>.json` once at start-up. Loading synchronously before the first request means no
 * request ever sees a half-loaded language, and tests get the same resources as the app. Notes for translators
 * (`locales/context.json`, `locales/glossary.json`) stand beside the language folders, so they are never loaded.
 */
export function loadResources(dir: string = LOCALES_DIR): Resources {
  const resources = {} as Resources;
  for (const lng of LANGUAGES) {
    resources[lng] = {};
    for (const file of readdirSync(join(dir, lng))) {
      if (!file.endsWith('.json')) continue;
      resources[lng][file.slice(0, -'.json'.length)] = JSON.parse(readFileSync(join(dir, lng, file), 'utf8'));
    }
  }
  return resources;
}

/** Each language named in itself, as a language switcher shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = { sv: 'Svenska', no: 'Norsk', de: 'Deutsch', en: 'English' };
