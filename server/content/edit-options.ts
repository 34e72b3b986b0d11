import { CHECK, CHECK_RESULT } from '../../flows/types.ts';
import { LANGUAGES } from '../i18n/locales.ts';
import type { FlowDocument, StateDocument } from './document.ts';
import {
  checkEvent,
  edit,
  ensureStepTexts,
  invalidEdit,
  moveKey,
  nameTaken,
  orderKeys,
  renameKey,
  requireLanguage,
  requireTarget,
  stateOf,
  stepTexts,
  targetIndex,
  unknownOption,
} from './edit-common.ts';
import { eventFromLabel } from './edit-names.ts';
import { checkTextLength } from './edit-texts.ts';

/*
 * Edits of a step's options: the event and the step it leads to in `on` (whose order is the order on the page), and
 * the option's label in every language's texts, which follows the event wherever it goes.
 */

export interface NewOption {
  /** The label in `lng`; the event is made from it when none is given. */
  label: string;
  lng: string;
  /** An existing step: the studio creates a new step first when the author picks "new step…". */
  target: string;
  event?: string;
}

/** A step that can have options: not an ending. */
function optionsStep(doc: FlowDocument, step: string): StateDocument {
  const state = stateOf(doc, step);
  if (state.type === 'final' || state.meta.kind === 'outcome') throw invalidEdit(`The step "${step}" is an ending; an ending offers no options.`);
  return state;
}

function optionOf(doc: FlowDocument, step: string, event: string) {
  const state = optionsStep(doc, step);
  if (!state.on || !Object.hasOwn(state.on, event)) throw unknownOption(step, event);
  return state.on[event]!;
}

/** The events a new option of the step cannot take: its options, and CHECK on a check step. */
const takenEvents = (state: StateDocument) => [...Object.keys(state.on ?? {}), ...(state.meta.kind === 'check' ? [CHECK] : [])];

export function addOption(doc: FlowDocument, step: string, option: NewOption): FlowDocument {
  const state = optionsStep(doc, step);
  const { label, lng, target } = option;
  requireLanguage(lng);
  requireTarget(doc, target);
  const taken = takenEvents(state);
  let event = option.event;
  if (event === undefined) {
    if (!label.trim()) throw invalidEdit('Write the option\'s label: its name is made from it.');
    event = eventFromLabel(label, taken);
  } else {
    checkEvent(event);
    if (taken.includes(event)) throw nameTaken(`The step "${step}" already has an option "${event}".`);
  }
  const added = event;
  const next = edit(doc, (draft) => {
    const s = draft.machine.states[step]!;
    s.on = { ...(s.on ?? {}), [added]: target };
    if (label.trim()) {
      const texts = ensureStepTexts(draft, lng, step);
      texts.options = { ...(texts.options ?? {}), [added]: label };
    }
  });
  checkTextLength(next, lng, { step, option: added });
  return next;
}

/** Renames an option's event in its place, and its label in every language with it. */
export function renameOption(doc: FlowDocument, step: string, from: string, to: string): FlowDocument {
  const state = optionsStep(doc, step);
  optionOf(doc, step, from);
  if (from === CHECK_RESULT) throw invalidEdit(`${CHECK_RESULT} is the event the app sends with a check's result; it cannot be renamed.`);
  if (from === to) return structuredClone(doc);
  checkEvent(to);
  if (takenEvents(state).includes(to)) throw nameTaken(`The step "${step}" already has an option "${to}".`);
  return edit(doc, (draft) => {
    const s = draft.machine.states[step]!;
    s.on = renameKey(s.on!, from, to);
    for (const lng of LANGUAGES) {
      const texts = stepTexts(draft, lng, step);
      if (texts?.options) texts.options = renameKey(texts.options, from, to);
    }
  });
}

/** Where an option leads (a check's result has routes instead: see setRouteTarget). */
export function setOptionTarget(doc: FlowDocument, step: string, event: string, target: string): FlowDocument {
  const to = optionOf(doc, step, event);
  if (typeof to !== 'string') throw invalidEdit(`"${event}" of "${step}" leads by routes; choose the route to change.`);
  requireTarget(doc, target);
  return edit(doc, (draft) => {
    draft.machine.states[step]!.on![event] = target;
  });
}

/** Where one of a check result's routes leads (`index` counts from 0). */
export function setRouteTarget(doc: FlowDocument, step: string, event: string, index: number, target: string): FlowDocument {
  const to = optionOf(doc, step, event);
  if (typeof to === 'string') throw invalidEdit(`"${event}" of "${step}" is an option that leads to one step; it has no routes.`);
  if (!Number.isInteger(index) || index < 0 || index >= to.length)
    throw invalidEdit(`"${event}" of "${step}" has ${to.length} route${to.length === 1 ? '' : 's'}; there is no route ${index + 1}.`);
  requireTarget(doc, target);
  return edit(doc, (draft) => {
    const routes = draft.machine.states[step]!.on![event] as Exclude<typeof to, string>;
    routes[index]!.target = target;
  });
}

/** Moves an option one place up or down on the page; at an edge it stays. */
export function moveOption(doc: FlowDocument, step: string, event: string, to: 'up' | 'down'): FlowDocument {
  optionOf(doc, step, event);
  const events = Object.keys(stateOf(doc, step).on!);
  const index = targetIndex(events.indexOf(event), events.length, to);
  return edit(doc, (draft) => {
    const s = draft.machine.states[step]!;
    s.on = moveKey(s.on!, event, index);
    // Labels in the options' order, as a file lists them (the order of labels itself means nothing).
    const order = [CHECK, ...Object.keys(s.on)];
    for (const lng of LANGUAGES) {
      const texts = stepTexts(draft, lng, step);
      if (texts?.options) texts.options = orderKeys(texts.options, order);
    }
  });
}

/** Deletes an option and its label in every language. */
export function deleteOption(doc: FlowDocument, step: string, event: string): FlowDocument {
  optionOf(doc, step, event);
  return edit(doc, (draft) => {
    const s = draft.machine.states[step]!;
    delete s.on![event];
    if (!Object.keys(s.on!).length) delete s.on;
    for (const lng of LANGUAGES) {
      const texts = stepTexts(draft, lng, step);
      if (!texts?.options) continue;
      delete texts.options[event];
      if (!Object.keys(texts.options).length) delete texts.options;
    }
  });
}
