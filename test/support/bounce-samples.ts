import { readFileSync } from 'node:fs';
import type { BounceCategory } from '../../server/checks/bounce.ts';
import type { BounceVerdicts } from '../../flows/types.ts';

/** One bounce of each category, from the samples the bounce reader is tested with (test/fixtures/bounces/). */
const SAMPLES: Record<BounceCategory, string> = {
  no_such_user: 'exchange-en-no-such-user.txt',
  mailbox_full: 'gmail-mailbox-full.txt',
  policy: 'exchange-de-policy.txt',
  dmarc: 'exchange-en-dmarc.txt',
  spf: 'exchange-sv-spf.txt',
  temporary: 'gmail-temporary.txt',
  other: 'postfix-other.txt',
};

/** A pasted bounce whose check gives exactly `verdicts`. */
export const bounceFor = (v: BounceVerdicts): string => readFileSync(new URL(`../fixtures/bounces/${SAMPLES[v.bounce.status]}`, import.meta.url), 'utf8');
