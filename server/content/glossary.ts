import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES_DIR, type Language } from '../i18n/locales.ts';

/** One concept of a language's glossary: the word we write for it, and the variants we do not. */
export interface GlossaryTerm {
  concept: string;
  use: string;
  reject: string[];
  note?: string;
}

type Glossaries = Partial<Record<Language, { terms?: unknown }>>;

/** locales/glossary.json, read once: notes for translators, never loaded as texts (see locales.ts). */
let cached: Glossaries | undefined;
const read = (dir: string): Glossaries => JSON.parse(readFileSync(join(dir, 'glossary.json'), 'utf8')) as Glossaries;

const isTerm = (t: unknown): t is GlossaryTerm => {
  const o = t as Partial<GlossaryTerm> | null;
  return !!o && typeof o.concept === 'string' && typeof o.use === 'string' && Array.isArray(o.reject) && o.reject.every((r) => typeof r === 'string');
};

/**
 * The glossary of language `lng` (locales/glossary.json): per concept the word to use and the words not to, as a
 * translator sees it beside the text they translate. Entries not of that shape are left out rather than shown half.
 */
export function glossaryOf(lng: Language, dir: string = LOCALES_DIR): GlossaryTerm[] {
  const all = dir === LOCALES_DIR ? (cached ??= read(dir)) : read(dir);
  const terms = all[lng]?.terms;
  if (!Array.isArray(terms)) return [];
  return terms.filter(isTerm).map((t) => ({ concept: t.concept, use: t.use, reject: t.reject, ...(typeof t.note === 'string' ? { note: t.note } : {}) }));
}
