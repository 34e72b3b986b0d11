import { setup } from 'xstate';
import { ask, checkDomain, end, instruct } from '../define.ts';
import { checkGuards } from '../guards.ts';
import { facts } from './facts.ts';
import type { StepMeta } from '../types.ts';

/*
 * A course participant got no email from the e-learning platform. The person running the flow is the course
 * administrator who invited them; agents run the same steps with a customer on the line.
 *
 * Order follows the article: wait the normal delivery time, look in spam, send the personal login link by hand,
 * then prevent a repeat with the allow-list and, for a custom domain, the SPF record.
 */
export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
  guards: checkGuards,
}).createMachine({
  id: 'participant-no-email',
  initial: 'howLongAgo',
  states: {
    howLongAgo: ask({ UNDER_A_MINUTE: 'waitAMinute', OVER_A_MINUTE: 'checkSpam' }),
    waitAMinute: instruct({ ARRIVED: 'arrivedAfterWaiting', STILL_MISSING: 'checkSpam' }),
    checkSpam: ask({ FOUND_IN_SPAM: 'whyInSpam', NOT_IN_SPAM: 'sendLoginLink' }),
    whyInSpam: ask({
      MARKED_SIMILAR_AS_SPAM: 'markedAsSpamBefore',
      SEVERAL_LINKS: 'linksToManySites',
      MANY_AT_ONCE: 'allowList',
      NOT_SURE: 'allowList',
    }),
    sendLoginLink: instruct({ LINK_WORKED: 'preventRepeat', LINK_FAILED: 'contactSupport' }),
    preventRepeat: ask({ PREVENT: 'allowList', DONE: 'loginLinkWorkaround' }),
    allowList: ask({ NO_CUSTOM_DOMAIN: 'allowListDone', CUSTOM_DOMAIN: 'addSpfRecord' }),
    addSpfRecord: ask({
      NO_SPF_YET: 'spfRecordAdded',
      HAS_SPF_ALREADY: 'mergeSpfRecord',
      CHECK_NOW: 'checkSpf',
      NEED_HELP: 'contactSupport',
    }),
    mergeSpfRecord: instruct({ MERGED: 'spfRecordAdded', CHECK_NOW: 'checkSpf', NEED_HELP: 'contactSupport' }),
    // The live check: the person's domain, looked up now; the flow goes on from what it finds.
    checkSpf: checkDomain({
      includes: [facts.spfInclude],
      routes: [
        { when: { spf: ['ok'] }, to: 'spfVerified' },
        { when: { spf: ['missing', 'include_missing', 'multiple'] }, to: 'publishSuggestedRecord' },
        { when: { spf: ['too_many_lookups', 'invalid'] }, to: 'spfRecordBroken' },
      ],
      otherwise: 'checkUnavailable',
      skip: { SKIP_CHECK: 'spfRecordAdded' },
    }),
    publishSuggestedRecord: instruct({ PUBLISHED: 'spfRecordAdded', NEED_HELP: 'contactSupport' }),
    spfRecordBroken: instruct({ FIXED: 'spfRecordAdded', NEED_HELP: 'contactSupport' }),
    checkUnavailable: instruct({ ADDED_ANYWAY: 'spfRecordAdded', NEED_HELP: 'contactSupport' }),

    arrivedAfterWaiting: end('resolved'),
    markedAsSpamBefore: end('resolved'),
    linksToManySites: end('resolved'),
    allowListDone: end('resolved'),
    spfRecordAdded: end('resolved'),
    spfVerified: end('resolved'),
    loginLinkWorkaround: end('workaround'),
    contactSupport: end('escalated'),
  },
});
