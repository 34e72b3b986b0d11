import { describe, expect, it } from 'vitest';
import { builtinGuide } from '../fixtures/documents.ts';
import { stateMeta, walker } from '../support/walk.ts';

const { machine } = builtinGuide('track-sent-email');
const walk = walker(machine);

const outcomeOf = (state: string) => stateMeta(machine, state).outcome;

describe('track-sent-email', () => {
  it('starts by separating "was it sent?" from "why did it not arrive?"', () => {
    expect(walk().state).toBe('whatToFind');
  });

  it('sends Lønn straight to the email log: it is always on agro24, so always built-in', () => {
    expect(walk('CHECK_IF_SENT', 'PAYROLL').state).toBe('checkEmailLog');
  });

  it('sends Faktura, Time and Regnskapsrapporter to the email log once moved to agro24, whatever the setting', () => {
    expect(walk('CHECK_IF_SENT', 'INVOICE_TIME_OR_REPORTS', 'MOVED').state).toBe('checkEmailLog');
  });

  it('lets modules not on agro24 follow the setting', () => {
    expect(walk('CHECK_IF_SENT', 'INVOICE_TIME_OR_REPORTS', 'NOT_MOVED').state).toBe('whichSetting');
    expect(walk('CHECK_IF_SENT', 'OTHER_MODULE').state).toBe('whichSetting');
    expect(walk('CHECK_IF_SENT', 'OTHER_MODULE', 'BUILT_IN').state).toBe('checkEmailLog');
    expect(walk('CHECK_IF_SENT', 'OTHER_MODULE', 'EXTERNAL').state).toBe('checkSentFolder');
  });

  it('looks in both places when it is unknown whether the module is on agro24', () => {
    const base = ['CHECK_IF_SENT', 'INVOICE_TIME_OR_REPORTS', 'NOT_SURE'];
    expect(walk(...base).state).toBe('checkBothPlaces');
    expect(walk(...base, 'IN_EMAIL_LOG').state).toBe('checkEmailLog');
    expect(walk(...base, 'IN_SENT_FOLDER').state).toBe('checkSentFolder');
  });

  it('hands an accepted email (Levert, or in Sendt with no error back) to the recipient\'s own provider', () => {
    for (const path of [
      ['CHECK_IF_SENT', 'PAYROLL', 'DELIVERED'],
      ['CHECK_IF_SENT', 'OTHER_MODULE', 'EXTERNAL', 'SENT_NO_ERROR'],
      ['ACCEPTED_NOT_IN_INBOX'],
      ['EXTERNAL_ARRIVES_BUILT_IN_NOT', 'LOG_DELIVERED'],
    ]) {
      const end = walk(...path);
      expect(end, path.join(' → ')).toMatchObject({ state: 'recipientProviderExplains', done: true });
    }
    expect(outcomeOf('recipientProviderExplains')).toBe('informational');
  });

  it('points a rejected email to the message that explains why, per route', () => {
    expect(walk('CHECK_IF_SENT', 'PAYROLL', 'REJECTED').state).toBe('rejectedBuiltIn');
    expect(walk('EXTERNAL_ARRIVES_BUILT_IN_NOT', 'LOG_REJECTED').state).toBe('rejectedBuiltIn');
    expect(walk('CHECK_IF_SENT', 'OTHER_MODULE', 'EXTERNAL', 'ERROR_CAME_BACK').state).toBe('rejectedExternal');
  });

  it('asks for the log status in the external-vs-built-in question when it has not been checked', () => {
    expect(walk('EXTERNAL_ARRIVES_BUILT_IN_NOT', 'NOT_CHECKED').state).toBe('checkEmailLog');
  });

  it('escalates when the email left no trace on its route', () => {
    for (const path of [
      ['CHECK_IF_SENT', 'PAYROLL', 'NOT_IN_LOG'],
      ['CHECK_IF_SENT', 'OTHER_MODULE', 'EXTERNAL', 'NOT_IN_SENT'],
      ['CHECK_IF_SENT', 'INVOICE_TIME_OR_REPORTS', 'NOT_SURE', 'IN_NEITHER'],
    ])
      expect(walk(...path).state, path.join(' → ')).toBe('noTraceOfSending');
    expect(outcomeOf('noTraceOfSending')).toBe('escalated');
  });
});
