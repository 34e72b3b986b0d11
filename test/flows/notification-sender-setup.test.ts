import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { notificationSenderSetup } from '../../flows/notification-sender-setup/index.ts';
import { facts } from '../../flows/notification-sender-setup/facts.ts';
import { LANGUAGES, loadResources } from '../../server/i18n/locales.ts';
import { stateMeta } from './walk.ts';

const { machine } = notificationSenderSetup;
const resources = loadResources();

/** Sends the events in order from the initial state and returns the state reached. */
function walk(...events: string[]) {
  let [snapshot] = initialTransition(machine);
  for (const type of events) [snapshot] = transition(machine, snapshot, { type });
  return snapshot;
}

const outcomeOf = (state: string) => stateMeta(machine, state).outcome;

describe('notification-sender-setup', () => {
  it('starts by asking what the person is setting up', () => {
    expect(walk().value).toBe('whatToSet');
  });

  it('offers the overview for a responsible person before bounding the repetition', () => {
    expect(walk('REPEAT_REMINDER', 'HAS_RESPONSIBLE').value).toBe('overviewForResponsible');
    const overview = walk('REPEAT_REMINDER', 'HAS_RESPONSIBLE', 'USE_OVERVIEW');
    expect(overview.value).toBe('overviewChosen');
    expect(outcomeOf('overviewChosen')).toBe('resolved');
    // Keeping the reminders, or having nobody responsible, leads to limiting the repetition to a defined period.
    expect(walk('REPEAT_REMINDER', 'HAS_RESPONSIBLE', 'KEEP_REMINDERS').value).toBe('limitRepeat');
    expect(walk('REPEAT_REMINDER', 'NO_RESPONSIBLE').value).toBe('limitRepeat');
    expect(walk('REPEAT_REMINDER', 'NO_RESPONSIBLE', 'DONE').status).toBe('done');
  });

  it('leads each sender situation to its own option', () => {
    expect(walk('SENDER_ADDRESS', 'NOREPLY').value).toBe('noReplySender');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN').value).toBe('ownDomainSender');
    expect(walk('SENDER_ADDRESS', 'OWN_SMTP').value).toBe('smtpAccess');
    expect(walk('SENDER_ADDRESS', 'PERSONAL_MAILBOX').value).toBe('unsuitableMailbox');
  });

  it('sends an existing SPF record to the merge step, a missing one to publishing a single record', () => {
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD').value).toBe('mergeSpfRecord');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD').value).toBe('publishSpfRecord');
    // Both SPF paths continue to the mailbox check: SPF alone is not enough for a customer address.
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD', 'MERGED').value).toBe('checkMailbox');
    expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'ADDED').value).toBe('checkMailbox');
  });

  it('does not call a customer address ready until it can receive mail', () => {
    const failed = walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'ADDED', 'TEST_FAILED');
    expect(failed.value).toBe('makeAddressReceive');
    expect(failed.status).toBe('active');
    const ready = walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'ADDED', 'TEST_ARRIVED');
    expect(ready.value).toBe('ownDomainReady');
    expect(outcomeOf('ownDomainReady')).toBe('resolved');
  });

  it('treats an SMTP service with low limits like a mailbox not meant for bulk sending', () => {
    expect(walk('SENDER_ADDRESS', 'OWN_SMTP', 'LIMITED_SERVICE').value).toBe('unsuitableMailbox');
    expect(walk('SENDER_ADDRESS', 'PERSONAL_MAILBOX', 'USE_NOREPLY').value).toBe('noReplySender');
    expect(walk('SENDER_ADDRESS', 'OWN_SMTP', 'HIGH_VOLUME_OK').value).toBe('smtpHandOver');
    expect(outcomeOf('smtpHandOver')).toBe('escalated');
  });

  describe('the live domain check', () => {
    const verdicts = (spf: string, mx = 'ok') => ({
      type: 'CHECK_RESULT',
      data: { spf: { status: spf }, mx: { status: mx }, dmarc: { status: 'ok' } },
    });
    /** The state a check result leads to, sent from the check step reached after merging the record. */
    const afterCheck = (spf: string, mx = 'ok') => {
      const atCheck = walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'HAS_SPF_RECORD', 'CHECK_NOW');
      expect(atCheck.value).toBe('checkDomainRecords');
      return String(transition(machine, atCheck, verdicts(spf, mx))[0].value);
    };

    it('is offered after publishing or merging the record, and looks for both train includes', () => {
      expect(walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW').value).toBe('checkDomainRecords');
      expect(stateMeta(machine, 'checkDomainRecords').check).toEqual({ type: 'email-domain', includes: facts.spfTrainIncludes });
    });

    it('sends a domain that cannot receive mail to the MX step first, whatever its SPF says', () => {
      expect(afterCheck('ok', 'missing')).toBe('mxRecordMissing');
      expect(afterCheck('ok', 'null_mx')).toBe('mxRecordMissing');
      expect(afterCheck('include_missing', 'missing')).toBe('mxRecordMissing');
    });

    it('routes the SPF verdicts: ok to the test email, gaps to the record shown, broken records to repair', () => {
      expect(afterCheck('ok')).toBe('checkMailbox');
      for (const spf of ['include_missing', 'missing', 'multiple']) expect(afterCheck(spf)).toBe('publishSuggestedRecord');
      for (const spf of ['too_many_lookups', 'invalid']) expect(afterCheck(spf)).toBe('spfRecordBroken');
      expect(afterCheck('error', 'error')).toBe('checkUnavailable');
    });

    it('ends every way out of the check at the test email, so the 550 rule is never skipped', () => {
      const atCheck = walk('SENDER_ADDRESS', 'OWN_DOMAIN', 'NO_SPF_RECORD', 'CHECK_NOW');
      expect(transition(machine, atCheck, { type: 'SKIP_CHECK' })[0].value).toBe('checkMailbox');
      const next = (state: string, event: string) => machine.states[state]!.config.on![event];
      expect(next('mxRecordMissing', 'FIXED')).toBe('checkMailbox');
      expect(next('publishSuggestedRecord', 'PUBLISHED')).toBe('checkMailbox');
      expect(next('spfRecordBroken', 'FIXED')).toBe('checkMailbox');
      expect(next('checkUnavailable', 'CARRY_ON')).toBe('checkMailbox');
    });
  });

  /** The `include:` terms of an SPF record or zone line, in order. */
  const includesOf = (text: string) => text.match(/include:\S+?(?=[\s"]|$)/g) ?? [];

  it('keeps the article\'s two train lines as shown, each a record of its own for the same domain', () => {
    expect(facts.spfArticleZoneLines).toHaveLength(2);
    facts.spfArticleZoneLines.forEach((line, i) => {
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
    const ns = resources[lng]['notification-sender-setup'] as Record<string, { body: string; body_agent: string }>;
    for (const key of ['body', 'body_agent'] as const) {
      expect(ns.mergeSpfRecord![key]).toContain('{{facts.spfMergedExample}}');
      expect(ns.mergeSpfRecord![key]).toContain('{{facts.spfTrainIncludes}}');
      expect(ns.publishSpfRecord![key]).toContain('{{facts.spfArticleZoneLines}}');
      expect(ns.publishSpfRecord![key]).toContain('{{facts.spfMergedZoneLine}}');
      expect(ns.publishSpfRecord![key]).toContain('{{facts.spfIlearnZoneLine}}');
    }
  });
});
