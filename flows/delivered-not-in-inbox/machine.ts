import { setup } from 'xstate';
import { ask, checkDomain, end, instruct } from '../define.ts';
import { checkGuards } from '../guards.ts';
import type { StepMeta } from '../types.ts';

/*
 * A contact says a marketing email never arrived, yet HubSpot shows it as delivered. The person running the flow
 * is the HubSpot user who sent it (marketer or admin); agents run the same steps with that customer on the line.
 *
 * Order follows the article: first confirm in the contact record that the email really was delivered (if not,
 * it is another problem), then look where a delivered email hides (junk folder first, because the recipient can
 * check it alone; quarantine next, because it needs their IT team). Recipients who keep missing emails get the
 * allow-list details (sending IPs, then the sending domain or the shared domains); everyone can finish with the
 * sender best practices (connect the sending domain, set it up correctly, fewer shortened links).
 *
 * Setting the domain up correctly can be checked live: SPF and DMARC are looked up and the flow goes on from what
 * it finds. The article names no SPF include, so the check only asks for one valid SPF record; DKIM cannot be
 * looked up without the selector, so the texts leave it to the person. MX is not part of the article's advice:
 * its verdict is shown, but not branched on.
 */
export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
  guards: checkGuards,
}).createMachine({
  id: 'delivered-not-in-inbox',
  initial: 'checkDelivery',
  states: {
    checkDelivery: instruct({ DELIVERED: 'checkJunk', NOT_DELIVERED: 'notDelivered' }),
    checkJunk: ask({ FOUND_IN_JUNK: 'moveToInbox', NOT_IN_JUNK: 'checkQuarantine' }),
    moveToInbox: instruct({ MOVED: 'howOften' }),
    checkQuarantine: instruct({ FOUND_IN_QUARANTINE: 'howOften', NOT_IN_QUARANTINE: 'contactSupport' }),
    howOften: ask({ FIRST_TIME: 'preventFuture', REPEATEDLY: 'repeatedProblems' }),
    preventFuture: ask({ DOMAIN_CONNECTED: 'checkDomainSetup', NO_DOMAIN: 'connectDomain', SKIP: 'emailFound' }),

    repeatedProblems: instruct({ NEXT: 'copySendingIps' }),
    copySendingIps: instruct({ DOMAIN_CONNECTED: 'giveOwnDomain', NO_DOMAIN: 'giveSharedDomains' }),
    giveOwnDomain: instruct({ DONE: 'checkDomainSetup' }),
    giveSharedDomains: instruct({ DONE: 'connectDomain' }),

    connectDomain: ask({ WILL_CONNECT: 'checkDomainSetup', FREE_TOOLS_ONLY: 'shortLinks' }),
    checkDomainSetup: instruct({ DONE: 'shortLinks', CHECK_NOW: 'checkSendingDomain' }),
    // The live check of the sending domain. SPF problems first (DMARC rests on SPF or DKIM), then DMARC; a domain
    // with a valid SPF record and a DMARC policy that acts goes straight on to the next best practice.
    checkSendingDomain: checkDomain({
      includes: [],
      routes: [
        { when: { spf: ['missing', 'multiple', 'include_missing', 'too_many_lookups', 'invalid'] }, to: 'fixSpfRecord' },
        { when: { dmarc: ['missing', 'invalid'] }, to: 'publishDmarc' },
        { when: { dmarc: ['none_policy'] }, to: 'dmarcMonitoring' },
        { when: { spf: ['ok'] }, to: 'shortLinks' },
      ],
      otherwise: 'checkUnavailable',
      skip: { SKIP_CHECK: 'shortLinks' },
    }),
    fixSpfRecord: instruct({ FIXED: 'shortLinks', DMARC_TOO: 'publishDmarc' }),
    publishDmarc: instruct({ PUBLISHED: 'shortLinks' }),
    dmarcMonitoring: instruct({ NOTED: 'shortLinks' }),
    checkUnavailable: instruct({ CONTINUE: 'shortLinks' }),
    shortLinks: instruct({ DONE: 'bestPracticesDone' }),

    notDelivered: end('informational'),
    emailFound: end('resolved'),
    bestPracticesDone: end('resolved'),
    contactSupport: end('escalated'),
  },
});
