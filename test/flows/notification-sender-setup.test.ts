import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { builtinGuide } from '../fixtures/documents.ts';
import { checkResult, stateMeta, walker } from '../support/walk.ts';

const { machine, facts, texts } = builtinGuide('notification-sender-setup');

const walk = walker(machine);

const outcomeOf = (state: string) => stateMeta(machine, state).outcome;

describe('notification-sender-setup', () => {
  it('starts by asking what the person is setting up', () => {
    expect(walk().state).toBe('whatToSet');
  });

  it('offers the overview for a responsible person before bounding the repetition', () => {
    expect(walk('REPEAT_REMINDER', 'HAS_RESPONSIBLE').state).toBe('overviewForResponsible');
    const overview = walk('REPEAT_REMINDER', 'HAS_RESPONSIBLE', 'USE_OVERVIEW');
    expect(overview.state).toBe('overviewChosen');
    expect(outcomeOf('overviewChosen')).toBe('resolved');
    // Keeping the reminders, or having nobody responsible, leads to limiting the repetition to a defined period.
    expect(walk('REPEAT_REMINDER', 'HAS_RESPONSIBLE', 'KEEP_REMINDERS').state).toBe('limitRepeat');
    expect(walk('REPEAT_REMINDER', 'NO_RESPONSIBLE').state).toBe('limitRepeat');
    expect(walk('REPEAT_REMINDER', 'NO_RESPONSIBLE', 'DONE').done).toBe(true);
  });

  it('leads each sender situation to its own option', () => {
    expect(walk('SENDER_ADDRESS', 'NOREPLY').state).toBe('noReplySender');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN').state).toBe('ownDomainSender');
    expect(walk('SENDER_ADDRESS', 'OWN_SMTP').state).toBe('smtpAccess');
    expect(walk('SENDER_ADDRESS', 'PERSONAL_MAILBOX').state).toBe('unsuitableMailbox');
  });

  it('sends an existing SPF record to the merge step, a missing one to publishing a single record', () => {
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD').state).toBe('mergeSpfRecord');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD').state).toBe('publishSpfRecord');
    // Both SPF paths continue to the mailbox check: SPF alone is not enough for a customer address.
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD', 'MERGED').state).toBe('checkMailbox');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'ADDED').state).toBe('checkMailbox');
  });

  it('does not call a customer address ready until it can receive mail', () => {
    const failed = walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'ADDED', 'TEST_FAILED');
    expect(failed.state).toBe('makeAddressReceive');
    expect(failed.done).toBe(false);
    const checked = ['SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW', 'TRAIN', checkResult({ spf: 'ok' })];
    expect(walk(...checked, 'TEST_FAILED')).toMatchObject({ state: 'makeAddressReceiveVerified', done: false });
    expect(walk(...checked, 'TEST_ARRIVED').state).toBe('ownDomainReady');
    expect(walk(...checked, 'TEST_FAILED', 'FIXED').state).toBe('ownDomainReady');
    expect(outcomeOf('ownDomainReady')).toBe('resolved');
  });

  it('calls an address ready only after the check found the SPF record; a record nobody checked is informational', () => {
    const unchecked = walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'ADDED', 'TEST_ARRIVED');
    expect(unchecked.state).toBe('ownDomainUnchecked');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD', 'MERGED', 'TEST_FAILED', 'FIXED').state).toBe('ownDomainUnchecked');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW', 'TRAIN', 'SKIP_CHECK', 'TEST_ARRIVED').state).toBe('ownDomainUnchecked');
    expect(outcomeOf('ownDomainUnchecked')).toBe('informational');
  });

  it('treats an SMTP service with low limits like a mailbox not meant for bulk sending', () => {
    expect(walk('SENDER_ADDRESS', 'OWN_SMTP', 'LIMITED_SERVICE').state).toBe('unsuitableMailbox');
    expect(walk('SENDER_ADDRESS', 'PERSONAL_MAILBOX', 'USE_NOREPLY').state).toBe('noReplySender');
    expect(walk('SENDER_ADDRESS', 'OWN_SMTP', 'HIGH_VOLUME_OK').state).toBe('smtpHandOver');
    expect(outcomeOf('smtpHandOver')).toBe('escalated');
  });

  describe('the live domain check', () => {
    type Verdicts = Parameters<typeof checkResult>[0] & {};
    /** The state a check result leads to, sent from the check step reached after merging the record. */
    const afterCheck = (spf: Verdicts['spf'], mx: Verdicts['mx'] = 'ok') => {
      const atCheck = ['SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD', 'CHECK_NOW', 'TRAIN'];
      expect(walk(...atCheck).state).toBe('checkDomainRecords');
      return walk(...atCheck, checkResult({ spf, mx })).state;
    };

    it('is offered after publishing or merging the record, and asks first which platform sends', () => {
      expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW').state).toBe('whichPlatform');
      expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD', 'CHECK_NOW').state).toBe('whichPlatform');
    });

    it('expects what the article expects for each platform: both train includes, or the ilearn24.net one instead', () => {
      expect(walk.from('whichPlatform', 'TRAIN').state).toBe('checkDomainRecords');
      expect(stateMeta(machine, 'checkDomainRecords').check).toEqual({ type: 'email-domain', includes: facts.spfTrainIncludes });
      expect(walk.from('whichPlatform', 'ILEARN').state).toBe('checkIlearnRecords');
      expect(stateMeta(machine, 'checkIlearnRecords').check).toEqual({ type: 'email-domain', includes: [facts.spfIlearnInclude] });
    });

    it('routes the ilearn24.net check like the train check, to steps that name only its include', () => {
      const after = (spf: Verdicts['spf'], mx: Verdicts['mx'] = 'ok') => walk.from('checkIlearnRecords', checkResult({ spf, mx })).state;
      expect(after('ok', 'missing')).toBe('mxRecordMissing');
      expect(after('ok')).toBe('checkMailboxVerified');
      for (const spf of ['include_missing', 'missing', 'multiple'] as const) expect(after(spf)).toBe('publishSuggestedIlearn');
      for (const spf of ['too_many_lookups', 'invalid'] as const) expect(after(spf)).toBe('spfRecordBrokenIlearn');
      expect(after('error', 'error')).toBe('checkUnavailableIlearn');
      expect(walk.from('checkUnavailableIlearn', 'TRY_AGAIN').state).toBe('checkIlearnRecords');
      expect(walk.from('checkIlearnRecords', 'SKIP_CHECK').state).toBe('checkMailbox');
      expect(walk.from('publishSuggestedIlearn', 'PUBLISHED').state).toBe('checkMailbox');
      expect(walk.from('spfRecordBrokenIlearn', 'FIXED').state).toBe('checkMailbox');
      for (const lng of ['sv', 'no', 'de', 'en'] as const)
        for (const step of ['checkIlearnRecords', 'publishSuggestedIlearn', 'spfRecordBrokenIlearn']) {
          expect(texts[lng][step]!.body, `${lng} ${step}`).toContain('{{facts.spfIlearnInclude}}');
          expect(texts[lng][step]!.body, `${lng} ${step}`).not.toContain('spfTrainIncludes');
        }
    });

    it('says what the article says: two lines for train, ilearn24.net as the alternative, not two services to authorise', () => {
      for (const lng of ['sv', 'no', 'de', 'en'] as const) {
        const all = JSON.stringify(texts[lng]);
        expect(all, lng).not.toMatch(/two services|två tjänster|to tjenester|zwei Dienste|beiden Dienste|both services|båda tjänsterna|begge tjenestene/);
        expect(texts[lng].publishSpfRecord!.body, lng).toContain('{{facts.spfIlearnZoneLine}}');
      }
    });

    it('sends a domain that cannot receive mail to the MX step first, whatever its SPF says', () => {
      expect(afterCheck('ok', 'missing')).toBe('mxRecordMissing');
      expect(afterCheck('ok', 'null_mx')).toBe('mxRecordMissing');
      expect(afterCheck('include_missing', 'missing')).toBe('mxRecordMissing');
    });

    it('routes the SPF verdicts: ok to the test email, gaps to the record shown, broken records to repair', () => {
      expect(afterCheck('ok')).toBe('checkMailboxVerified');
      for (const spf of ['include_missing', 'missing', 'multiple'] as const) expect(afterCheck(spf)).toBe('publishSuggestedRecord');
      for (const spf of ['too_many_lookups', 'invalid'] as const) expect(afterCheck(spf)).toBe('spfRecordBroken');
      expect(afterCheck('error', 'error')).toBe('checkUnavailable');
    });

    it('ends every way out of the check at the test email, so the 550 rule is never skipped', () => {
      expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW', 'TRAIN', 'SKIP_CHECK').state).toBe('checkMailbox');
      const next = (state: string, event: string) => walk.from(state, event).state;
      expect(next('mxRecordMissing', 'FIXED')).toBe('checkMailbox');
      expect(next('publishSuggestedRecord', 'PUBLISHED')).toBe('checkMailbox');
      expect(next('spfRecordBroken', 'FIXED')).toBe('checkMailbox');
      expect(next('checkUnavailable', 'CARRY_ON')).toBe('checkMailbox');
    });

    it('runs the check again from "could not check"', () => {
      const unavailable = ['SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW', 'TRAIN', checkResult({ spf: 'error', mx: 'error' })];
      expect(walk(...unavailable).state).toBe('checkUnavailable');
      expect(walk(...unavailable, 'TRY_AGAIN').state).toBe('checkDomainRecords');
      expect(walk(...unavailable, 'TRY_AGAIN', checkResult({ spf: 'ok' })).state).toBe('checkMailboxVerified');
    });
  });

  /** The `include:` terms of an SPF record or zone line, in order. */
  const includesOf = (text: string) => text.match(/include:\S+?(?=[\s"]|$)/g) ?? [];

  it('keeps the article\'s two train lines as shown, each a record of its own for the same domain', () => {
    expect(facts.spfArticleZoneLines).toHaveLength(2);
    facts.spfArticleZoneLines.forEach((line: string, i: number) => {
      expect(line).toBe(`@ IN TXT "${facts.spfVersionTag} a mx ${facts.spfTrainIncludes[i]} ~all"`);
    });
    expect(facts.spfIlearnZoneLine).toBe(`@ IN TXT "${facts.spfVersionTag} a mx ${facts.spfIlearnInclude} ~all"`);
  });

  it('merges both train includes into a single SPF record, each exactly once', () => {
    const merged = facts.spfMergedRecord;
    // One record: the version tag once, at the start, and one `all` term, at the end.
    expect(merged.startsWith(`${facts.spfVersionTag} `)).toBe(true);
    expect(merged.split(facts.spfVersionTag)).toHaveLength(2);
    expect(merged.match(/[-~?+]?all\b/g)).toEqual(['~all']);
    expect(merged.endsWith(' ~all')).toBe(true);
    // Every include of the article's two lines, each exactly once, and nothing else included.
    const articleIncludes = facts.spfArticleZoneLines.flatMap(includesOf);
    expect(articleIncludes).toEqual([...facts.spfTrainIncludes]);
    for (const include of articleIncludes) expect(merged.split(` ${include} `)).toHaveLength(2);
    expect(includesOf(merged)).toEqual(articleIncludes);
    expect(merged).not.toContain(facts.spfIlearnInclude);
    expect(facts.spfMergedZoneLine).toBe(`@ IN TXT "${merged}"`);
  });

  it('merges both includes into an existing record before its own `all` term', () => {
    const merged = facts.spfMergedExample;
    expect(merged.split(facts.spfVersionTag)).toHaveLength(2);
    expect(merged.startsWith(facts.spfExistingExample.replace(/ -all$/, ' '))).toBe(true);
    expect(merged.endsWith(` ${facts.spfTrainIncludes.join(' ')} -all`)).toBe(true);
    for (const include of facts.spfTrainIncludes) expect(merged.split(include)).toHaveLength(2);
  });

  it.each(LANGUAGES)('shows the merged records and the one-record rule in %s', (lng) => {
    const ns = texts[lng] as unknown as Record<string, { body: string; body_agent: string }>;
    for (const key of ['body', 'body_agent'] as const) {
      expect(ns.mergeSpfRecord![key]).toContain('{{facts.spfMergedExample}}');
      expect(ns.mergeSpfRecord![key]).toContain('{{facts.spfTrainIncludes}}');
      expect(ns.publishSpfRecord![key]).toContain('{{facts.spfArticleZoneLines}}');
      expect(ns.publishSpfRecord![key]).toContain('{{facts.spfMergedZoneLine}}');
      expect(ns.publishSpfRecord![key]).toContain('{{facts.spfIlearnZoneLine}}');
    }
  });
});
