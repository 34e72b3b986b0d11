import type { z } from 'zod';
import { CHECK, ENGINE_EVENTS } from '../../flows/types.ts';
import { AppError } from '../http/errors.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import { flowDocumentSchema, RESERVED_TEXT_KEYS, type FlowDocument, type StateDocument, type StepTexts } from './document.ts';

/*
 * What the studio's edits share: the document schema's own rules for names and values (so an edit refuses exactly
 * what publishing would), the errors an author sees, and changes of key order where that order is content.
 */

const machineShape = flowDocumentSchema.shape.machine.shape;
export const guideIdSchema = flowDocumentSchema.shape.id;
export const stepIdSchema = machineShape.initial;
export const eventSchema = machineShape.states.valueType.shape.on.unwrap().keyType;
export const factNameSchema = flowDocumentSchema.shape.facts.keyType;
export const factValueSchema = flowDocumentSchema.shape.facts.valueType;
export const checkSchema = machineShape.states.valueType.shape.meta.shape.check.unwrap();
export const routesSchema = machineShape.states.valueType.shape.on.unwrap().valueType.options[1];

export const STEP_KINDS = machineShape.states.valueType.shape.meta.shape.kind.options;
export type StepKind = (typeof STEP_KINDS)[number];
/** One of a check result's routes: a step to lead to, and the guard that takes it (none on the last). */
export type Route = z.infer<typeof routesSchema>[number];

/** Events a person never sends as an option: the engine's own, and the check every check step offers. */
export const RESERVED_EVENTS: readonly string[] = [...ENGINE_EVENTS, CHECK];
/**
 * Names a plain object already answers to (`constructor`, `toString`): as a step or fact name, `name in facts` would
 * be true before the fact exists. They fit the camelCase rule, so they are refused here.
 */
export const OBJECT_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype);

export const invalidEdit = (message: string) => new AppError(422, 'invalid_edit', message);
export const nameTaken = (message: string) => new AppError(409, 'name_taken', message);
export const unknownStep = (id: string) => new AppError(404, 'unknown_step', `The guide has no step "${id}".`);
export const unknownOption = (step: string, event: string) => new AppError(404, 'unknown_option', `The step "${step}" has no option "${event}".`);

/** A change made on a copy: the document passed in is never touched, so a caller can keep it (undo, compare). */
export function edit(doc: FlowDocument, change: (draft: FlowDocument) => void): FlowDocument {
  const draft = structuredClone(doc);
  change(draft);
  return draft;
}

export const hasStep = (doc: FlowDocument, id: string) => Object.hasOwn(doc.machine.states, id);

export function stateOf(doc: FlowDocument, id: string): StateDocument {
  if (!hasStep(doc, id)) throw unknownStep(id);
  return doc.machine.states[id]!;
}

/** A step a change leads to: named in the request, so a missing one is the request's mistake (422), not a 404. */
export function requireTarget(doc: FlowDocument, target: string): void {
  if (typeof target !== 'string' || !hasStep(doc, target)) throw invalidEdit(`There is no step "${String(target)}" to lead to; create it first.`);
}

export function requireLanguage(lng: string): asserts lng is Language {
  if (!(LANGUAGES as readonly string[]).includes(lng)) throw invalidEdit(`"${lng}" is not a language of the guides (${LANGUAGES.join(', ')}).`);
}

export const isReservedTextKey = (key: string) => (RESERVED_TEXT_KEYS as readonly string[]).includes(key);

/** A step's texts in a language, if it has any. */
export function stepTexts(doc: FlowDocument, lng: Language, step: string): StepTexts | undefined {
  if (isReservedTextKey(step)) return undefined;
  const texts = doc.texts[lng] as Record<string, unknown>;
  return Object.hasOwn(texts, step) ? (texts[step] as StepTexts) : undefined;
}

/** A step's texts in a language, created (with the title the schema requires, empty) where it has none. */
export function ensureStepTexts(draft: FlowDocument, lng: Language, step: string): StepTexts {
  if (isReservedTextKey(step)) throw invalidEdit(`The step "${step}" has the name of the guide's own ${step}, so it cannot have texts; rename it first.`);
  const texts = draft.texts[lng] as Record<string, StepTexts>;
  if (!Object.hasOwn(texts, step)) texts[step] = { title: '' };
  return texts[step]!;
}

export function checkStepId(id: string): void {
  const parsed = stepIdSchema.safeParse(id);
  if (!parsed.success) throw invalidEdit(`"${id}" cannot name a step: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  if (isReservedTextKey(id)) throw invalidEdit(`"${id}" cannot name a step: the guide's own ${id} is kept under that name in its texts.`);
  if (OBJECT_NAMES.includes(id)) throw invalidEdit(`"${id}" cannot name a step: choose a name that says what the step is about.`);
}

export function checkEvent(event: string): void {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw invalidEdit(`"${event}" cannot name an option: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  if (RESERVED_EVENTS.includes(event)) throw invalidEdit(`"${event}" is sent by the app itself and cannot name an option.`);
}

/** `record` with the key `from` renamed to `to` in the same place; a key `to` elsewhere is dropped. */
export function renameKey<T>(record: Record<string, T>, from: string, to: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).flatMap(([k, v]) => (k === from ? [[to, v]] : k === to ? [] : [[k, v]])));
}

/** `record` with `key` moved to position `index` (0-based; the others keep their order). */
export function moveKey<T>(record: Record<string, T>, key: string, index: number): Record<string, T> {
  const entries = Object.entries(record);
  const from = entries.findIndex(([k]) => k === key);
  const [entry] = entries.splice(from, 1);
  entries.splice(index, 0, entry!);
  return Object.fromEntries(entries);
}

/** `record` with its keys in the order of `order` (keys not in it follow in their own order). */
export function orderKeys<T>(record: Record<string, T>, order: readonly string[]): Record<string, T> {
  const keys = [...order.filter((k) => Object.hasOwn(record, k)), ...Object.keys(record).filter((k) => !order.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, record[k]!]));
}

/** The new position of an item at `from` of `length` moved up, down or to an index; the edges keep an item where it is. */
export function targetIndex(from: number, length: number, to: 'up' | 'down' | number): number {
  if (to === 'up') return Math.max(0, from - 1);
  if (to === 'down') return Math.min(length - 1, from + 1);
  if (!Number.isInteger(to) || to < 0 || to >= length) throw invalidEdit(`There is no position ${to}: positions run from 0 to ${length - 1}.`);
  return to;
}

/** A list of places for a message, at most `max` of them named. */
export function namedList(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}
