import { setup } from 'xstate';
import { ask, end, instruct } from '../define.ts';
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
 */
export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
}).createMachine({
  id: 'survey-emails-blocked',
  initial: 'whyBlocked',
  states: {
    whyBlocked: ask({ SHOW_STEPS: 'checkTls', THAT_EXPLAINS_IT: 'causeExplained' }),
    checkTls: instruct({ TLS_ENABLED: 'whichServer', NEED_HELP: 'contactSupport' }),
    whichServer: ask({ AZURE: 'addSpfAzure', DACH: 'addSpfDach', NEITHER: 'contactSupport' }),
    addSpfAzure: ask({ SPF_UPDATED: 'dkimCheck', USE_IPS: 'ipAllowList', NO_DNS_CHANGE: 'neutralSenderAzure' }),
    addSpfDach: ask({ SPF_UPDATED: 'dkimCheck', USE_IPS: 'ipAllowList', NO_DNS_CHANGE: 'neutralSenderDach' }),
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
