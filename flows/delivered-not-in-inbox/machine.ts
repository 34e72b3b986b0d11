import { setup } from 'xstate';
import { ask, end, instruct } from '../define.ts';
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
 */
export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
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
    checkDomainSetup: instruct({ DONE: 'shortLinks' }),
    shortLinks: instruct({ DONE: 'bestPracticesDone' }),

    notDelivered: end('informational'),
    emailFound: end('resolved'),
    bestPracticesDone: end('resolved'),
    contactSupport: end('escalated'),
  },
});
