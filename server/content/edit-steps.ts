import { CHECK, CHECK_RESULT, CHECK_TYPES, OUTCOMES, type DomainCheck, type Outcome } from '../../flows/types.ts';
import { AppError } from '../http/errors.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import type { FlowDocument, StateDocument } from './document.ts';
import {
  checkSchema,
  checkStepId,
  edit,
  hasStep,
  invalidEdit,
  isReservedTextKey,
  moveKey,
  nameTaken,
  namedList,
  renameKey,
  routesSchema,
  stateOf,
  STEP_KINDS,
  stepTexts,
  targetIndex,
  type Route,
  type StepKind,
} from './edit-common.ts';

/*
 * Edits of a guide's steps. A step's id is named in three places (the machine's initial step, the targets that lead
 * to it, its texts in every language), and the order of the steps is content (they are listed and searched in it),
 * so every edit here keeps all three in step and keeps the order.
 */

/** A check step's check before the author names what it looks for. */
const DEFAULT_CHECK: NonNullable<StateDocument['meta']['check']> = { type: CHECK_TYPES[0], includes: [] };

export interface NewStep {
  id: string;
  kind: StepKind;
  /** Required for an ending (kind `outcome`), refused otherwise. */
  outcome?: Outcome;
  /** The step the new one is listed after; without it, it is listed last. */
  after?: string;
  /** Its title in the languages the author wrote one; the others get no texts, so validation names them missing. */
  titles?: Partial<Record<Language, string>>;
}

/** Something that leads to a step: an option of `step`, or (for a check's result) its route number `route`. */
export interface Referrer {
  step: string;
  event: string;
  route?: number;
}

function requireKind(kind: string, outcome: string | undefined): void {
  if (!(STEP_KINDS as readonly string[]).includes(kind)) throw invalidEdit(`"${kind}" is not a kind of step (${STEP_KINDS.join(', ')}).`);
  if (kind === 'outcome' && !(OUTCOMES as readonly string[]).includes(outcome ?? ''))
    throw invalidEdit(`An ending says how the session ended: choose one of ${OUTCOMES.join(', ')}.`);
  if (kind !== 'outcome' && outcome !== undefined) throw invalidEdit('Only an ending has an outcome.');
}

function newState(kind: StepKind, outcome: Outcome | undefined): StateDocument {
  if (kind === 'outcome') return { type: 'final', meta: { kind, outcome: outcome! } };
  if (kind === 'check') return { meta: { kind, check: structuredClone(DEFAULT_CHECK) } };
  return { meta: { kind } };
}

export function addStep(doc: FlowDocument, step: NewStep): FlowDocument {
  const { id, kind, outcome, after, titles = {} } = step;
  checkStepId(id);
  if (hasStep(doc, id)) throw nameTaken(`The guide already has a step "${id}".`);
  requireKind(kind, outcome);
  if (after !== undefined) stateOf(doc, after);
  return edit(doc, (draft) => {
    const states = { ...draft.machine.states, [id]: newState(kind, outcome) };
    draft.machine.states = after === undefined ? states : moveKey(states, id, Object.keys(states).indexOf(after) + 1);
    for (const lng of LANGUAGES) {
      const texts = draft.texts[lng] as Record<string, unknown>;
      // Texts left under this id by an earlier step are not this step's.
      delete texts[id];
      const title = titles[lng];
      if (title?.trim()) texts[id] = { title };
    }
  });
}

/** Every option and route that leads to `id` (the guide's first step is not among them: see `machine.initial`). */
export function referrers(doc: FlowDocument, id: string): Referrer[] {
  const found: Referrer[] = [];
  for (const [step, state] of Object.entries(doc.machine.states))
    for (const [event, to] of Object.entries(state.on ?? {})) {
      if (typeof to === 'string') {
        if (to === id) found.push({ step, event });
      } else to.forEach((route, i) => route.target === id && found.push({ step, event, route: i }));
    }
  return found;
}

/** Points everything that leads to `from` (the first step included) at `to`. */
function retarget(draft: FlowDocument, from: string, to: string): void {
  if (draft.machine.initial === from) draft.machine.initial = to;
  for (const state of Object.values(draft.machine.states))
    for (const [event, target] of Object.entries(state.on ?? {})) {
      if (typeof target === 'string') {
        if (target === from) state.on![event] = to;
      } else for (const route of target) if (route.target === from) route.target = to;
    }
}

export function renameStep(doc: FlowDocument, from: string, to: string): FlowDocument {
  stateOf(doc, from);
  if (from === to) return structuredClone(doc);
  checkStepId(to);
  if (hasStep(doc, to)) throw nameTaken(`The guide already has a step "${to}".`);
  return edit(doc, (draft) => {
    draft.machine.states = renameKey(draft.machine.states, from, to);
    retarget(draft, from, to);
    for (const lng of LANGUAGES) {
      const texts = draft.texts[lng] as Record<string, unknown>;
      // Texts under the new id that belonged to no step would otherwise take the step's place.
      delete texts[to];
      // A step named like the guide's own texts (refused by validation, found in an import) has none of its own.
      if (!isReservedTextKey(from) && Object.hasOwn(texts, from)) draft.texts[lng] = renameKey(texts, from, to) as FlowDocument['texts'][Language];
    }
  });
}

/** Moves a step one place up or down, or to a position (0 is first); at an edge, up or down keeps it where it is. */
export function moveStep(doc: FlowDocument, id: string, to: 'up' | 'down' | number): FlowDocument {
  stateOf(doc, id);
  const ids = Object.keys(doc.machine.states);
  const index = targetIndex(ids.indexOf(id), ids.length, to);
  return edit(doc, (draft) => {
    draft.machine.states = moveKey(draft.machine.states, id, index);
  });
}

const describeReferrer = (r: Referrer) =>
  r.route === undefined ? `option "${r.event}" of "${r.step}"` : `route ${r.route + 1} of the check result of "${r.step}"`;

/**
 * Deletes a step and its texts in every language. Whatever leads to it (its own options aside) must lead somewhere
 * else: without `redirectTo` that is refused (409 `step_in_use`, naming what leads there), with it everything that
 * led to the step leads to `redirectTo`.
 */
export function deleteStep(doc: FlowDocument, id: string, redirectTo?: string): FlowDocument {
  stateOf(doc, id);
  const using = referrers(doc, id).filter((r) => r.step !== id);
  const isInitial = doc.machine.initial === id;
  if (redirectTo === undefined) {
    if (using.length || isInitial) {
      const places = [...(isInitial ? ['the start of the guide'] : []), ...using.map(describeReferrer)];
      throw new AppError(409, 'step_in_use', `The step "${id}" is still used by ${namedList(places)}. Choose the step they should lead to instead.`, {
        details: { step: id, initial: isInitial, referrers: using },
      });
    }
  } else {
    if (redirectTo === id) throw invalidEdit(`The steps that lead to "${id}" cannot be sent to "${id}" itself when it is deleted; choose another step.`);
    if (!hasStep(doc, redirectTo)) throw invalidEdit(`There is no step "${redirectTo}" to lead to instead; create it first.`);
  }
  return edit(doc, (draft) => {
    delete draft.machine.states[id];
    if (redirectTo !== undefined) retarget(draft, id, redirectTo);
    if (!isReservedTextKey(id)) for (const lng of LANGUAGES) delete (draft.texts[lng] as Record<string, unknown>)[id];
  });
}

/**
 * Changes a step's kind. An ending offers nothing, so becoming one drops the step's options and their labels; a
 * step that stops being a check drops its check, its result's routes and the label of its CHECK button, which only
 * a check has. Targets that lead to the step are kept.
 */
export function setStepKind(doc: FlowDocument, id: string, kind: StepKind, outcome?: Outcome): FlowDocument {
  const state = stateOf(doc, id);
  requireKind(kind, outcome);
  return edit(doc, (draft) => {
    const wasCheck = state.meta.kind === 'check';
    if (kind === 'outcome') {
      draft.machine.states[id] = newState(kind, outcome);
      for (const lng of LANGUAGES) delete stepTexts(draft, lng, id)?.options;
      return;
    }
    const next: StateDocument = { meta: { kind } };
    if (kind === 'check') next.meta.check = structuredClone(state.meta.check ?? DEFAULT_CHECK);
    const on = Object.entries(state.on ?? {}).filter(([event]) => kind === 'check' || event !== CHECK_RESULT);
    if (state.type !== 'final' && on.length) next.on = Object.fromEntries(on);
    draft.machine.states[id] = next;
    if (wasCheck && kind !== 'check')
      for (const lng of LANGUAGES) {
        const options = stepTexts(draft, lng, id)?.options;
        if (options) delete options[CHECK];
      }
  });
}

export interface CheckSettings {
  type: DomainCheck['type'];
  includes: readonly string[];
  dmarc?: boolean;
}

/** Sets what a check step's check looks for. */
export function setCheck(doc: FlowDocument, id: string, settings: CheckSettings): FlowDocument {
  const state = stateOf(doc, id);
  if (state.meta.kind !== 'check') throw invalidEdit(`The step "${id}" is not a check; make it one first.`);
  const check = { type: settings.type, includes: [...settings.includes], ...(settings.dmarc !== undefined ? { dmarc: settings.dmarc } : {}) };
  const parsed = checkSchema.safeParse(check);
  if (!parsed.success) throw invalidEdit(`The check cannot be saved: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'check'}: ${i.message}`).join('; ')}.`);
  return edit(doc, (draft) => {
    draft.machine.states[id]!.meta.check = parsed.data;
  });
}

/**
 * Sets a check step's routes for its result, in order: each leads to a step when its guard matches (the last one,
 * without a guard, takes any other result). Guards and statuses are checked by validation, which names them.
 */
export function setRoutes(doc: FlowDocument, id: string, routes: readonly Route[]): FlowDocument {
  const state = stateOf(doc, id);
  if (state.meta.kind !== 'check') throw invalidEdit(`Only a check step has routes for its result; "${id}" is not one.`);
  const parsed = routesSchema.safeParse(routes);
  if (!parsed.success) throw invalidEdit(`The routes cannot be saved: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'routes'}: ${i.message}`).join('; ')}.`);
  for (const route of parsed.data) if (!hasStep(doc, route.target)) throw invalidEdit(`There is no step "${route.target}" to lead to; create it first.`);
  return edit(doc, (draft) => {
    const s = draft.machine.states[id]!;
    // The result's routes keep their place among the step's options when they had one.
    s.on = { ...(s.on ?? {}), [CHECK_RESULT]: parsed.data };
  });
}
