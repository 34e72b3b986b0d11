import { getSimplePaths } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { CHECK, CHECK_RESULT, SPF_STATUSES, type CheckVerdicts, type StepMeta } from '../../flows/types.ts';
import { stepMeta } from '../../server/engine/flow-registry.ts';

export interface FlowPath {
  /** The states visited, starting at the initial one. */
  states: string[];
  /** The events sent, one fewer than states. */
  events: string[];
  /** What each event carried (a check's verdicts), in step with `events`. */
  data: unknown[];
}

export function stateMeta(machine: AnyStateMachine, state: string): StepMeta {
  return stepMeta({ machine }, state)!;
}

/**
 * Verdicts a domain check can come back with: every SPF status with the rest fine, then MX and DMARC problems.
 * Walking a check step with each of them takes every branch a flow makes on a check.
 */
export const SAMPLE_VERDICTS: CheckVerdicts[] = [
  ...SPF_STATUSES.filter((s) => s !== 'error').map((spf) => ({
    spf: { status: spf },
    mx: { status: 'ok' as const },
    dmarc: { status: 'ok' as const },
  })),
  { spf: { status: 'error' }, mx: { status: 'error' }, dmarc: { status: 'error' } },
  { spf: { status: 'ok' }, mx: { status: 'missing' }, dmarc: { status: 'ok' } },
  { spf: { status: 'ok' }, mx: { status: 'null_mx' }, dmarc: { status: 'ok' } },
  { spf: { status: 'ok' }, mx: { status: 'ok' }, dmarc: { status: 'missing' } },
  { spf: { status: 'ok' }, mx: { status: 'ok' }, dmarc: { status: 'none_policy' } },
  { spf: { status: 'ok' }, mx: { status: 'ok' }, dmarc: { status: 'invalid' } },
];

/** Every option offered by a state, as events the graph walker can send; a check step gets every sample verdict. */
function optionEvents(machine: AnyStateMachine, state: string) {
  const meta = stateMeta(machine, state);
  const options = (meta.options ?? []).filter((o) => o.event !== CHECK).map((o) => ({ type: o.event }));
  if (meta.kind !== 'check') return options;
  return [...SAMPLE_VERDICTS.map((data) => ({ type: CHECK_RESULT, data })), ...options];
}

/**
 * Every simple path from the initial state to a final state. A flow is walked completely when each of these is
 * walked: every option of every step is taken on at least one of them.
 */
export function pathsToOutcomes(machine: AnyStateMachine): FlowPath[] {
  const paths = getSimplePaths(machine, {
    events: (snapshot) => optionEvents(machine, String(snapshot.value)),
  });
  // Two verdicts that lead to the same steps make one path, not two.
  const seen = new Set<string>();
  return paths
    .filter((p) => p.state.status === 'done')
    .filter((p) => {
      const key = p.steps.map((s) => `${String(s.state.value)}<${s.event.type}`).join('>');
      return !seen.has(key) && seen.add(key);
    })
    .map((p) => ({
      states: [...p.steps.map((s) => String(s.state.value))],
      events: p.steps.slice(1).map((s) => s.event.type),
      data: p.steps.slice(1).map((s) => (s.event as { data?: unknown }).data),
    }));
}
