import type { Language } from '../i18n/locales.ts';
import { optionsOf } from './compile.ts';
import { RESERVED_TEXT_KEYS, type FlowDocument, type StepTexts } from './document.ts';

/*
 * How a guide's texts are keyed, as i18next reads them: a key is the text's path inside `texts.<lng>`, dotted —
 * `title`, `summary`, `keywords`, `<step>.title`, `<step>.body`, `<step>.body_agent`, `<step>.options.<EVENT>`.
 * Translation exports and imports (translation.ts) and version comparison (compare.ts) walk the same keys.
 */

/** The texts of a step that are one string each, in reading order. */
export const STEP_FIELDS = ['title', 'body', 'body_agent'] as const;

/** Every key a guide's texts have in language `lng`, in reading order (guide, then each step in the machine's order). */
export function textKeysOf(doc: FlowDocument, lng: Language): string[] {
  const texts = doc.texts[lng];
  const keys: string[] = [...RESERVED_TEXT_KEYS];
  for (const [step, state] of Object.entries(doc.machine.states)) {
    const st = texts[step] as StepTexts | undefined;
    if (!st) continue;
    for (const field of STEP_FIELDS) if (st[field] !== undefined) keys.push(`${step}.${field}`);
    for (const event of state.type === 'final' ? [] : optionsOf(state)) if (st.options?.[event] !== undefined) keys.push(`${step}.options.${event}`);
  }
  return keys;
}

/** The text at `key` in a language's texts, if any. */
export function textAt(doc: FlowDocument, lng: Language, key: string): string | undefined {
  const [step, field, event] = key.split('.');
  const texts = doc.texts[lng] as Record<string, unknown>;
  if (field === undefined) return typeof texts[step!] === 'string' ? (texts[step!] as string) : undefined;
  const st = texts[step!] as StepTexts | undefined;
  if (!st || typeof st !== 'object') return undefined;
  if (field === 'options') return event === undefined ? undefined : st.options?.[event];
  return (STEP_FIELDS as readonly string[]).includes(field) ? st[field as (typeof STEP_FIELDS)[number]] : undefined;
}

/** Sets the text at `key`, making the step's texts where it has none yet (a document being edited or imported into). */
export function setTextAt(doc: FlowDocument, lng: Language, key: string, value: string) {
  const [step, field, event] = key.split('.');
  const texts = doc.texts[lng] as Record<string, unknown>;
  if (field === undefined) {
    texts[step!] = value;
    return;
  }
  const st = (texts[step!] ??= { title: '' }) as StepTexts;
  if (field === 'options') st.options = { ...st.options, [event!]: value };
  else st[field as (typeof STEP_FIELDS)[number]] = value;
}
