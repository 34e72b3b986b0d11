import { setup } from 'xstate';
import { ask, checkDomain, end, instruct } from '../define.ts';
import { checkGuards } from '../guards.ts';
import { facts } from './facts.ts';
import type { StepMeta } from '../types.ts';

/*
 * An administrator of a customer's "train" learning platform (reflact) sets up notification emails: either a
 * reminder that repeats itself, or the address the platform's emails are sent from. Agents run the same steps with
 * the customer on the line.
 *
 * Order follows the article. Repeats: explain the self-repeat option and its spam risk, offer the overview for a
 * responsible person first (it avoids the repeats altogether), otherwise bound the repetition in time. Sender: ask
 * which situation applies, then the matching option; for the customer's own domain SPF comes before the mailbox
 * check, because both are needed and SPF is the part that forks (new record vs. merge into the existing one).
 * Unsuitable choices (a mailbox not meant for bulk sending, an SMTP service with low limits) lead back to the
 * options that work.
 *
 * After publishing or merging the SPF record, the person may check the domain live. The MX verdict comes first: a
 * domain without a working MX cannot have a sender address that receives mail (error 550), whatever its SPF says.
 * Every way out of the check ends at the test email (`checkMailbox`), since DNS alone cannot tell whether the one
 * address exists on the mail server.
 */
export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
  guards: checkGuards,
}).createMachine({
  id: 'notification-sender-setup',
  initial: 'whatToSet',
  states: {
    whatToSet: ask({ REPEAT_REMINDER: 'selfRepeat', SENDER_ADDRESS: 'senderChoice' }),

    selfRepeat: ask({ HAS_RESPONSIBLE: 'overviewForResponsible', NO_RESPONSIBLE: 'limitRepeat' }),
    overviewForResponsible: ask({ USE_OVERVIEW: 'overviewChosen', KEEP_REMINDERS: 'limitRepeat' }),
    limitRepeat: instruct({ DONE: 'repeatLimited', NEED_HELP: 'contactSupport' }),

    senderChoice: ask({
      NOREPLY: 'noReplySender',
      OWN_DOMAIN: 'ownDomainSender',
      OWN_SMTP: 'smtpAccess',
      PERSONAL_MAILBOX: 'unsuitableMailbox',
    }),
    noReplySender: ask({ KEEP_NOREPLY: 'noReplyWithReplyTo', OWN_ADDRESS_INSTEAD: 'ownDomainSender' }),
    ownDomainSender: ask({ NO_SPF_RECORD: 'publishSpfRecord', HAS_SPF_RECORD: 'mergeSpfRecord' }),
    publishSpfRecord: instruct({ ADDED: 'checkMailbox', CHECK_NOW: 'checkDomainRecords', NEED_HELP: 'contactSupport' }),
    mergeSpfRecord: instruct({ MERGED: 'checkMailbox', CHECK_NOW: 'checkDomainRecords', NEED_HELP: 'contactSupport' }),
    // The live check of the sender's domain: SPF with both train includes, and an MX record for the address.
    checkDomainRecords: checkDomain({
      includes: facts.spfTrainIncludes,
      routes: [
        { when: { mx: ['missing', 'null_mx'] }, to: 'mxRecordMissing' },
        { when: { spf: ['ok'] }, to: 'checkMailbox' },
        { when: { spf: ['missing', 'include_missing', 'multiple'] }, to: 'publishSuggestedRecord' },
        { when: { spf: ['too_many_lookups', 'invalid'] }, to: 'spfRecordBroken' },
      ],
      otherwise: 'checkUnavailable',
      skip: { SKIP_CHECK: 'checkMailbox' },
    }),
    mxRecordMissing: instruct({ FIXED: 'checkMailbox', USE_NOREPLY: 'noReplySender', NEED_HELP: 'contactSupport' }),
    publishSuggestedRecord: instruct({ PUBLISHED: 'checkMailbox', NEED_HELP: 'contactSupport' }),
    spfRecordBroken: instruct({ FIXED: 'checkMailbox', NEED_HELP: 'contactSupport' }),
    checkUnavailable: instruct({ CARRY_ON: 'checkMailbox', NEED_HELP: 'contactSupport' }),
    checkMailbox: ask({ TEST_ARRIVED: 'ownDomainReady', TEST_FAILED: 'makeAddressReceive' }),
    makeAddressReceive: instruct({ FIXED: 'ownDomainReady', USE_NOREPLY: 'noReplySender', NEED_HELP: 'contactSupport' }),
    smtpAccess: ask({ HIGH_VOLUME_OK: 'smtpHandOver', LIMITED_SERVICE: 'unsuitableMailbox' }),
    unsuitableMailbox: ask({ USE_NOREPLY: 'noReplySender', USE_OWN_DOMAIN: 'ownDomainSender', USE_BULK_SMTP: 'smtpAccess' }),

    overviewChosen: end('resolved'),
    repeatLimited: end('resolved'),
    noReplyWithReplyTo: end('resolved'),
    ownDomainReady: end('resolved'),
    smtpHandOver: end('escalated'),
    contactSupport: end('escalated'),
  },
});
