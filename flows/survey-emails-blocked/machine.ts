import { setup } from 'xstate';
import { ask, checkDomain, end, instruct, type CheckRoute } from '../define.ts';
import { checkGuards } from '../guards.ts';
import { facts } from './facts.ts';
import type { StepMeta } from '../types.ts';

/*
 * Survey emails from Netigate do not reach respondents because the receiving company's mail security (spam,
 * phishing and spoofing rules) stops them. The person running the flow is the Netigate customer who sends the
 * surveys, usually together with their IT department; Netigate support agents run the same steps on a call.
 *
 * Order: first why this happens (some only want that), then TLS on the incoming mail server, because it is a
 * requirement whatever else is chosen; then the hosting server, since the SPF include and the neutral sender
 * depend on it. The article's preferred fix, the SPF include, comes next; the IP list and the neutral sender are
 * offered from there as its alternatives; DKIM is added on top of SPF where the organisation uses it. A step never
 * leads back to an earlier one, so that every path through the flow is simple and ends at an outcome.
 *
 * From each SPF step the customer can check their company domain live, against the include of their own server
 * (one check step per server). With the include in place they go straight on to DKIM, the article's next measure;
 * otherwise they publish the merged record the check shows, or have a broken record repaired, and then go on.
 */

/** Where a check of the company domain leads: the same for both servers, only the include looked for differs. */
const spfRoutes: CheckRoute[] = [
  // The include is there: on to DKIM, the article's next measure.
  { when: { spf: ['ok'] }, to: 'dkimCheck' },
  // No record, the include missing, or several records: publish the one merged record the check shows.
  { when: { spf: ['missing', 'include_missing', 'multiple'] }, to: 'publishSuggestedRecord' },
  // Receivers cannot use the record as it is.
  { when: { spf: ['too_many_lookups', 'invalid'] }, to: 'spfRecordBroken' },
];

export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
  guards: checkGuards,
}).createMachine({
  id: 'survey-emails-blocked',
  initial: 'whyBlocked',
  states: {
    whyBlocked: ask({ SHOW_STEPS: 'checkTls', THAT_EXPLAINS_IT: 'causeExplained' }),
    checkTls: instruct({ TLS_ENABLED: 'whichServer', NEED_HELP: 'contactSupport' }),
    whichServer: ask({ AZURE: 'addSpfAzure', DACH: 'addSpfDach', NEITHER: 'contactSupport' }),
    addSpfAzure: ask({
      SPF_UPDATED: 'dkimCheck',
      CHECK_NOW: 'checkSpfAzure',
      USE_IPS: 'ipAllowList',
      NO_DNS_CHANGE: 'neutralSenderAzure',
    }),
    addSpfDach: ask({
      SPF_UPDATED: 'dkimCheck',
      CHECK_NOW: 'checkSpfDach',
      USE_IPS: 'ipAllowList',
      NO_DNS_CHANGE: 'neutralSenderDach',
    }),
    // The live check of the company domain, one per server because the include differs.
    checkSpfAzure: checkDomain({ includes: [facts.azureSpfInclude], routes: spfRoutes, otherwise: 'checkUnavailable', skip: { SKIP_CHECK: 'dkimCheck' } }),
    checkSpfDach: checkDomain({ includes: [facts.dachSpfInclude], routes: spfRoutes, otherwise: 'checkUnavailable', skip: { SKIP_CHECK: 'dkimCheck' } }),
    publishSuggestedRecord: instruct({ PUBLISHED: 'dkimCheck', NEED_HELP: 'contactSupport' }),
    spfRecordBroken: instruct({ FIXED: 'dkimCheck', NEED_HELP: 'contactSupport' }),
    checkUnavailable: instruct({ CARRY_ON: 'dkimCheck', NEED_HELP: 'contactSupport' }),
    ipAllowList: instruct({ IPS_ADDED: 'dkimCheck', NEED_HELP: 'contactSupport' }),
    neutralSenderAzure: instruct({ SWITCHED: 'neutralSenderInUse', NEED_REPLIES: 'repliesNeedOwnDomain' }),
    neutralSenderDach: instruct({ SWITCHED: 'neutralSenderInUse', NEED_REPLIES: 'repliesNeedOwnDomain' }),
    dkimCheck: ask({ USES_DKIM: 'addDkimKeys', NO_DKIM: 'senderAuthorised' }),
    addDkimKeys: instruct({ KEYS_ADDED: 'senderAuthorised', NEED_HELP: 'contactSupport' }),

    causeExplained: end('informational'),
    repliesNeedOwnDomain: end('informational'),
    senderAuthorised: end('resolved'),
    neutralSenderInUse: end('workaround'),
    contactSupport: end('escalated'),
  },
});
