import { describe, expect, it } from 'vitest';
import { CHECK, type SpfStatus } from '../../flows/types.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { builtinGuide } from '../fixtures/documents.ts';
import { checkResult, stateMeta, walker } from '../support/walk.ts';

const { machine, facts, texts: documentTexts } = builtinGuide('participant-no-email');
const walk = walker(machine);
const outcomeOf = (state: string) => stateMeta(machine, state).outcome;

/*
 * Every answer of every step and where the article sends it. The list is complete on purpose (a test below holds
 * it equal to the machine's options), so a new or removed option has to be decided here too.
 */
const BRANCHES: [from: string, answer: string, to: string][] = [
  ['howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'],
  ['howLongAgo', 'OVER_A_MINUTE', 'checkSpam'],
  ['waitAMinute', 'ARRIVED', 'arrivedAfterWaiting'],
  ['waitAMinute', 'STILL_MISSING', 'checkSpam'],
  ['checkSpam', 'FOUND_IN_SPAM', 'whyInSpam'],
  ['checkSpam', 'NOT_IN_SPAM', 'sendLoginLink'],
  ['whyInSpam', 'MARKED_SIMILAR_AS_SPAM', 'markedAsSpamBefore'],
  ['whyInSpam', 'SEVERAL_LINKS', 'linksToManySites'],
  ['whyInSpam', 'MANY_AT_ONCE', 'allowList'],
  ['whyInSpam', 'NOT_SURE', 'allowList'],
  ['sendLoginLink', 'LINK_WORKED', 'preventRepeat'],
  ['sendLoginLink', 'LINK_FAILED', 'contactSupport'],
  ['preventRepeat', 'PREVENT', 'allowList'],
  ['preventRepeat', 'DONE', 'loginLinkWorkaround'],
  ['allowList', 'NO_CUSTOM_DOMAIN', 'allowListDone'],
  ['allowList', 'CUSTOM_DOMAIN', 'addSpfRecord'],
  ['addSpfRecord', 'NO_SPF_YET', 'spfRecordAdded'],
  ['addSpfRecord', 'HAS_SPF_ALREADY', 'mergeSpfRecord'],
  ['addSpfRecord', 'CHECK_NOW', 'checkSpf'],
  ['addSpfRecord', 'NEED_HELP', 'contactSupport'],
  ['mergeSpfRecord', 'MERGED', 'spfRecordAdded'],
  ['mergeSpfRecord', 'CHECK_NOW', 'checkSpf'],
  ['mergeSpfRecord', 'NEED_HELP', 'contactSupport'],
  ['checkSpf', 'SKIP_CHECK', 'spfRecordAdded'],
  ['publishSuggestedRecord', 'PUBLISHED', 'spfRecordAdded'],
  ['publishSuggestedRecord', 'NEED_HELP', 'contactSupport'],
  ['spfRecordBroken', 'FIXED', 'spfRecordAdded'],
  ['spfRecordBroken', 'NEED_HELP', 'contactSupport'],
  ['checkUnavailable', 'TRY_AGAIN', 'checkSpf'],
  ['checkUnavailable', 'ADDED_ANYWAY', 'spfRecordAdded'],
  ['checkUnavailable', 'NEED_HELP', 'contactSupport'],
];

/** How each ending closes the session. */
const OUTCOMES: [state: string, outcome: string][] = [
  ['arrivedAfterWaiting', 'resolved'],
  ['markedAsSpamBefore', 'resolved'],
  ['linksToManySites', 'resolved'],
  ['allowListDone', 'resolved'],
  // Reached without a check that found the include: nothing this guide verified, so nothing it can call solved.
  ['spfRecordAdded', 'informational'],
  ['spfVerified', 'resolved'],
  ['loginLinkWorkaround', 'workaround'],
  ['contactSupport', 'escalated'],
];

const TO_SPF = ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_WORKED', 'PREVENT', 'CUSTOM_DOMAIN'];

describe('participant-no-email', () => {
  it('starts by asking how long ago the email was sent', () => {
    expect(walk()).toMatchObject({ state: 'howLongAgo', done: false });
  });

  it.each(BRANCHES)('leads %s, answered %s, to %s', (from, answer, to) => {
    expect(walk.from(from, answer).state).toBe(to);
  });

  it('lists every option of every step in the branches above', () => {
    const offered = Object.keys(machine.states).flatMap((state) =>
      (stateMeta(machine, state).options ?? []).filter((o) => o.event !== CHECK).map((o) => `${state}/${o.event}`),
    );
    expect(BRANCHES.map(([from, answer]) => `${from}/${answer}`).sort()).toEqual(offered.sort());
  });

  it.each(OUTCOMES)('ends at %s as %s', (state, outcome) => {
    expect(walk.from(state).done).toBe(true);
    expect(outcomeOf(state)).toBe(outcome);
  });

  it('has no ending left out of the outcomes above', () => {
    const endings = Object.keys(machine.states).filter((s) => machine.states[s]!.type === 'final');
    expect(OUTCOMES.map(([s]) => s).sort()).toEqual(endings.sort());
  });

  it.each([
    ['it arrives after the normal delivery time', ['UNDER_A_MINUTE', 'ARRIVED'], 'arrivedAfterWaiting'],
    ['it was in spam because of earlier spam reports', ['OVER_A_MINUTE', 'FOUND_IN_SPAM', 'MARKED_SIMILAR_AS_SPAM'], 'markedAsSpamBefore'],
    ['the login link got them in and that is enough', ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_WORKED', 'DONE'], 'loginLinkWorkaround'],
    ['not even the login link works', ['UNDER_A_MINUTE', 'STILL_MISSING', 'NOT_IN_SPAM', 'LINK_FAILED'], 'contactSupport'],
    ['the standard sender is allow-listed', ['OVER_A_MINUTE', 'FOUND_IN_SPAM', 'NOT_SURE', 'NO_CUSTOM_DOMAIN'], 'allowListDone'],
    ['the SPF record was added', [...TO_SPF, 'NO_SPF_YET'], 'spfRecordAdded'],
    ['an existing SPF record was merged', [...TO_SPF, 'HAS_SPF_ALREADY', 'MERGED'], 'spfRecordAdded'],
    ['the live check finds the include', [...TO_SPF, 'CHECK_NOW', checkResult({ spf: 'ok' })], 'spfVerified'],
  ] as const)('ends the story where %s', (_story, events, end) => {
    expect(walk(...events)).toMatchObject({ state: end, done: true });
  });

  describe('the live SPF check', () => {
    const atCheck = [...TO_SPF, 'HAS_SPF_ALREADY', 'CHECK_NOW'];

    it('is offered before and after merging, and looks for the include the article asks for', () => {
      expect(walk(...TO_SPF, 'CHECK_NOW').state).toBe('checkSpf');
      expect(walk(...atCheck).state).toBe('checkSpf');
      expect(stateMeta(machine, 'checkSpf').check).toEqual({ type: 'email-domain', includes: [facts.spfInclude] });
    });

    it.each([
      ['ok', 'spfVerified'],
      ['missing', 'publishSuggestedRecord'],
      ['include_missing', 'publishSuggestedRecord'],
      ['multiple', 'publishSuggestedRecord'],
      ['too_many_lookups', 'spfRecordBroken'],
      ['invalid', 'spfRecordBroken'],
      ['error', 'checkUnavailable'],
    ] satisfies [SpfStatus, string][])('sends SPF %s to %s', (spf, to) => {
      expect(walk(...atCheck, checkResult({ spf })).state).toBe(to);
    });

    it('runs the check again from "could not check", and goes on from there with the new answer', () => {
      const unavailable = [...atCheck, checkResult({ spf: 'error' })];
      expect(walk(...unavailable, 'TRY_AGAIN').state).toBe('checkSpf');
      expect(walk(...unavailable, 'TRY_AGAIN', checkResult({ spf: 'ok' }))).toMatchObject({ state: 'spfVerified', done: true });
    });

    it('branches on SPF alone: MX and DMARC findings do not change where the check leads', () => {
      expect(walk(...atCheck, checkResult({ mx: 'missing', dmarc: 'none_policy' })).state).toBe('spfVerified');
      expect(walk(...atCheck, checkResult({ spf: 'missing', mx: 'null_mx', dmarc: 'invalid' })).state).toBe('publishSuggestedRecord');
    });
  });

  describe('facts', () => {
    it('builds the records from the include, so the check, the record and the merge example agree', () => {
      expect(facts.spfRecord).toBe(`v=spf1 ${facts.spfInclude} ~all`);
      expect(facts.spfBindLine).toBe(`${facts.customDomainExample}. TXT "${facts.spfRecord}"`);
      // A merged record is still one record: one version tag, the include once, before the one `all` term.
      expect(facts.spfMergedExample.match(/v=spf1/g)).toHaveLength(1);
      expect(facts.spfMergedExample.split(facts.spfInclude)).toHaveLength(2);
      expect(facts.spfMergedExample).toMatch(new RegExp(` ${facts.spfInclude} ~all$`));
    });

    const texts = (lng: (typeof LANGUAGES)[number], state: string) => {
      const step = (documentTexts[lng] as unknown as Record<string, { body: string; body_agent: string }>)[state]!;
      return [step.body, step.body_agent];
    };

    it.each(LANGUAGES)('puts the senders to allow-list and the SPF records where they are needed, in %s', (lng) => {
      for (const text of texts(lng, 'allowList'))
        for (const fact of ['defaultSender', 'calendarSenderIreland', 'calendarSenderSweden']) expect(text).toContain(`{{facts.${fact}}}`);
      for (const text of texts(lng, 'addSpfRecord')) {
        expect(text).toContain('{{facts.spfBindLine}}');
        expect(text).toContain('{{facts.spfRecord}}');
      }
      for (const text of texts(lng, 'mergeSpfRecord')) {
        expect(text).toContain('{{facts.spfInclude}}');
        expect(text).toContain('{{facts.spfMergedExample}}');
      }
      for (const text of texts(lng, 'checkSpf')) expect(text).toContain('{{facts.spfInclude}}');
      for (const text of [...texts(lng, 'howLongAgo'), ...texts(lng, 'waitAMinute')]) expect(text).toContain('{{facts.deliveryMinutes}}');
      for (const text of texts(lng, 'sendLoginLink'))
        for (const fact of ['participantsTab', 'actionsMenu', 'getLinkItem']) expect(text).toContain(`{{facts.${fact}}}`);
    });
  });
});

describe("Learnifier's default sender", () => {
  it('is shown as the pattern it is, with an example address, and resolved once the domain is checked', () => {
    const { texts: all } = builtinGuide('participant-no-email');
    for (const lng of ['sv', 'no', 'de', 'en'] as const) {
      for (const key of ['body', 'body_agent'] as const) {
        expect(all[lng].allowList![key], `${lng} ${key}`).toContain('{{facts.defaultSender}}. ');
        expect(all[lng].allowList![key], `${lng} ${key}`).toContain('{{facts.defaultSenderLocalPart}}@{{facts.customDomainExample}}');
        expect(all[lng].spfVerified![key], `${lng} ${key}`).toContain('`{{facts.defaultSenderLocalPart}}@{{session.domain}}`');
      }
    }
    const { facts: f } = builtinGuide('participant-no-email');
    expect(f.defaultSender).toBe(`${f.defaultSenderLocalPart}@yourdomain`);
  });
});
