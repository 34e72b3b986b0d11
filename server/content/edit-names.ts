import { RESERVED_TEXT_KEYS } from './document.ts';
import { OBJECT_NAMES, RESERVED_EVENTS } from './edit-common.ts';

/*
 * Names made from what an author writes: an option's event from its label, a step's id from its title. Labels come
 * in any of the four languages, so letters are transliterated (the event regex allows A–Z only).
 */

const MAX_LENGTH = 40;

/** Letters that Unicode decomposition does not reduce to a Latin letter and a mark. */
const LETTERS: Record<string, string> = { æ: 'ae', ø: 'o', ß: 'ss', œ: 'oe', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i' };

/** The words of a text, in lower-case ASCII letters and digits: "Jag hittade det i skräpposten" → jag, hittade, … */
function asciiWords(text: string): string[] {
  const ascii = text
    .toLowerCase()
    .replace(/[æøßœđðłþı]/g, (c) => LETTERS[c]!)
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
  return ascii.split(/[^a-z0-9]+/).filter(Boolean);
}

/** Words joined while the result stays within the limit (a first word longer than it is cut). */
function within(words: readonly string[], join: (words: readonly string[]) => string, max = MAX_LENGTH): string {
  let kept: string[] = [];
  for (const word of words) {
    if (join([...kept, word]).length > max) break;
    kept = [...kept, word];
  }
  return kept.length ? join(kept) : join(words.slice(0, 1)).slice(0, max);
}

/** `base`, or `base` with the first suffix that makes it free (`suffix(2)`, `suffix(3)`, …), cut to stay in length. */
function unique(base: string, taken: ReadonlySet<string>, suffix: (n: number) => string): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const end = suffix(n);
    const name = base.slice(0, MAX_LENGTH - end.length) + end;
    if (!taken.has(name)) return name;
  }
}

/**
 * An option's event from its label: UPPER_SNAKE ASCII, at most 40 characters, starting with a letter, and free among
 * `taken` (the step's other events) and the events the app sends itself.
 */
export function eventFromLabel(label: string, taken: Iterable<string> = []): string {
  const words = asciiWords(label).map((w) => w.toUpperCase());
  if (/^[0-9]/.test(words[0] ?? '')) words.unshift('OPTION');
  const base = words.length ? within(words, (w) => w.join('_')) : 'OPTION';
  return unique(base, new Set([...taken, ...RESERVED_EVENTS]), (n) => `_${n}`);
}

/**
 * A step's id from its title: camelCase ASCII, at most 40 characters, starting with a lower-case letter, and free
 * among `taken` (the guide's steps) and the keys the guide's own texts use.
 */
export function stepIdFromTitle(title: string, taken: Iterable<string> = []): string {
  const words = asciiWords(title);
  if (/^[0-9]/.test(words[0] ?? '')) words.unshift('step');
  const camel = (ws: readonly string[]) => ws.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
  const base = words.length ? within(words, camel) : 'step';
  return unique(base, new Set([...taken, ...RESERVED_TEXT_KEYS, ...OBJECT_NAMES]), (n) => String(n));
}
