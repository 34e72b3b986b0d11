import { transition, type AnyStateMachine } from 'xstate';
import type { FlowDefinition, StepMeta } from '../../flows/types.ts';
import { builtinDocuments } from '../content/builtin.ts';
import { compileDocument, linkedFacts } from '../content/compile.ts';
import { contentHash, type FlowDocument } from '../content/document.ts';

export interface RegisteredFlow extends FlowDefinition {
  /** The document's content hash: a session remembers the version it started on. */
  version: string;
  initial: string;
  /** The document this version was compiled from (without a published number). */
  document: FlowDocument;
  /** The published version number, when this version came from the database. */
  number?: number;
  /** The i18next namespace of this version's texts: `<id>@<version>`. */
  ns: string;
  /**
   * What its rendered texts are kept under: the version, and for a guide that shows other guides' facts, the
   * values it shows now (see linkedFacts).
   */
  renderKey: string;
}

export interface InstallInfo {
  /** The published version number, if the version is a published one. */
  number?: number;
  /** Whether this version becomes the one new sessions start on (what `get` and `list` give). */
  current: boolean;
}

/**
 * The guides the app runs. Every installed version stays (a session pinned to an older version goes on with it);
 * one version per guide is current. Built-in guides come first in their own order, other guides after them by id.
 */
export class FlowRegistry {
  /** Every installed version, by content hash; a version is compiled once however often it is installed. */
  private readonly versions = new Map<string, RegisteredFlow>();
  private readonly current = new Map<string, RegisteredFlow>();
  private readonly builtinOrder: string[];
  private ordered: readonly RegisteredFlow[] = [];
  private readonly listeners = new Set<() => void>();
  /** Each compiled machine's plain transitions (relinked versions share their machine, and so their table). */
  private readonly plain = new WeakMap<AnyStateMachine, PlainTransitions>();

  constructor(documents: readonly FlowDocument[] = builtinDocuments()) {
    this.builtinOrder = documents.map((d) => d.id);
    for (const doc of documents) this.put(doc, { current: true });
    this.relink();
    this.reorder();
  }

  /** The current version of each guide, in start-page order. */
  get list(): readonly RegisteredFlow[] {
    return this.ordered;
  }

  /** The current version of a guide. */
  get(id: string): RegisteredFlow | undefined {
    return this.current.get(id);
  }

  /** Any installed version of a guide, by its content hash. */
  version(id: string, hash: string): RegisteredFlow | undefined {
    const flow = this.versions.get(hash);
    return flow?.id === id ? flow : undefined;
  }

  /**
   * Adds a version of a guide (a validated document: validation is the caller's, see server/content/validate.ts),
   * and makes it current if asked. Its texts reach i18next when it is first rendered (server/render/step.ts).
   */
  install(doc: FlowDocument, info: InstallInfo): RegisteredFlow {
    const flow = this.put(doc, info);
    if (info.current) {
      this.relink();
      this.reorder();
      for (const listener of this.listeners) listener();
    }
    return flow;
  }

  /** Calls `listener` after the set of current versions changed; returns a function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private put(doc: FlowDocument, { number, current }: InstallInfo): RegisteredFlow {
    const hash = contentHash(doc);
    const known = this.versions.get(hash);
    let flow = known ?? compileDocument(doc, this.factsOf);
    if (!known) this.plain.set(flow.machine, plainTransitions(flow.machine));
    if (known) {
      const linked = linkedFacts(known.document, known.version, this.factsOf);
      if (linked.renderKey !== known.renderKey) flow = { ...known, ...linked };
    }
    // The same content published again (a rollback) keeps its compiled machine and takes the newer number.
    if (number !== undefined && flow.number !== number) flow = { ...flow, number };
    this.versions.set(hash, flow);
    if (current) this.current.set(flow.id, flow);
    else if (this.current.get(flow.id)?.version === flow.version) this.current.set(flow.id, flow);
    return flow;
  }

  /** A current guide's facts as its document writes them, for the guides that show them. */
  private readonly factsOf = (id: string) => this.current.get(id)?.document.facts;

  /**
   * Every installed version that shows other guides' facts takes their current values: a guide published later
   * (or installed after it at start) reaches the guides that show its facts, old versions included.
   */
  private relink() {
    for (const [hash, flow] of this.versions) {
      const linked = linkedFacts(flow.document, flow.version, this.factsOf);
      if (linked.renderKey === flow.renderKey) continue;
      const relinked = { ...flow, ...linked };
      this.versions.set(hash, relinked);
      if (this.current.get(flow.id) === flow) this.current.set(flow.id, relinked);
    }
  }

  private reorder() {
    const builtin = this.builtinOrder.flatMap((id) => this.current.get(id) ?? []);
    const others = [...this.current.values()].filter((f) => !this.builtinOrder.includes(f.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.ordered = [...builtin, ...others];
  }

  /**
   * Where a session can start to show `state`: the state itself when it asks something (a check asks for a domain),
   * or for an ending (which cannot be started on its own) the first step that leads to it.
   */
  entryStep(flow: RegisteredFlow, state: string): string | undefined {
    const node = flow.machine.states[state];
    if (!node) return undefined;
    if (node.type !== 'final') return state;
    return Object.entries(flow.machine.states).find(([, from]) =>
      [...from.transitions.values()].flat().some((t) => t.target?.some((to) => to.key === state)),
    )?.[0];
  }

  meta(flow: RegisteredFlow, state: string): StepMeta | undefined {
    return stepMeta(flow, state);
  }

  /**
   * Where `event` leads from `state` when that move takes no guard and no action, as xstate would say (checked when
   * the version was installed); undefined for every other move, which the engine leaves to xstate.
   */
  plainTarget(flow: RegisteredFlow, state: string, event: string): string | undefined {
    return this.plain.get(flow.machine)?.get(state)?.get(event);
  }
}

/** For each state, the events whose move needs nothing of xstate but its target: state -> event -> target. */
export type PlainTransitions = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * A machine's moves that take no guard and no action (no exit, transition or entry action), to one target: for
 * those, xstate's `resolveState` + `can` + `transition` (30-70 µs) only ever give that target with the context
 * unchanged, so the engine can look the target up instead. Each entry is checked against xstate's own
 * `transition()` here, every state and event of the machine; an entry xstate disagrees with is left out (the engine
 * then asks xstate), so the table can only ever be narrower than the machine, never different.
 */
export function plainTransitions(machine: AnyStateMachine): PlainTransitions {
  const table = new Map<string, Map<string, string>>();
  for (const [state, node] of Object.entries(machine.states)) {
    if (node.type === 'final' || node.exit.length) continue;
    const moves = new Map<string, string>();
    for (const [event, candidates] of node.transitions) {
      const [only, ...more] = candidates;
      const target = only?.target?.length === 1 ? only.target[0]! : undefined;
      if (more.length || !only || only.guard || only.actions.length || only.reenter || !target || target.parent !== machine.root || target.entry.length)
        continue;
      if (agrees(machine, state, event, target.key)) moves.set(event, target.key);
    }
    if (moves.size) table.set(state, moves);
  }
  return table;
}

/** Whether xstate takes `event` at `state` to `target`, with the context as it was. */
export function agrees(machine: AnyStateMachine, state: string, event: string, target: string): boolean {
  const context = {};
  const current = machine.resolveState({ value: state, context });
  if (!current.can({ type: event })) return false;
  const [next] = transition(machine, current, { type: event });
  return next.value === target && next.context === context;
}

/** A step's typed meta: the one place that reads `config.meta` (XState types it as unknown). */
export function stepMeta(flow: Pick<FlowDefinition, 'machine'>, state: string): StepMeta | undefined {
  return flow.machine.states[state]?.config.meta as StepMeta | undefined;
}
