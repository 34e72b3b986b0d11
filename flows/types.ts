import type { AnyStateMachine } from 'xstate';

/** How a step is shown: a question to answer, an instruction to carry out, a server-side check, or an ending. */
export type StepKind = 'question' | 'instruction' | 'check' | 'outcome';

/** How a session ended; set on final states only. */
export type Outcome = 'resolved' | 'workaround' | 'escalated' | 'informational';

export const OUTCOMES: readonly Outcome[] = ['resolved', 'workaround', 'escalated', 'informational'];

export interface StepOption {
  /** UPPER_SNAKE event name; its label is `<flow-id>:<stateId>.options.<EVENT>`. */
  event: string;
}

/** Typed `meta` carried by every state of every flow. */
export interface StepMeta {
  kind: StepKind;
  outcome?: Outcome;
  options?: StepOption[];
  /** For `kind: 'check'`: the name of the check the engine runs (e.g. `spf`). */
  check?: string;
}

/**
 * A fact is a value an article states: a domain, an address, an IP, a record. Lists are rendered as bullet lists
 * of code spans, so translators write "{{facts.ips}}" once and never copy a value.
 */
export type FactValue = string | readonly string[];
export type Facts = Readonly<Record<string, FactValue>>;

export interface FlowDefinition {
  /** kebab-case id, also the i18next namespace of the flow's texts. */
  id: string;
  machine: AnyStateMachine;
  facts: Facts;
  /** The article the flow encodes, for the flow README and for reviewers. */
  source: string;
}

/** The events every flow understands on top of its options; the engine handles them, not the machines. */
export const ENGINE_EVENTS = ['BACK', 'RESTART', 'START'] as const;
