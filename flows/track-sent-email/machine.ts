import { setup } from 'xstate';
import { ask, end, instruct } from '../define.ts';
import type { StepMeta } from '../types.ts';

/*
 * An Agro user (an accounting office or farm business) sent an email from Agro and the recipient says it never came.
 * The user runs the flow themselves, or a support agent runs it with them on the line.
 *
 * Order: first separate "was it sent?" from "why did a sent email not arrive?", because they are answered in
 * different places. To check sending, work out the route from the module (Lønn, and modules moved to agro24, always
 * send built-in; the rest follow the setting), then look where that route leaves its trace: the email log for the
 * built-in solution, the mail program's sent folder for the external one. An email that was accepted by the
 * recipient's server ends with the recipient asking their own mail provider.
 */
export const machine = setup({
  types: {
    meta: {} as StepMeta,
  },
}).createMachine({
  id: 'track-sent-email',
  initial: 'whatToFind',
  states: {
    whatToFind: ask({
      CHECK_IF_SENT: 'whichModule',
      ACCEPTED_NOT_IN_INBOX: 'recipientProviderExplains',
      EXTERNAL_ARRIVES_BUILT_IN_NOT: 'externalArrivesBuiltInNot',
    }),
    whichModule: ask({
      PAYROLL: 'checkEmailLog',
      INVOICE_TIME_OR_REPORTS: 'movedToCloud',
      OTHER_MODULE: 'whichSetting',
    }),
    movedToCloud: ask({ MOVED: 'checkEmailLog', NOT_MOVED: 'whichSetting', NOT_SURE: 'checkBothPlaces' }),
    whichSetting: ask({ BUILT_IN: 'checkEmailLog', EXTERNAL: 'checkSentFolder' }),
    checkBothPlaces: instruct({
      IN_EMAIL_LOG: 'checkEmailLog',
      IN_SENT_FOLDER: 'checkSentFolder',
      IN_NEITHER: 'noTraceOfSending',
    }),
    checkEmailLog: instruct({
      DELIVERED: 'recipientProviderExplains',
      REJECTED: 'rejectedBuiltIn',
      NOT_IN_LOG: 'noTraceOfSending',
    }),
    checkSentFolder: instruct({
      SENT_NO_ERROR: 'recipientProviderExplains',
      ERROR_CAME_BACK: 'rejectedExternal',
      NOT_IN_SENT: 'noTraceOfSending',
    }),
    externalArrivesBuiltInNot: ask({
      LOG_DELIVERED: 'recipientProviderExplains',
      LOG_REJECTED: 'rejectedBuiltIn',
      NOT_CHECKED: 'checkEmailLog',
    }),

    recipientProviderExplains: end('informational'),
    rejectedBuiltIn: end('informational'),
    rejectedExternal: end('informational'),
    noTraceOfSending: end('escalated'),
  },
});
