import MarkdownIt from 'markdown-it';
import type { AnyStateMachine } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap } from 'xstate/graph';
import { GUARD_PARTS, type GuardName } from '../../flows/guards.ts';
import { CHECK, CHECK_RESULT, CHECK_TYPES, ENGINE_EVENTS, STATUSES_BY_CHECK, type CheckType } from '../../flows/types.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../i18n/locales.ts';
import { createFlowMachine, machineConfig, optionsOf } from './compile.ts';
import { isReference, referenceProblems } from './fact-refs.ts';
import { flowDocumentSchema, RESERVED_TEXT_KEYS, type FlowDocument, type StateDocument, type StepTexts } from './document.ts';

/** One reason a document cannot be stored, naming where: the step, the event and the language it concerns. */
export interface Problem {
  message: string;
  /** A JSON path into the document, like `texts.de.checkSpam.title`. */
  path?: string;
  step?: string;
  event?: string;
  lng?: Language;
}

export type Validation = { ok: true; document: FlowDocument } | { ok: false; problems: Problem[] };

export interface ValidationContext {
  /**
   * The guides the document is published alongside (id → facts as written), to check the facts it shows of other
   * guides and theirs of it. Without them, references are checked by their shape only (a file read on its own).
   */
  others?: ReadonlyMap<string, FlowDocument['facts']>;
}

/**
 * Every check a document passes before it is stored or run, from any side (CLI, API, studio, built-in guides,
 * tests): its shape, then its graph, its check steps, its texts in every language, its facts and its Markdown. All
 * problems are listed at once, each naming the step, the event and the language it concerns; a document whose
 * shape is wrong is not looked at further (its parts cannot be trusted to be what they claim).
 */
export function validateDocument(input: unknown, context: ValidationContext = {}): Validation {
  const parsed = flowDocumentSchema.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      // A key that breaks its rule (an event in lower case) is reported by zod as "Invalid key"; say which rule.
      problems: parsed.error.issues.map((i) => shapeProblem(i.path, i.code === 'invalid_key' ? i.issues.map((k) => k.message).join('; ') : i.message)),
    };
  const doc = parsed.data;
  const problems = [
    ...machineProblems(doc),
    ...graphProblems(doc),
    ...textProblems(doc),
    ...factProblems(doc),
    ...(context.others ? referenceProblems(doc, context.others) : []),
  ];
  return problems.length ? { ok: false, problems } : { ok: true, document: doc };
}

/** Where a problem is, in words: `step "checkSpam", option "FOUND_IN_SPAM", in de`. */
function problem(what: string, at: Omit<Problem, 'message'>): Problem {
  const where = [
    at.step !== undefined ? `step "${at.step}"` : '',
    at.event !== undefined ? `${at.event === CHECK_RESULT ? 'event' : 'option'} "${at.event}"` : '',
    at.lng !== undefined ? `in ${at.lng}` : '',
  ].filter(Boolean);
  const message = `${where.length ? where.join(', ') : (at.path ?? 'document')}: ${what}`;
  return {
    message,
    ...(at.path !== undefined ? { path: at.path } : {}),
    ...(at.step !== undefined ? { step: at.step } : {}),
    ...(at.event !== undefined ? { event: at.event } : {}),
    ...(at.lng !== undefined ? { lng: at.lng } : {}),
  };
}

/** A shape problem, placed at the step, event and language its path runs through. */
function shapeProblem(segments: readonly PropertyKey[], message: string): Problem {
  const parts = segments.map(String);
  const path = parts.join('.') || '(document)';
  let step: string | undefined;
  let event: string | undefined;
  let lng: Language | undefined;
  if (parts[0] === 'machine' && parts[1] === 'states' && parts[2] !== undefined) {
    step = parts[2];
    if (parts[3] === 'on') event = parts[4];
  }
  if (parts[0] === 'texts' && (LANGUAGES as readonly string[]).includes(parts[1] ?? '')) {
    lng = parts[1] as Language;
    if (parts[2] !== undefined && !(RESERVED_TEXT_KEYS as readonly string[]).includes(parts[2])) {
      step = parts[2];
      if (parts[3] === 'options') event = parts[4];
    }
  }
  return {
    message: `${path}: ${message}`,
    path,
    ...(step !== undefined ? { step } : {}),
    ...(event !== undefined ? { event } : {}),
    ...(lng !== undefined ? { lng } : {}),
  };
}

const GUARDS = Object.keys(GUARD_PARTS) as GuardName[];
/** The statuses the part a guard looks at can have: `spfIs` → the domain check's SPF statuses. */
const statusesOf = (guard: GuardName): readonly string[] => {
  const { check, part } = GUARD_PARTS[guard];
  return (STATUSES_BY_CHECK[check] as Record<string, readonly string[]>)[part]!;
};
/** Events the engine sends itself; a step cannot offer them as options. */
const ENGINE_ONLY = ENGINE_EVENTS.filter((e) => e !== CHECK_RESULT);

/** Each step's kind, ending and options, its targets, and what its check names. */
function machineProblems(doc: FlowDocument): Problem[] {
  const problems: Problem[] = [];
  const { states } = doc.machine;
  if (doc.machine.id !== undefined && doc.machine.id !== doc.id)
    problems.push(problem(`machine.id "${doc.machine.id}" is not the guide's id "${doc.id}"`, { path: 'machine.id' }));
  if (!states[doc.machine.initial])
    problems.push(problem(`the first step "${doc.machine.initial}" does not exist`, { path: 'machine.initial', step: doc.machine.initial }));
  for (const [step, state] of Object.entries(states)) {
    const path = `machine.states.${step}`;
    if ((RESERVED_TEXT_KEYS as readonly string[]).includes(step))
      problems.push(problem(`"${step}" cannot name a step: the guide's own ${step} is kept under that name in its texts`, { path, step }));
    const events = Object.keys(state.on ?? {});
    const { kind, outcome, check } = state.meta;
    if (state.type === 'final') {
      if (kind !== 'outcome') problems.push(problem(`an ending is of kind "outcome", not "${kind}"`, { path: `${path}.meta.kind`, step }));
      if (!outcome) problems.push(problem('an ending needs an outcome', { path: `${path}.meta`, step }));
      for (const event of events) problems.push(problem('an ending offers no options', { path: `${path}.on.${event}`, step, event }));
      if (check) problems.push(problem('an ending runs no check', { path: `${path}.meta.check`, step }));
      continue;
    }
    if (kind === 'outcome') problems.push(problem('a step of kind "outcome" must be final ("type": "final")', { path: `${path}.meta.kind`, step }));
    if (outcome) problems.push(problem('only an ending has an outcome', { path: `${path}.meta.outcome`, step }));
    if (kind === 'check') {
      if (!check) problems.push(problem('a check step names its check in meta.check', { path: `${path}.meta`, step }));
      if (!events.includes(CHECK_RESULT)) problems.push(problem(`a check step says where its result goes, in on.${CHECK_RESULT}`, { path: `${path}.on`, step }));
      // Only the domain check looks for SPF includes and may be asked about DMARC; pasted headers are read as they are.
      if (check && check.type !== 'email-domain' && (check.includes.length || check.dmarc !== undefined))
        problems.push(problem(`a ${check.type} check takes no includes and no dmarc setting; only email-domain does`, { path: `${path}.meta.check`, step }));
    } else {
      if (check) problems.push(problem(`only a step of kind "check" runs a check`, { path: `${path}.meta.check`, step }));
      if (events.length === 0) problems.push(problem('a step that is not an ending needs at least one option', { path, step }));
    }
    for (const [event, to] of Object.entries(state.on ?? {})) {
      const at = { path: `${path}.on.${event}`, step, event };
      if (event === CHECK) problems.push(problem(`${CHECK} is offered by every check step and sent by the person with a domain; it is not written in "on"`, at));
      if ((ENGINE_ONLY as readonly string[]).includes(event)) problems.push(problem(`${event} is sent by the app itself and cannot be an option`, at));
      if (event === CHECK_RESULT && kind !== 'check') problems.push(problem(`only a check step receives ${CHECK_RESULT}`, at));
      if (typeof to === 'string') {
        if (!states[to]) problems.push(problem(`the target "${to}" does not exist`, at));
        continue;
      }
      if (event !== CHECK_RESULT) problems.push(problem(`only ${CHECK_RESULT} has guarded routes; an option leads to one step`, at));
      to.forEach((route, i) => {
        const atRoute = { ...at, path: `${at.path}.${i}` };
        if (!states[route.target]) problems.push(problem(`the target "${route.target}" does not exist`, atRoute));
        if (!route.guard) return;
        const guard = route.guard.type as GuardName;
        if (!GUARDS.includes(guard)) {
          problems.push(problem(`unknown guard "${route.guard.type}" (known: ${GUARDS.join(', ')})`, { ...atRoute, path: `${atRoute.path}.guard.type` }));
          return;
        }
        const { check: reads, part } = GUARD_PARTS[guard];
        if (check && (CHECK_TYPES as readonly string[]).includes(check.type) && check.type !== reads) {
          problems.push(problem(`the guard "${guard}" reads a ${reads} check's result; this step runs ${check.type}`, { ...atRoute, path: `${atRoute.path}.guard.type` }));
          return;
        }
        const statuses = statusesOf(guard);
        for (const status of route.guard.params.status)
          if (!statuses.includes(status))
            problems.push(problem(`"${status}" is not a status of ${part} (${statuses.join(', ')})`, { ...atRoute, path: `${atRoute.path}.guard.params.status` }));
      });
      if (event === CHECK_RESULT && to.at(-1)?.guard)
        problems.push(problem('the last route has no guard: it is where any other result goes (a failed lookup, say)', { ...at, path: `${at.path}.${to.length - 1}` }));
    }
  }
  return problems;
}

/** Every combination of the statuses of a check's parts: `{ spf: { status }, mx: { status }, … }`. */
function combinations(parts: Record<string, readonly string[]>): Record<string, { status: string }>[] {
  return Object.entries(parts).reduce<Record<string, { status: string }>[]>(
    (all, [part, statuses]) => all.flatMap((v) => statuses.map((status) => ({ ...v, [part]: { status } }))),
    [{}],
  );
}

/** Every result each check can report: each takes the routes a real check can take. */
const ALL_VERDICTS = Object.fromEntries(CHECK_TYPES.map((type) => [type, combinations(STATUSES_BY_CHECK[type])])) as Record<CheckType, Record<string, { status: string }>[]>;

/**
 * The graph, walked with xstate/graph over the compiled machine (guards and all): every step reachable from the
 * first one, and an ending reachable from every step. Transitions already refused above (a missing target, an
 * unknown guard) are left out, so that one mistake is named once, where it is.
 */
function graphProblems(doc: FlowDocument): Problem[] {
  const { states } = doc.machine;
  if (!states[doc.machine.initial]) return [];
  const walkable: FlowDocument = {
    ...doc,
    machine: {
      id: doc.id,
      initial: doc.machine.initial,
      states: Object.fromEntries(Object.entries(states).map(([id, state]) => [id, walkableState(state, states)])),
    },
  };
  const machine = createFlowMachine(machineConfig(walkable));
  const eventsAt = (state: string) => {
    const s = walkable.machine.states[state]!;
    // What a person can send; CHECK_RESULT comes from the engine, and only at a check step.
    const options = Object.keys(s.on ?? {})
      .filter((e) => e !== CHECK_RESULT && e !== CHECK && !(ENGINE_ONLY as readonly string[]).includes(e))
      .map((type) => ({ type }));
    const results = ALL_VERDICTS[s.meta.check?.type ?? 'email-domain'] ?? [];
    return s.meta.kind === 'check' && s.on?.[CHECK_RESULT] ? [...options, ...results.map((data) => ({ type: CHECK_RESULT, data }))] : options;
  };
  const edges = new Map<string, Set<string>>(Object.keys(states).map((s) => [s, new Set()]));
  const walk = (fromState?: string) => {
    for (const { state, nextState } of adjacencyMapToArray(
      getAdjacencyMap(machine as AnyStateMachine, {
        events: (snapshot) => eventsAt(String(snapshot.value)),
        ...(fromState ? { fromState: machine.resolveState({ value: fromState, context: {} }) } : {}),
      }),
    ))
      edges.get(String(state.value))!.add(String(nextState.value));
  };
  walk();
  const reached = new Set([doc.machine.initial, ...[...edges.values()].flatMap((to) => [...to])]);
  const unreached = Object.keys(states).filter((s) => !reached.has(s));
  for (const s of unreached) walk(s);

  // Backwards from the endings: the steps from which one can be reached.
  const leadsToEnd = new Set(Object.keys(states).filter((s) => states[s]!.type === 'final'));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [from, to] of edges)
      if (!leadsToEnd.has(from) && [...to].some((t) => leadsToEnd.has(t))) {
        leadsToEnd.add(from);
        grew = true;
      }
  }
  return [
    ...unreached.map((step) => problem(`no path from the first step "${doc.machine.initial}" leads here`, { path: `machine.states.${step}`, step })),
    ...Object.keys(states)
      .filter((s) => !leadsToEnd.has(s))
      .map((step) => problem('no ending can be reached from here', { path: `machine.states.${step}`, step })),
  ];
}

/** A state as the graph walk takes it: only the transitions that lead to a step, through known guards. */
function walkableState(state: StateDocument, states: FlowDocument['machine']['states']): StateDocument {
  const meta = state.meta.check ? { ...state.meta, check: { ...state.meta.check, includes: [] } } : state.meta;
  if (!state.on || state.type === 'final') return { ...(state.type ? { type: state.type } : {}), meta };
  const on: NonNullable<StateDocument['on']> = {};
  for (const [event, to] of Object.entries(state.on)) {
    if (typeof to === 'string') {
      if (states[to]) on[event] = to;
      continue;
    }
    const routes = to.filter((r) => states[r.target] && (!r.guard || (GUARDS as string[]).includes(r.guard.type)));
    if (routes.length) on[event] = routes;
  }
  return { ...state, meta, on };
}

/** Markdown as markdown-it reads it with HTML allowed, to find what `html: false` would show as literal tags. */
const markdown = new MarkdownIt({ html: true });

/** The raw HTML in a text, as markdown-it finds it (a tag in a code span or block is code, not HTML). */
function rawHtml(text: string): string[] {
  return markdown.parse(text, {}).flatMap((token) =>
    token.type === 'html_block' ? [token.content.trim()] : (token.children ?? []).filter((c) => c.type === 'html_inline').map((c) => c.content),
  );
}

/** A `{{…}}` placeholder in a text, its inside captured. */
export const PLACEHOLDER = /\{\{(.*?)\}\}/g;
const FACT_PLACEHOLDER = /^\s*facts\.([A-Za-z0-9]+)\s*$/;
/**
 * The session's ref, for a message the person sends on, and the domain its check looked up (only in bodies: titles
 * and labels are shared by all).
 */
const REF_PLACEHOLDER = /^\s*session\.(?:ref|domain)\s*$/;

/** A text's problems wherever it stands: placeholders that name no fact, and raw HTML. */
function textContentProblems(doc: FlowDocument, text: string, at: Omit<Problem, 'message'>, what: string, body = false): Problem[] {
  const problems: Problem[] = [];
  for (const [whole, inner] of text.matchAll(PLACEHOLDER)) {
    if (REF_PLACEHOLDER.test(inner!)) {
      if (!body) problems.push(problem(`${what}: ${whole} can only stand in a step's body`, at));
      continue;
    }
    const fact = FACT_PLACEHOLDER.exec(inner!);
    if (!fact) problems.push(problem(`${what}: ${whole} is not a fact (write {{facts.name}} or, in a body, {{session.ref}} or {{session.domain}})`, at));
    else if (!(fact[1]! in doc.facts)) problems.push(problem(`${what}: ${whole} names no fact`, at));
  }
  const html = rawHtml(text);
  if (html.length) problems.push(problem(`${what} contains HTML (${html.join(' ')}); write Markdown, which is shown with HTML escaped`, at));
  return problems;
}

/** Every text in every language: present, not empty, for steps and options that exist, with known facts and no HTML. */
function textProblems(doc: FlowDocument): Problem[] {
  const problems: Problem[] = [];
  const { states } = doc.machine;
  for (const lng of LANGUAGES) {
    const texts = doc.texts[lng];
    for (const key of RESERVED_TEXT_KEYS) {
      const at = { path: `texts.${lng}.${key}`, lng };
      if (!texts[key].trim()) problems.push(problem(`the guide's ${key} is empty`, at));
      else problems.push(...textContentProblems(doc, texts[key], at, `the guide's ${key}`));
    }
    for (const [step, state] of Object.entries(states)) {
      // A step named like the guide's own texts is refused above; its "texts" are the guide's.
      if ((RESERVED_TEXT_KEYS as readonly string[]).includes(step)) continue;
      const base = `texts.${lng}.${step}`;
      const st = (texts as Record<string, unknown>)[step] as StepTexts | undefined;
      if (!st) {
        problems.push(problem('the step has no texts', { path: base, step, lng }));
        continue;
      }
      const field = (name: 'title' | 'body' | 'body_agent', required: boolean) => {
        const value = st[name];
        const at = { path: `${base}.${name}`, step, lng };
        if (value === undefined ? required : !value.trim()) problems.push(problem(`the ${name} is ${value === undefined ? 'missing' : 'empty'}`, at));
        else if (value !== undefined) problems.push(...textContentProblems(doc, value, at, `the ${name}`, name !== 'title'));
      };
      field('title', true);
      field('body', true);
      // Agents read the participant's body where a step has no wording of its own; an empty one would hide it.
      field('body_agent', false);
      const options = state.type === 'final' ? [] : optionsOf(state);
      for (const event of options) {
        const label = st.options?.[event];
        const at = { path: `${base}.options.${event}`, step, event, lng };
        if (!label?.trim()) problems.push(problem(`the label is ${label === undefined ? 'missing' : 'empty'}`, at));
        else problems.push(...textContentProblems(doc, label, at, 'the label'));
      }
      for (const event of Object.keys(st.options ?? {}))
        if (!options.includes(event)) problems.push(problem('a label for an option the step does not have', { path: `${base}.options.${event}`, step, event, lng }));
    }
    for (const key of Object.keys(texts))
      if (!(RESERVED_TEXT_KEYS as readonly string[]).includes(key) && !states[key])
        problems.push(problem(`texts for "${key}", which is not a step`, { path: `texts.${lng}.${key}`, lng }));
  }
  return problems;
}

/**
 * Facts given per language have the English value the other languages fall back to; a check's includes name facts
 * of this guide that exist, one value each.
 */
function factProblems(doc: FlowDocument): Problem[] {
  const problems: Problem[] = [];
  const perLanguage = (name: string) => {
    const value = doc.facts[name];
    return value !== undefined && typeof value === 'object' && !Array.isArray(value) && !isReference(value);
  };
  for (const [name, value] of Object.entries(doc.facts))
    if (perLanguage(name) && (value as Partial<Record<Language, string>>)[DEFAULT_LANGUAGE] === undefined)
      problems.push(
        problem(`the fact "${name}" is given per language but has no value in ${DEFAULT_LANGUAGE}, which languages without their own fall back to`, {
          path: `facts.${name}`,
          lng: DEFAULT_LANGUAGE,
        }),
      );
  for (const [step, state] of Object.entries(doc.machine.states))
    state.meta.check?.includes.forEach((include, i) => {
      const at = { path: `machine.states.${step}.meta.check.includes.${i}`, step };
      for (const [whole, inner] of include.matchAll(PLACEHOLDER)) {
        const fact = FACT_PLACEHOLDER.exec(inner!);
        if (!fact) problems.push(problem(`the check's include ${whole} is not a fact (write {{facts.name}})`, at));
        else if (!(fact[1]! in doc.facts)) problems.push(problem(`the check's include ${whole} names no fact`, at));
        else if (isReference(doc.facts[fact[1]!]!)) problems.push(problem(`the check's include ${whole} is another guide's fact; a check looks for its own guide's facts`, at));
        else if (perLanguage(fact[1]!)) problems.push(problem(`the check's include ${whole} is a fact per language; a check looks for one value`, at));
        else if (Array.isArray(doc.facts[fact[1]!]) && whole !== include)
          problems.push(problem(`the check's include ${whole} is a list, which can only stand alone`, at));
      }
    });
  return problems;
}
