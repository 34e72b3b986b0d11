import type { HelperOptions } from 'handlebars';
import { Lru } from '../../checks/lru.ts';

type Translate = (key: string, values?: object) => string;

/**
 * Texts with values, as pages ask for them again and again (a session page's every history item asks for its
 * answer's spoken label): kept per page `t` function, i.e. per language, as i18next's answer for the same key and
 * values never changes. Bounded, as values come from sessions (answers, refs, domains).
 */
const memos = new WeakMap<Translate, Lru<string, string>>();
const MEMO = { maxEntries: 2000, maxWeight: 1_000_000, weigh: (text: string) => text.length } as const;

/** The memo key of plain values (strings and numbers); undefined when a value is anything else. */
function memoKey(key: string, hash: Record<string, unknown>): string | undefined {
  let id = key;
  for (const name in hash) {
    const value = hash[name];
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    id += `\u0000${name}\u0001${typeof value === 'number' ? 'n' : 's'}${value}`;
  }
  return id;
}

/**
 * `{{t "key" name=value}}`: a text of the page's language from the `common` namespace, with interpolation. The
 * page's fixed `t` function is in the root context, so a template cannot show another language by mistake.
 * The result is escaped by Handlebars like any other value.
 */
export default function t(key: string, options: HelperOptions): string {
  const translate = (options.data.root as { t?: Translate }).t;
  if (!translate) throw new Error(`{{t "${key}"}} used on a page rendered without a t function`);
  const hash = options.hash as Record<string, unknown>;
  // Without values, the page's t function keeps its texts itself (server/i18n/i18n.ts).
  let id: string | undefined;
  for (const _ in hash) {
    id = memoKey(key, hash);
    break;
  }
  if (id === undefined) return translate(key, hash);
  let memo = memos.get(translate);
  if (!memo) memos.set(translate, (memo = new Lru(MEMO)));
  let text = memo.get(id);
  if (text === undefined) memo.set(id, (text = translate(key, hash)));
  return text;
}
