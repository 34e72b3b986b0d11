import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { builtinGuide } from '../fixtures/documents.ts';
import { checkResult, stateMeta, walker, bounceResult } from '../support/walk.ts';
import type { CheckVerdicts, SpfStatus } from '../../flows/types.ts';

const { machine, facts, texts } = builtinGuide('survey-emails-blocked');
const walk = walker(machine);
const outcomeOf = (state: string) => stateMeta(machine, state).outcome;

/** Runs the live check of the company domain at a server's check step and returns the state it leads to. */
function checked(server: 'AZURE' | 'DACH', spf: SpfStatus, mx: CheckVerdicts['mx']['status'] = 'ok') {
  return walk('SHOW_STEPS', 'TLS_ENABLED', server, 'CHECK_NOW', checkResult({ spf, mx })).state;
}

describe('survey-emails-blocked flow', () => {
  it('starts with why the emails are stopped, and can end there for someone who only wants the reason', () => {
    expect(walk().state).toBe('whyBlocked');
    const s = walk('THAT_EXPLAINS_IT');
    expect(s.state).toBe('causeExplained');
    expect(s.done).toBe(true);
    expect(outcomeOf('causeExplained')).toBe('informational');
  });

  it('checks TLS on the incoming server before anything else, and hands on if IT cannot help', () => {
    expect(walk('SHOW_STEPS').state).toBe('checkTls');
    expect(walk('SHOW_STEPS', 'NEED_HELP').state).toBe('contactSupport');
    expect(outcomeOf('contactSupport')).toBe('escalated');
  });

  it('leads "I don\'t know" about TLS to how to find out, and from there on to the SPF part', () => {
    expect(walk('SHOW_STEPS', 'TLS_UNKNOWN').state).toBe('findOutTls');
    expect(walk('SHOW_STEPS', 'TLS_UNKNOWN', 'TLS_ENABLED').state).toBe('whichServer');
    expect(walk('SHOW_STEPS', 'TLS_UNKNOWN', 'NEED_HELP').state).toBe('contactSupport');
    for (const lng of LANGUAGES) expect((texts[lng] as Record<string, any>).findOutTls.body).toContain('{{facts.tlsName}}');
  });

  it('leads each hosting server to its own SPF include', () => {
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE').state).toBe('addSpfAzure');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH').state).toBe('addSpfDach');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'NEITHER').state).toBe('contactSupport');
  });

  it('ends resolved only where the check found the include, with DKIM keys added where the organisation uses DKIM', () => {
    const verified = (server: 'AZURE' | 'DACH') => ['SHOW_STEPS', 'TLS_ENABLED', server, 'CHECK_NOW', checkResult({ spf: 'ok' })];
    expect(walk(...verified('AZURE'), 'NO_DKIM').state).toBe('senderAuthorised');
    expect(walk(...verified('DACH'), 'USES_DKIM', 'KEYS_ADDED').state).toBe('senderAuthorised');
    expect(outcomeOf('senderAuthorised')).toBe('resolved');
  });

  it('ends informational where nothing checked the SPF record: updated by hand, skipped, or the IP list', () => {
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE', 'SPF_UPDATED', 'NO_DKIM').state).toBe('senderNotConfirmed');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH', 'SPF_UPDATED', 'USES_DKIM', 'KEYS_ADDED').state).toBe('senderNotConfirmed');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE', 'CHECK_NOW', 'SKIP_CHECK', 'NO_DKIM').state).toBe('senderNotConfirmed');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH', 'USE_IPS', 'IPS_ADDED', 'NO_DKIM').state).toBe('senderNotConfirmed');
    expect(outcomeOf('senderNotConfirmed')).toBe('informational');
  });

  it('offers the IP list as an alternative to the include, still followed by DKIM', () => {
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE', 'USE_IPS').state).toBe('ipAllowList');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH', 'USE_IPS', 'IPS_ADDED').state).toBe('dkimCheck');
  });

  it('treats the neutral sender as a workaround, and explains that replies need the own address with SPF', () => {
    const dach = walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH', 'NO_DNS_CHANGE');
    expect(dach.state).toBe('neutralSenderDach');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH', 'NO_DNS_CHANGE', 'SWITCHED').state).toBe('neutralSenderInUse');
    expect(outcomeOf('neutralSenderInUse')).toBe('workaround');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE', 'NO_DNS_CHANGE', 'NEED_REPLIES').state).toBe('repliesNeedOwnDomain');
    expect(outcomeOf('repliesNeedOwnDomain')).toBe('informational');
  });
});

describe('survey-emails-blocked domain check', () => {
  it('checks the company domain for the include of the account\'s own server', () => {
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE', 'CHECK_NOW').state).toBe('checkSpfAzure');
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'DACH', 'CHECK_NOW').state).toBe('checkSpfDach');
    expect(stateMeta(machine, 'checkSpfAzure').check?.includes).toEqual([facts.azureSpfInclude]);
    expect(stateMeta(machine, 'checkSpfDach').check?.includes).toEqual([facts.dachSpfInclude]);
  });

  it.each(['AZURE', 'DACH'] as const)('routes each verdict on %s', (server) => {
    expect(checked(server, 'ok')).toBe('dkimCheckVerified');
    expect(checked(server, 'ok', 'missing')).toBe('dkimCheckVerified');
    for (const spf of ['include_missing', 'missing', 'multiple'] as const) expect(checked(server, spf)).toBe('publishSuggestedRecord');
    for (const spf of ['too_many_lookups', 'invalid'] as const) expect(checked(server, spf)).toBe('spfRecordBroken');
    const unavailable = server === 'AZURE' ? 'checkUnavailableAzure' : 'checkUnavailableDach';
    expect(checked(server, 'error', 'error')).toBe(unavailable);
  });

  it.each([
    ['AZURE', 'checkUnavailableAzure', 'checkSpfAzure'],
    ['DACH', 'checkUnavailableDach', 'checkSpfDach'],
  ] as const)('runs the check again from "could not check" on %s, at the same server', (server, unavailable, check) => {
    const failed = ['SHOW_STEPS', 'TLS_ENABLED', server, 'CHECK_NOW', checkResult({ spf: 'error', mx: 'error' })];
    expect(walk(...failed).state).toBe(unavailable);
    expect(walk(...failed, 'TRY_AGAIN').state).toBe(check);
    expect(walk(...failed, 'TRY_AGAIN', checkResult({ spf: 'ok' })).state).toBe('dkimCheckVerified');
  });

  it('goes on to DKIM after publishing, repairing, a failed lookup or a skipped check', () => {
    expect(walk('SHOW_STEPS', 'TLS_ENABLED', 'AZURE', 'CHECK_NOW', 'SKIP_CHECK').state).toBe('dkimCheck');
    const from = (state: string, type: string) => walk.from(state, type).state;
    expect(from('publishSuggestedRecord', 'PUBLISHED')).toBe('dkimCheck');
    expect(from('spfRecordBroken', 'FIXED')).toBe('dkimCheck');
    const unavailable = ['checkUnavailableAzure', 'checkUnavailableDach'];
    for (const state of unavailable) expect(from(state, 'CARRY_ON')).toBe('dkimCheck');
    for (const state of ['publishSuggestedRecord', 'spfRecordBroken', ...unavailable]) expect(from(state, 'NEED_HELP')).toBe('contactSupport');
  });
});

describe('survey-emails-blocked facts', () => {
  const spfRecords = [facts.spfMergedAzure, facts.spfMergedDach, facts.spfMergedIps];

  it('ties each SPF include and neutral sender to the web address of its server', () => {
    expect(facts.azureSpfInclude).toBe(`include:_spf.${facts.azureWebDomain}`);
    expect(facts.dachSpfInclude).toBe(`include:_spf.${facts.dachWebDomain}`);
    expect(facts.azureSender.endsWith(`@${facts.azureWebDomain}`)).toBe(true);
    expect(facts.dachSender.endsWith(`@${facts.dachWebDomain}`)).toBe(true);
  });

  it('merges into the one existing SPF record, before its all term', () => {
    for (const record of spfRecords) {
      expect(record.match(/v=spf1/g)).toHaveLength(1);
      expect(record.startsWith(facts.spfExistingExample.replace(/ \S+$/, ''))).toBe(true);
      expect(record.split(' ').at(-1)).toBe(facts.spfExistingExample.split(' ').at(-1));
    }
    expect(facts.spfMergedAzure).toContain(` ${facts.azureSpfInclude} `);
    expect(facts.spfMergedDach).toContain(` ${facts.dachSpfInclude} `);
    for (const ip of facts.mailServerIps) expect(facts.spfMergedIps).toContain(` ip4:${ip} `);
  });

  it('lists the four mail server IPs', () => {
    expect(facts.mailServerIps).toHaveLength(4);
    for (const ip of facts.mailServerIps) expect(ip).toMatch(/^(\d{1,3}\.){3}\d{1,3}$/);
  });

  it('shows each server only its own include and merged record, in every language', () => {
    for (const ns of Object.values(texts) as Record<string, any>[]) {
      expect(JSON.stringify(ns.addSpfAzure)).toContain('{{facts.azureSpfInclude}}');
      expect(JSON.stringify(ns.addSpfAzure)).not.toMatch(/facts\.(dachSpfInclude|spfMergedDach)/);
      expect(JSON.stringify(ns.addSpfDach)).toContain('{{facts.dachSpfInclude}}');
      expect(JSON.stringify(ns.addSpfDach)).not.toMatch(/facts\.(azureSpfInclude|spfMergedAzure)/);
      expect(JSON.stringify(ns.checkSpfAzure)).toContain('{{facts.azureSpfInclude}}');
      expect(JSON.stringify(ns.checkSpfAzure)).not.toMatch(/facts\.dach/);
      expect(JSON.stringify(ns.checkSpfDach)).toContain('{{facts.dachSpfInclude}}');
      expect(JSON.stringify(ns.checkSpfDach)).not.toMatch(/facts\.azure/);
    }
  });

  describe('a survey email that came back', () => {
    it.each([
      ['spf', 'whichServer'],
      ['dmarc', 'whichServer'],
      ['no_such_user', 'bounceNotFilter'],
      ['mailbox_full', 'bounceNotFilter'],
      ['temporary', 'bounceNotFilter'],
      ['policy', 'checkTls'],
      ['other', 'checkTls'],
    ] as const)('%s → %s', (category, step) => {
      expect(walk('GOT_BOUNCE', bounceResult(category)).state).toBe(step);
    });

    it('can be skipped for the settings', () => {
      expect(walk('GOT_BOUNCE').state).toBe('readBounce');
      expect(walk('GOT_BOUNCE', 'SKIP_BOUNCE').state).toBe('checkTls');
    });
  });
});
