import { canonicalJson, type FlowDocument } from './document.ts';

/**
 * Where `next` differs from `current` outside the texts of `languages`: what a translator of those languages may
 * not change. Empty when the only changes are in those texts. Paths are JSON paths (`texts.sv.checkSpam.title`,
 * `machine.states.checkSpam`), at most `limit` of them.
 */
export function changesOutside(current: FlowDocument, next: FlowDocument, languages: readonly string[], limit = 5): string[] {
  const found: string[] = [];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (found.length >= limit) return;
    if (path.length === 2 && path[0] === 'texts' && languages.includes(path[1]!)) return;
    if (path.length === 1 && path[0] === 'version') return;
    const objects = isObject(a) && isObject(b);
    if (!objects) {
      if (canonicalJson(a) !== canonicalJson(b)) found.push(path.join('.') || '(the document)');
      return;
    }
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], [...path, key]);
  };
  walk(current, next, []);
  // Every value the same, and yet another document: an order changed. The order of steps and of a step's options
  // is content people see (canonicalJson keeps it), so it is not the translator's to change either.
  if (found.length === 0) {
    const own = Object.fromEntries(languages.map((l) => [l, current.texts[l as keyof FlowDocument['texts']]]));
    const masked = { ...next, version: current.version, texts: { ...next.texts, ...own } };
    if (canonicalJson(masked) !== canonicalJson(current)) found.push('the order of steps or options');
  }
  return found;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
