import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { CHECK_RESULT } from '../../flows/types.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';

const flows = new FlowRegistry();

/*
 * The engine looks plain moves up in a table instead of asking xstate. For every built-in guide, every state and
 * every event any of its states knows, the table must give exactly what xstate's own transition() gives, or nothing
 * (then the engine asks xstate); and it must hold every move that takes no guard, or the table would do no good.
 */
describe('plain transitions table', () => {
  for (const flow of flows.list) {
    it(`${flow.id}: agrees with xstate for every state and event`, () => {
      const nodes = Object.entries(flow.machine.states);
      const events = new Set([CHECK_RESULT, 'NO_SUCH_EVENT', ...nodes.flatMap(([, n]) => [...n.transitions.keys()])]);
      let plain = 0;
      for (const [state, node] of nodes) {
        for (const event of events) {
          const looked = flows.plainTarget(flow, state, event);
          const candidates = node.transitions.get(event) ?? [];
          const unguarded = node.type !== 'final' && candidates.length === 1 && !candidates[0]!.guard;
          if (unguarded) expect(looked, `${state} ${event} is plain`).toBeDefined();
          if (looked === undefined) continue;
          plain++;
          const context = {};
          const current = flow.machine.resolveState({ value: state, context });
          expect(current.can({ type: event }), `${state} ${event}`).toBe(true);
          const [next] = transition(flow.machine, current, { type: event });
          expect({ state, event, target: looked, context }).toEqual({ state, event, target: String(next.value), context: next.context });
        }
      }
      expect(plain).toBeGreaterThan(0);
      // Moves on a check's result branch on guards: never in the table.
      for (const [state] of nodes) expect(flows.plainTarget(flow, state, CHECK_RESULT)).toBeUndefined();
    });
  }
});
