import { getSimplePaths } from 'xstate/graph';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { BOUNCE_CATEGORIES } from '../../server/checks/bounce.ts';
import { CHECK, CHECK_RESULT, HEADER_CHECK_STATUSES, SPF_STATUSES, type BounceVerdicts, type CheckVerdicts, type HeaderVerdicts, type StepMeta } from '../../flows/types.ts';
import { stepMeta } from '../../server/engine/flow-registry.ts';

/*
 * Walking flows in tests, at the level of the machine. XState ignores an event a state does not handle, so a test
 * that sends a misspelt or removed option would silently stay put and could still pass. The walker here refuses
 * it, with the rule the engine applies: an event is sent only where the step offers it.
 */

export function stateMeta(machine: AnyStateMachine, state: string): StepMeta {
  return stepMeta({ machine }, state)!;
}

/** An event to send: an option's name, or a check's result with its verdicts. */
export type WalkEvent = string | { type: string; data?: unknown };

export interface Reached {
  state: string;
  done: boolean;
  snapshot: AnyMachineSnapshot;
}

/** Why `event` cannot be sent at `snapshot`, or undefined when the step offers it. */
function refusal(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: { type: string; data?: unknown }): string | undefined {
  const state = String(snapshot.value);
  const meta = stateMeta(machine, state);
  const offered = (meta.options ?? []).map((o) => o.event);
  const where = `"${event.type}" at step "${state}" of ${machine.id} (offered: ${offered.join(', ') || 'nothing'})`;
  if (snapshot.status === 'done') return `${where}: the flow has ended`;
  // A person sends CHECK with a domain; the engine runs the check and the machine receives CHECK_RESULT.
  if (event.type === CHECK) return `${where}: the engine turns ${CHECK} into ${CHECK_RESULT}; send the verdicts as ${CHECK_RESULT}`;
  const isOffered = event.type === CHECK_RESULT ? meta.kind === 'check' : offered.includes(event.type);
  if (!isOffered) return `${where}: not an option here`;
  if (!snapshot.can(event)) return `${where}: the machine does not take it`;
  return undefined;
}

/** Sends each event in turn from `snapshot`; throws at the first one its step does not offer. */
function send(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, events: readonly WalkEvent[]): Reached {
  for (const e of events) {
    const event = typeof e === 'string' ? { type: e } : e;
    const why = refusal(machine, snapshot, event);
    if (why) throw new Error(`Cannot send ${why}.`);
    [snapshot] = transition(machine, snapshot, event);
  }
  return { state: String(snapshot.value), done: snapshot.status === 'done', snapshot };
}

/**
 * A strict walker for one flow: `walk(...events)` starts at the initial step, `walk.from(state, ...events)` at any
 * step, and both return the step reached. An event the step does not offer throws.
 */
export function walker(machine: AnyStateMachine) {
  const walk = (...events: WalkEvent[]) => send(machine, initialTransition(machine)[0], events);
  walk.from = (state: string, ...events: WalkEvent[]) => {
    if (!machine.states[state]) throw new Error(`${machine.id} has no step "${state}".`);
    return send(machine, machine.resolveState({ value: state, context: {} }), events);
  };
  return walk;
}

type Statuses = Partial<{ [P in keyof CheckVerdicts]: CheckVerdicts[P]['status'] }>;

/** A check's result event: the verdicts given, every other part fine. */
export function checkResult(statuses: Statuses = {}): { type: typeof CHECK_RESULT; data: CheckVerdicts } {
  return {
    type: CHECK_RESULT,
    data: { spf: { status: statuses.spf ?? 'ok' }, mx: { status: statuses.mx ?? 'ok' }, dmarc: { status: statuses.dmarc ?? 'ok' } },
  };
}

export interface FlowPath {
  /** The states visited, starting at the initial one. */
  states: string[];
  /** The events sent, one fewer than states. */
  events: string[];
  /** What each event carried (a check's verdicts), in step with `events`. */
  data: unknown[];
}

/**
 * Verdicts a domain check can come back with: every SPF status with the rest fine, then MX and DMARC problems.
 * Walking a check step with each of them takes every branch a flow makes on a check.
 */
export const SAMPLE_VERDICTS: CheckVerdicts[] = [
  ...SPF_STATUSES.filter((s) => s !== 'error').map((spf) => checkResult({ spf }).data),
  checkResult({ spf: 'error', mx: 'error', dmarc: 'error' }).data,
  checkResult({ mx: 'missing' }).data,
  checkResult({ mx: 'null_mx' }).data,
  checkResult({ dmarc: 'missing' }).data,
  checkResult({ dmarc: 'none_policy' }).data,
  checkResult({ dmarc: 'invalid' }).data,
];

type HeaderStatuses = Partial<{ [P in keyof HeaderVerdicts]: HeaderVerdicts[P]['status'] }>;

/** A headers check's result event: the verdicts given, every other part passing and the spam filter content. */
export function headersResult(statuses: HeaderStatuses = {}): { type: typeof CHECK_RESULT; data: HeaderVerdicts } {
  return {
    type: CHECK_RESULT,
    data: {
      spf: { status: statuses.spf ?? 'pass' },
      dkim: { status: statuses.dkim ?? 'pass' },
      dmarc: { status: statuses.dmarc ?? 'pass' },
      spam: { status: statuses.spam ?? 'clean' },
    },
  };
}

/** Verdicts a headers check can come back with: each status of each part, the other parts fine. */
export const SAMPLE_HEADER_VERDICTS: HeaderVerdicts[] = [
  headersResult().data,
  ...(Object.keys(HEADER_CHECK_STATUSES) as (keyof HeaderVerdicts)[]).flatMap((part) =>
    HEADER_CHECK_STATUSES[part].filter((s) => s !== headersResult().data[part].status).map((status) => headersResult({ [part]: status }).data),
  ),
];

/** A bounce check's result event: the kind of bounce. */
export const bounceResult = (category: BounceVerdicts['bounce']['status']) => ({ type: CHECK_RESULT, data: { bounce: { status: category } } as BounceVerdicts });

/** Every kind of bounce a bounce check can come back with. */
export const SAMPLE_BOUNCE_VERDICTS: BounceVerdicts[] = BOUNCE_CATEGORIES.map((c) => bounceResult(c).data);

/** Every option offered by a state, as events the graph walker can send; a check step gets every sample verdict. */
function optionEvents(machine: AnyStateMachine, state: string) {
  const meta = stateMeta(machine, state);
  const options = (meta.options ?? []).filter((o) => o.event !== CHECK).map((o) => ({ type: o.event }));
  if (meta.kind !== 'check') return options;
  const samples: object[] = meta.check?.type === 'headers' ? SAMPLE_HEADER_VERDICTS : meta.check?.type === 'bounce' ? SAMPLE_BOUNCE_VERDICTS : SAMPLE_VERDICTS;
  return [...samples.map((data) => ({ type: CHECK_RESULT, data })), ...options];
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

/**
 * The options on these paths that lead back to a step already walked (such as "Try again" at a check that got no
 * answer). A simple path never takes them, yet they are no dead end: the step they return to is on a path that
 * ends at an outcome.
 */
export function optionsBackOnPath(machine: AnyStateMachine, paths: readonly FlowPath[]): Set<string> {
  const walk = walker(machine);
  const targets = new Map<string, string>();
  const target = (state: string, event: string) => {
    const key = `${state}/${event}`;
    if (!targets.has(key)) targets.set(key, walk.from(state, event).state);
    return targets.get(key)!;
  };
  const back = new Set<string>();
  for (const p of paths)
    p.states.forEach((state, i) => {
      for (const { event } of stateMeta(machine, state).options ?? [])
        if (event !== CHECK && p.states.slice(0, i + 1).includes(target(state, event))) back.add(`${state}/${event}`);
    });
  return back;
}
