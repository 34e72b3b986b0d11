import { type Language } from '../i18n/locales.ts';
import { optionsOf } from './compile.ts';
import { flowDocumentSchema, RESERVED_TEXT_KEYS, type FlowDocument } from './document.ts';
import { STEP_FIELDS, textAt as textAtKey } from './text-keys.ts';
import { edit, ensureStepTexts, invalidEdit, isReservedTextKey, requireLanguage, stateOf, stepTexts, unknownOption } from './edit-common.ts';

/*
 * A guide's texts as the studio's forms see them: one field at a time, named by the same key i18next and the
 * translation files use (server/content/translation.ts): `title`, `checkSpam.body_agent`, `checkSpam.options.FOUND`.
 */

export type GuideTextName = (typeof RESERVED_TEXT_KEYS)[number];
/** A step's own texts (text-keys.ts's list, the keys' one source). */
export const STEP_TEXT_NAMES = STEP_FIELDS;
export type StepTextName = (typeof STEP_TEXT_NAMES)[number];

/** One text of a guide in one language: the guide's own, a step's, or an option's label. */
export type TextField = { guide: GuideTextName } | { step: string; name: StepTextName } | { step: string; option: string };

export function textFieldKey(field: TextField): string {
  if ('guide' in field) return field.guide;
  if ('name' in field) return `${field.step}.${field.name}`;
  return `${field.step}.options.${field.option}`;
}

/** The field a key names (the inverse of textFieldKey), or undefined for a key that names none. */
export function textFieldOfKey(key: string): TextField | undefined {
  const parts = key.split('.');
  if (parts.length === 1) return isReservedTextKey(key) ? { guide: key as GuideTextName } : undefined;
  const [step, name, option] = parts as [string, string, string?];
  if (parts.length === 2 && (STEP_TEXT_NAMES as readonly string[]).includes(name)) return { step, name: name as StepTextName };
  if (parts.length === 3 && name === 'options') return { step, option: option! };
  return undefined;
}

export const textAt = (doc: FlowDocument, lng: Language, field: TextField): string | undefined => textAtKey(doc, lng, textFieldKey(field));

/** What the schema allows a text to be, said for an author: the label of the field and its limit. */
export function checkTextLength(doc: FlowDocument, lng: Language, field: TextField): void {
  const parsed = flowDocumentSchema.shape.texts.shape[lng].safeParse(doc.texts[lng]);
  if (parsed.success) return;
  const key = textFieldKey(field);
  const issue = parsed.error.issues.find((i) => i.path.join('.') === key);
  if (!issue) return;
  const limit = issue.code === 'too_big' ? ` (at most ${Number(issue.maximum).toLocaleString('en')} characters)` : '';
  throw invalidEdit(`The text ${key} in ${lng} is too long${limit}.`);
}

/**
 * Sets one text. Line breaks are stored as `\n` (a form sends `\r\n`). A blank value of a text every step needs
 * (a title, a body, a label) is kept as '' so validation says it is empty; a blank agent wording is removed, so
 * agents read the body, as they do where a step has none.
 */
export function setText(doc: FlowDocument, lng: Language, field: TextField, value: string): FlowDocument {
  requireLanguage(lng);
  const text = value.replace(/\r\n?/g, '\n');
  const blank = !text.trim();
  if ('guide' in field && !isReservedTextKey(field.guide)) throw invalidEdit(`"${String(field.guide)}" is not a text of the guide (${RESERVED_TEXT_KEYS.join(', ')}).`);
  if (!('guide' in field)) {
    const state = stateOf(doc, field.step);
    if ('name' in field && !(STEP_TEXT_NAMES as readonly string[]).includes(field.name))
      throw invalidEdit(`"${String(field.name)}" is not a text of a step (${STEP_TEXT_NAMES.join(', ')}).`);
    if ('option' in field && (state.type === 'final' || !optionsOf(state).includes(field.option))) throw unknownOption(field.step, field.option);
  }
  const next = edit(doc, (draft) => {
    if ('guide' in field) {
      draft.texts[lng][field.guide] = blank ? '' : text;
      return;
    }
    if ('name' in field && field.name === 'body_agent' && blank) {
      delete stepTexts(draft, lng, field.step)?.body_agent;
      return;
    }
    const texts = ensureStepTexts(draft, lng, field.step);
    if ('name' in field) texts[field.name] = blank ? '' : text;
    else texts.options = { ...(texts.options ?? {}), [field.option]: blank ? '' : text };
  });
  checkTextLength(next, lng, field);
  return next;
}
