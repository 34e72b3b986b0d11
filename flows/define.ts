import type { Outcome, StepMeta } from './types.ts';

/*
 * Small builders for flow states. A step's options are the events it answers to, so they are derived from `on`
 * rather than written twice: a flow cannot offer a button that leads nowhere, nor accept an event it never shows.
 */

type Targets = Record<string, string>;

function withOptions(kind: StepMeta['kind'], on: Targets) {
  const meta: StepMeta = { kind, options: Object.keys(on).map((event) => ({ event })) };
  return { meta, on };
}

/** A question: the person picks the option that fits. */
export const ask = (on: Targets) => withOptions('question', on);

/** An instruction: something to do, then the person says how it went. */
export const instruct = (on: Targets) => withOptions('instruction', on);

/** An ending. Every final state carries its outcome. */
export const end = (outcome: Outcome) => ({ type: 'final' as const, meta: { kind: 'outcome', outcome } satisfies StepMeta });
