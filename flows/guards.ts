import type { CheckType } from './types.ts';

type CheckEvent = { type: string; data?: Record<string, { status?: string } | undefined> };

const is =
  (part: string) =>
  ({ event }: { event: CheckEvent }, params: { status: readonly string[] }) =>
    params.status.includes(event.data?.[part]?.status ?? '');

/**
 * Each named guard, the check whose result it reads and the part of it. A guard names its check, so a flow reads as
 * what it asks (`headerDkimIs`), and a guard on another check's result is refused when the guide is validated.
 */
export const GUARD_PARTS = {
  spfIs: { check: 'email-domain', part: 'spf' },
  mxIs: { check: 'email-domain', part: 'mx' },
  dmarcIs: { check: 'email-domain', part: 'dmarc' },
  headerSpfIs: { check: 'headers', part: 'spf' },
  headerDkimIs: { check: 'headers', part: 'dkim' },
  headerDmarcIs: { check: 'headers', part: 'dmarc' },
  spamIs: { check: 'headers', part: 'spam' },
  bounceIs: { check: 'bounce', part: 'bounce' },
} as const satisfies Record<string, { check: CheckType; part: string }>;
export type GuardName = keyof typeof GUARD_PARTS;

/**
 * Named guards for branching on a check's verdicts, used as
 * `{ guard: { type: 'spfIs', params: { status: ['include_missing'] } }, target: … }`.
 */
export const checkGuards = Object.fromEntries(Object.entries(GUARD_PARTS).map(([name, { part }]) => [name, is(part)])) as Record<
  GuardName,
  ReturnType<typeof is>
>;
