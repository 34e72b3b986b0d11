import { CHECK, CHECK_RESULT, type CheckVerdicts, type Outcome, type StepMeta } from './types.ts';

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

/** Where a check result leads: to `to` when the named verdict has one of the listed statuses. */
export type CheckRoute = { when: { [P in keyof CheckVerdicts]?: readonly CheckVerdicts[P]['status'][] }; to: string };

export interface CheckDomainStep {
  /** The SPF includes the domain's record must carry (the sender's own, from the flow's facts); may be empty. */
  includes: readonly string[];
  /** Tried in order: the first route whose verdict matches the result is taken. */
  routes: CheckRoute[];
  /** Where a result no route matches goes (e.g. the lookup failed). */
  otherwise: string;
  /** The options besides checking, e.g. `{ SKIP_CHECK: 'nextStep' }`. */
  skip: Record<string, string>;
}

/**
 * A live check of the sender's domain. The person types their domain (option CHECK) or skips; the engine runs the
 * check and sends CHECK_RESULT, which goes to the first route whose verdicts match, else to `otherwise`.
 */
export const checkDomain = ({ includes, routes, otherwise, skip }: CheckDomainStep) => {
  const meta: StepMeta = {
    kind: 'check',
    check: { type: 'email-domain', includes },
    options: [{ event: CHECK }, ...Object.keys(skip).map((event) => ({ event }))],
  };
  const guarded = routes.map(({ when, to }) => {
    const [part, status] = Object.entries(when)[0]!;
    return { guard: { type: `${part as keyof CheckVerdicts}Is` as const, params: { status: [...status!] as string[] } }, target: to };
  });
  return { meta, on: { [CHECK_RESULT]: [...guarded, { target: otherwise }], ...skip } };
};
