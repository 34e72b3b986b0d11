import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { CHECK } from '../../flows/types.ts';
import type { StepMeta } from '../../flows/types.ts';
import { builtinGuide } from '../fixtures/documents.ts';
import { checkResult, walker } from '../support/walk.ts';

/* The flow tests trust the walker to refuse what a person could not send; these hold it to that. */
const { machine } = builtinGuide('participant-no-email');
const walk = walker(machine);
const TO_CHECK = ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_WORKED', 'PREVENT', 'CUSTOM_DOMAIN', 'CHECK_NOW'];

describe('the strict walker', () => {
  it('walks offered options and reports where it stands', () => {
    expect(walk('UNDER_A_MINUTE')).toMatchObject({ state: 'waitAMinute', done: false });
    expect(walk('UNDER_A_MINUTE', 'ARRIVED')).toMatchObject({ state: 'arrivedAfterWaiting', done: true });
    expect(walk.from('sendLoginLink', 'LINK_FAILED')).toMatchObject({ state: 'contactSupport', done: true });
  });

  it('throws on an event no step offers, naming the step and what it offers', () => {
    expect(() => walk('OVER_A_MINUTE', 'NOT_IN_SPAMM')).toThrow(
      'Cannot send "NOT_IN_SPAMM" at step "checkSpam" of participant-no-email (offered: FOUND_IN_SPAM, NOT_IN_SPAM): not an option here.',
    );
  });

  it('throws on an option of another step', () => {
    expect(() => walk('FOUND_IN_SPAM')).toThrow(/"FOUND_IN_SPAM" at step "howLongAgo"/);
    expect(() => walk.from('whyInSpam', 'LINK_WORKED')).toThrow(/not an option here/);
  });

  it('throws on any event once the flow has ended', () => {
    expect(() => walk('UNDER_A_MINUTE', 'ARRIVED', 'STILL_MISSING')).toThrow(/the flow has ended/);
  });

  it('takes a check result only at a check step, and CHECK never: the engine turns it into the result', () => {
    expect(walk(...TO_CHECK, checkResult()).state).toBe('spfVerified');
    expect(() => walk(...TO_CHECK, CHECK)).toThrow(/send the verdicts as CHECK_RESULT/);
    expect(() => walk('OVER_A_MINUTE', checkResult())).toThrow(/"CHECK_RESULT" at step "checkSpam".*not an option here/);
  });

  it('refuses a step that does not exist', () => {
    expect(() => walk.from('nowhere')).toThrow('participant-no-email has no step "nowhere".');
  });

  describe('on a machine whose meta and transitions disagree', () => {
    // Compiled documents derive options from transitions and cannot disagree; a hand-written machine can, and the
    // walker must not hide it.
    const odd = setup({ types: { meta: {} as StepMeta } }).createMachine({
      id: 'odd',
      initial: 'a',
      states: {
        a: { meta: { kind: 'question', options: [{ event: 'SHOWN_ONLY' }, { event: 'GO' }] }, on: { GO: 'b', HIDDEN: 'b' } },
        b: { type: 'final', meta: { kind: 'outcome', outcome: 'resolved' } },
      },
    });
    const oddWalk = walker(odd);

    it('throws on an option the step shows but the machine does not take', () => {
      expect(() => oddWalk('SHOWN_ONLY')).toThrow(/"SHOWN_ONLY" at step "a" of odd .*: the machine does not take it/);
    });

    it('throws on an event the machine takes but the step does not show', () => {
      expect(() => oddWalk('HIDDEN')).toThrow(/"HIDDEN" at step "a" of odd .*: not an option here/);
      expect(oddWalk('GO').state).toBe('b');
    });
  });
});
