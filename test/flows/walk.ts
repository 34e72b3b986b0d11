import { getSimplePaths } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import type { StepMeta } from '../../flows/types.ts';

export interface FlowPath {
  /** The states visited, starting at the initial one. */
  states: string[];
  /** The events sent, one fewer than states. */
  events: string[];
}

export function stateMeta(machine: AnyStateMachine, state: string): StepMeta {
  return machine.states[state]!.config.meta as StepMeta;
}

/** Every option offered by a state, as events the graph walker can send. */
function optionEvents(machine: AnyStateMachine, state: string) {
  return (stateMeta(machine, state).options ?? []).map((o) => ({ type: o.event }));
}

/**
 * Every simple path from the initial state to a final state. A flow is walked completely when each of these is
 * walked: every option of every step is taken on at least one of them.
 */
export function pathsToOutcomes(machine: AnyStateMachine): FlowPath[] {
  const paths = getSimplePaths(machine, {
    events: (snapshot) => optionEvents(machine, String(snapshot.value)),
  });
  return paths
    .filter((p) => p.state.status === 'done')
    .map((p) => ({
      states: [...p.steps.map((s) => String(s.state.value))],
      events: p.steps.slice(1).map((s) => s.event.type),
    }));
}
