import { LANGUAGES, type Language } from '../i18n/locales.ts';
import { optionsOf } from './compile.ts';
import type { FlowDocument } from './document.ts';
import { textAt, textKeysOf } from './text-keys.ts';

/**
 * Where a text came from: the language it was last written in as the source (`source`), and per language the
 * source text that language's text was written from (`basis`). A translation whose basis is no longer the source's
 * text is **stale**: the source changed after it was translated. Kept beside a document (on its draft and on the
 * version that draft became), never inside it: confirming a translation changes no text people see, so it must not
 * change the content hash sessions pin.
 */
export interface TextOrigin {
  source: Language;
  basis: Partial<Record<Language, string>>;
}

/** Per text key (see text-keys.ts), where the text came from. Keys without an entry are taken to agree. */
export type TextOrigins = Record<string, TextOrigin>;

/** Who made an edit: an author writes source texts; a translator translates from them. */
export type EditRole = 'author' | 'translator';

/** The keys a complete guide has texts for in every language: body_agent is optional, so only where it is written. */
export function expectedKeys(doc: FlowDocument): string[] {
  const keys = ['title', 'summary', 'keywords'];
  for (const [step, state] of Object.entries(doc.machine.states)) {
    keys.push(`${step}.title`, `${step}.body`);
    if (LANGUAGES.some((l) => textAt(doc, l, `${step}.body_agent`) !== undefined)) keys.push(`${step}.body_agent`);
    for (const event of state.type === 'final' ? [] : optionsOf(state)) keys.push(`${step}.options.${event}`);
  }
  return keys;
}

const written = (doc: FlowDocument, lng: Language, key: string) => {
  const text = textAt(doc, lng, key);
  return text !== undefined && text.trim() !== '' ? text : undefined;
};

/**
 * The origins after `after` replaced `before`, in a save by `role` that was written in `sourceLng` (the language
 * the person said they write in; it decides which text is the source when an author changes several languages of
 * one text at once).
 *
 * - An author's change makes the changed language the text's source; languages changed in the same save agree with
 *   it, the others keep what they were written from, and so become stale.
 * - An author's change to a stale or missing translation of a text whose source is another language is a
 *   translation: it is brought up to date, and the source stays.
 * - A translator's change always brings that translation up to date with the source.
 * Origins of texts that no longer exist are dropped.
 */
export function recordEdit(
  before: FlowDocument,
  after: FlowDocument,
  origins: TextOrigins,
  role: EditRole,
  sourceLng: Language,
): TextOrigins {
  const next: TextOrigins = {};
  const keys = new Set(LANGUAGES.flatMap((l) => textKeysOf(after, l)));
  for (const key of keys) {
    const changed = LANGUAGES.filter((l) => written(after, l, key) !== undefined && written(after, l, key) !== written(before, l, key));
    const prev = origins[key];
    if (!changed.length) {
      if (prev) next[key] = prev;
      continue;
    }
    const translating = (l: Language) => role === 'translator' || (prev !== undefined && prev.source !== l && isStaleOrNew(before, prev, l, key));
    const authored = changed.filter((l) => !translating(l));
    if (!authored.length) {
      // Translations only: each now stands on the source as it is.
      const source = prev?.source;
      const sourceText = source && written(after, source, key);
      if (!prev || !source || sourceText === undefined) {
        if (prev) next[key] = prev;
        continue;
      }
      next[key] = { source, basis: { ...prev.basis, ...Object.fromEntries(changed.map((l) => [l, sourceText])) } };
      continue;
    }
    const source = authored.includes(sourceLng) ? sourceLng : authored[0]!;
    const sourceText = written(after, source, key)!;
    // Without origins the languages agreed: what they were written from is the source's text before this change.
    const basis: Partial<Record<Language, string>> = prev ? { ...prev.basis } : {};
    if (!prev) {
      const old = written(before, source, key);
      if (old !== undefined) for (const l of LANGUAGES) if (written(before, l, key) !== undefined) basis[l] = old;
    }
    for (const l of changed) basis[l] = sourceText;
    next[key] = { source, basis };
  }
  return next;
}

/** Whether language `lng`'s text at `key` was missing or written from another source text than the current one. */
function isStaleOrNew(doc: FlowDocument, origin: TextOrigin, lng: Language, key: string): boolean {
  if (written(doc, lng, key) === undefined) return true;
  const source = written(doc, origin.source, key);
  return origin.basis[lng] !== undefined && source !== undefined && origin.basis[lng] !== source;
}

/** A translation the source changed under: what it was written from, and the source now. */
export interface StaleText {
  key: string;
  source: Language;
  /** The source text the translation was written from. */
  was: string;
  /** The source text now. */
  now: string;
}

/** The texts of language `lng` that are stale (see TextOrigin), in reading order. */
export function staleTexts(doc: FlowDocument, origins: TextOrigins, lng: Language): StaleText[] {
  const out: StaleText[] = [];
  for (const key of expectedKeys(doc)) {
    const origin = origins[key];
    if (!origin || origin.source === lng || written(doc, lng, key) === undefined) continue;
    const was = origin.basis[lng];
    const now = written(doc, origin.source, key);
    if (was !== undefined && now !== undefined && was !== now) out.push({ key, source: origin.source, was, now });
  }
  return out;
}

/** The texts a complete guide has that language `lng` lacks (or has empty), in reading order. */
export const missingTexts = (doc: FlowDocument, lng: Language): string[] => expectedKeys(doc).filter((key) => written(doc, lng, key) === undefined);

/** A translator's "still right": the translation at `key` now stands on the source's current text. */
export function confirmText(doc: FlowDocument, origins: TextOrigins, lng: Language, key: string): TextOrigins {
  const origin = origins[key];
  const now = origin && written(doc, origin.source, key);
  if (!origin || now === undefined) return origins;
  return { ...origins, [key]: { ...origin, basis: { ...origin.basis, [lng]: now } } };
}

/** Origins read back from the database: anything not of the shape is dropped rather than trusted. */
export function parseOrigins(json: string): TextOrigins {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: TextOrigins = {};
  for (const [key, o] of Object.entries(value as Record<string, unknown>)) {
    const origin = o as Partial<TextOrigin> | null;
    if (origin && LANGUAGES.includes(origin.source as Language) && origin.basis && typeof origin.basis === 'object') out[key] = origin as TextOrigin;
  }
  return out;
}
