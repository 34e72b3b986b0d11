import type { CheckVerdicts } from './types.ts';

type CheckEvent = { type: string; data?: Partial<CheckVerdicts> };
type Part = keyof CheckVerdicts;

const is =
  (part: Part) =>
  ({ event }: { event: CheckEvent }, params: { status: readonly string[] }) =>
    params.status.includes(event.data?.[part]?.status ?? '');

/**
 * Named guards for branching on a domain check's verdicts, used as
 * `{ guard: { type: 'spfIs', params: { status: ['include_missing'] } }, target: … }`.
 */
export const checkGuards = {
  spfIs: is('spf'),
  mxIs: is('mx'),
  dmarcIs: is('dmarc'),
};
