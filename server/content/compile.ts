import { createHash } from 'node:crypto';
import { setup, type AnyStateMachine } from 'xstate';
import { checkGuards } from '../../flows/guards.ts';
import { CHECK, CHECK_RESULT, type StepMeta } from '../../flows/types.ts';
import type { RegisteredFlow } from '../engine/flow-registry.ts';
import { referencesOf, resolveFacts, type GuideFacts } from './fact-refs.ts';
import { contentHash, type FlowDocument, type StateDocument } from './document.ts';

/*
 * A document becomes a running guide here: its machine config, with each step's options derived from its
 * transitions and a check's `{{facts.x}}` includes resolved, compiled with the named guards of flows/guards.ts.
 * Documents carry no code, so this is the only place their machines are made.
 */

/** A whole-string reference to a fact, as a check's includes write it. */
const FACT_REF = /\{\{\s*facts\.([A-Za-z0-9]+)\s*\}\}/g;

/**
 * A step's options, derived from `on` so a button can never lead nowhere: a check step offers CHECK (the person
 * sends a domain; the engine turns it into CHECK_RESULT) and then its other events; any other step the keys of
 * `on` in order.
 */
export function optionsOf(state: StateDocument): string[] {
  const events = Object.keys(state.on ?? {});
  if (state.meta.kind === 'check') return [CHECK, ...events.filter((e) => e !== CHECK_RESULT)];
  return events;
}

/**
 * A check's includes with facts put in: `{{facts.list}}` alone stands for every item of that list, and a
 * reference inside a longer string for the fact's value. Validation refuses a reference to a missing fact first.
 */
export function resolveIncludes(includes: readonly string[], facts: FlowDocument['facts']): string[] {
  const valueOf = (name: string) => {
    const value = facts[name];
    if (value === undefined) throw new Error(`no fact "${name}"`);
    return value;
  };
  return includes.flatMap((include) => {
    const whole = /^\{\{\s*facts\.([A-Za-z0-9]+)\s*\}\}$/.exec(include);
    if (whole) {
      const value = valueOf(whole[1]!);
      if (Array.isArray(value)) return value;
    }
    return [
      include.replace(FACT_REF, (_, name: string) => {
        const value = valueOf(name);
        if (typeof value !== 'string') throw new Error(`fact "${name}" is not one value`);
        return value;
      }),
    ];
  });
}

/** The XState machine config the document describes, as the engine runs it (typed meta with options). */
export function machineConfig(doc: FlowDocument) {
  const states = Object.fromEntries(
    Object.entries(doc.machine.states).map(([id, state]) => {
      const { check, ...rest } = state.meta;
      const meta: StepMeta = {
        ...rest,
        ...(check ? { check: { ...check, includes: resolveIncludes(check.includes, doc.facts) } } : {}),
        ...(state.type === 'final' ? {} : { options: optionsOf(state).map((event) => ({ event })) }),
      };
      return [id, { ...(state.type ? { type: state.type } : {}), meta, ...(state.on ? { on: structuredClone(state.on) } : {}) }];
    }),
  );
  return { id: doc.machine.id ?? doc.id, initial: doc.machine.initial, states };
}

/** Compiles a machine config with the named guards; documents name guards, they never carry them. */
export function createFlowMachine(config: ReturnType<typeof machineConfig>): AnyStateMachine {
  return setup({ types: { meta: {} as StepMeta }, guards: checkGuards }).createMachine(config as never) as unknown as AnyStateMachine;
}

/**
 * A validated document as the app runs it. Its version is its content hash, so a session pins exactly the
 * content it started on, and its texts live in their own i18next namespace per version (`<id>@<version>`), so two
 * versions of one guide never mix their words.
 */
export function compileDocument(doc: FlowDocument, others: GuideFacts = () => undefined): RegisteredFlow {
  // `version` says where a document was published, not what it is: the number is the registry's to keep.
  const { version: _number, ...document } = structuredClone(doc);
  const version = contentHash(document);
  return {
    id: document.id,
    machine: createFlowMachine(machineConfig(document)),
    ...linkedFacts(document, version, others),
    source: document.source ?? '',
    version,
    initial: document.machine.initial,
    document,
    ns: `${document.id}@${version}`,
  };
}

/** The document of an installed version, as export gives it: with its published number when it has one. */
export function exportDocument(flow: RegisteredFlow): FlowDocument {
  const content = structuredClone(flow.document);
  return flow.number === undefined ? content : { ...content, version: flow.number };
}

/**
 * A version's facts with other guides' facts put in, and the key its rendered texts are kept under: its version,
 * plus the values it shows of other guides (an edit there changes what this version shows, not what it is).
 */
export function linkedFacts(document: FlowDocument, version: string, others: GuideFacts): Pick<RegisteredFlow, 'facts' | 'renderKey'> {
  const refs = referencesOf(document.facts);
  if (!refs.length) return { facts: document.facts, renderKey: version };
  const facts = resolveFacts(document.facts, others);
  const shown = JSON.stringify(refs.map(([name]) => facts[name]));
  return { facts, renderKey: `${version}+${createHash('sha256').update(shown).digest('base64url').slice(0, 12)}` };
}
