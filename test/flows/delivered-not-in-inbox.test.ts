import { describe, expect, it } from 'vitest';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { builtinFlow, builtinGuide } from '../fixtures/documents.ts';
import { checkResult, headersResult, stateMeta, walker } from '../support/walk.ts';

const { machine, facts } = builtinGuide('delivered-not-in-inbox');
const walk = walker(machine);
const outcome = (state: string) => stateMeta(machine, state).outcome;

/** Reaches the live domain check, then sends it a result with these verdicts; the rest are fine. */
function afterCheck(verdicts: Parameters<typeof checkResult>[0]) {
  const path = ['DELIVERED', 'FOUND_IN_JUNK', 'MOVED', 'FIRST_TIME', 'DOMAIN_CONNECTED', 'CHECK_NOW'];
  expect(walk(...path).state).toBe('checkSendingDomain');
  return walk(...path, checkResult(verdicts)).state;
}

describe('delivered-not-in-inbox', () => {
  it('starts by confirming delivery in the contact record', () => {
    expect(walk().state).toBe('checkDelivery');
  });

  it('treats an email that was not sent or not delivered as a different problem', () => {
    const end = walk('NOT_DELIVERED');
    expect(end).toMatchObject({ state: 'notDelivered', done: true });
    expect(outcome(end.state)).toBe('informational');
  });

  it('looks in the junk folder before the quarantine', () => {
    expect(walk('DELIVERED').state).toBe('checkJunk');
    expect(walk('DELIVERED', 'FOUND_IN_JUNK').state).toBe('moveToInbox');
    expect(walk('DELIVERED', 'NOT_IN_JUNK').state).toBe('checkQuarantine');
  });

  it('resolves a first-time miss found in junk once the email is moved', () => {
    const end = walk('DELIVERED', 'FOUND_IN_JUNK', 'MOVED', 'FIRST_TIME', 'SKIP');
    expect(end).toMatchObject({ state: 'emailFound', done: true });
    expect(outcome(end.state)).toBe('resolved');
  });

  it('escalates when the email is in neither junk nor quarantine', () => {
    const end = walk('DELIVERED', 'NOT_IN_JUNK', 'NOT_IN_QUARANTINE');
    expect(end).toMatchObject({ state: 'contactSupport', done: true });
    expect(outcome(end.state)).toBe('escalated');
  });

  it('gives a recipient with repeated problems the sending IPs, then the domain that fits', () => {
    const repeated = ['DELIVERED', 'NOT_IN_JUNK', 'FOUND_IN_QUARANTINE', 'REPEATEDLY', 'NEXT'];
    expect(walk(...repeated).state).toBe('copySendingIps');
    expect(walk(...repeated, 'DOMAIN_CONNECTED').state).toBe('giveOwnDomain');
    expect(walk(...repeated, 'NO_DOMAIN').state).toBe('giveSharedDomains');
    // Without a connected domain, the next advice is to connect one.
    expect(walk(...repeated, 'NO_DOMAIN', 'DONE').state).toBe('connectDomain');
  });

  it('sends free-tools-only accounts past the domain setup, but not past the shortened-links advice', () => {
    const path = ['DELIVERED', 'FOUND_IN_JUNK', 'MOVED', 'FIRST_TIME', 'NO_DOMAIN'];
    expect(walk(...path).state).toBe('connectDomain');
    expect(walk(...path, 'FREE_TOOLS_ONLY').state).toBe('shortLinks');
    expect(walk(...path, 'WILL_CONNECT').state).toBe('checkDomainSetup');
    expect(walk(...path, 'WILL_CONNECT', 'DONE', 'DONE')).toMatchObject({ state: 'bestPracticesDone', done: true });
  });

  it('offers the live check where the domain setup is checked, and lets the person skip it', () => {
    const setupPath = ['DELIVERED', 'FOUND_IN_JUNK', 'MOVED', 'FIRST_TIME', 'DOMAIN_CONNECTED'];
    expect(walk(...setupPath).state).toBe('checkDomainSetup');
    expect(walk(...setupPath, 'CHECK_NOW').state).toBe('checkSendingDomain');
    expect(stateMeta(machine, 'checkSendingDomain').check).toEqual({ type: 'email-domain', includes: [], dmarc: true });
    expect(walk(...setupPath, 'CHECK_NOW', 'SKIP_CHECK').state).toBe('shortLinks');
  });

  it('sends every SPF problem to the SPF fix, before any DMARC finding', () => {
    for (const spf of ['missing', 'multiple', 'too_many_lookups', 'invalid', 'include_missing'] as const)
      expect(afterCheck({ spf }), spf).toBe('fixSpfRecord');
    expect(afterCheck({ spf: 'multiple', dmarc: 'missing' })).toBe('fixSpfRecord');
  });

  it('routes DMARC findings: publish a record when missing or invalid, explain monitoring mode for p=none', () => {
    expect(afterCheck({ dmarc: 'missing' })).toBe('publishDmarc');
    expect(afterCheck({ dmarc: 'invalid' })).toBe('publishDmarc');
    expect(afterCheck({ dmarc: 'none_policy' })).toBe('dmarcMonitoring');
  });

  it('goes on to the shortened-links advice when SPF and DMARC are fine, and carries on when DNS fails', () => {
    expect(afterCheck({})).toBe('shortLinks');
    expect(afterCheck({ spf: 'error', mx: 'error', dmarc: 'error' })).toBe('checkUnavailable');
  });

  it('leads every check result step on to the shortened-links advice', () => {
    const after = (state: string, event: string) => walk.from(state, event).state;
    expect(after('fixSpfRecord', 'FIXED')).toBe('shortLinks');
    expect(after('fixSpfRecord', 'DMARC_TOO')).toBe('publishDmarc');
    expect(after('publishDmarc', 'PUBLISHED')).toBe('shortLinks');
    expect(after('dmarcMonitoring', 'NOTED')).toBe('shortLinks');
    expect(after('checkUnavailable', 'CONTINUE')).toBe('shortLinks');
  });

  it('runs the check again from "could not check"', () => {
    expect(walk.from('checkUnavailable', 'TRY_AGAIN').state).toBe('checkSendingDomain');
    const setupPath = ['DELIVERED', 'FOUND_IN_JUNK', 'MOVED', 'FIRST_TIME', 'DOMAIN_CONNECTED', 'CHECK_NOW'];
    const failed = [...setupPath, checkResult({ spf: 'error', mx: 'error', dmarc: 'error' })];
    expect(walk(...failed, 'TRY_AGAIN', checkResult({ dmarc: 'missing' })).state).toBe('publishDmarc');
  });

  it("shows HubSpot's menu labels as the Norwegian article gives them in Norwegian, and the English labels in Swedish and German", () => {
    const renderer = new StepRenderer(createI18n());
    const flow = builtinFlow('delivered-not-in-inbox');
    const page = (lng: 'sv' | 'no' | 'de' | 'en', step: string) => renderer.step(flow, step, lng, 'participant').bodyHtml;
    expect(page('no', 'checkDelivery')).toContain('<strong>Aktiviteter</strong>');
    expect(page('no', 'checkDelivery')).toContain('<strong>Filtrer etter</strong>');
    expect(page('no', 'checkDelivery')).toContain('<strong>Markedsførings-e-post</strong>');
    expect(page('no', 'copySendingIps')).toContain('<strong>E-postverktøy</strong>');
    expect(page('no', 'copySendingIps')).toContain('<strong>Administrer tillatelsesliste</strong>');
    expect(page('no', 'copySendingIps')).toContain('<strong>Kopier</strong>');
    for (const lng of ['sv', 'de', 'en'] as const) {
      expect(page(lng, 'checkDelivery'), lng).toContain('<strong>Activities</strong>');
      expect(page(lng, 'copySendingIps'), lng).toContain('<strong>Manage allowlist</strong>');
    }
  });

  it('says in every language that the DMARC plan is general advice beyond the article', () => {
    const renderer = new StepRenderer(createI18n());
    const flow = builtinFlow('delivered-not-in-inbox');
    const marks = { sv: 'går utöver artikeln', no: 'går utover artikkelen', de: 'über den Artikel hinausgeht', en: 'beyond the article' };
    for (const [lng, mark] of Object.entries(marks) as ['sv' | 'no' | 'de' | 'en', string][])
      for (const step of ['publishDmarc', 'dmarcMonitoring'])
        for (const audience of ['participant', 'agent'] as const) expect(renderer.step(flow, step, lng, audience).bodyHtml, `${lng} ${step} ${audience}`).toContain(mark);
  });

  it('lists both shared sending domains for accounts without their own', () => {
    expect(facts.sharedSendingDomains).toEqual(['shared.hubspot.com', 'hubspotemail.net']);
  });

  describe("the found email's headers", () => {
    const found = ['DELIVERED', 'FOUND_IN_JUNK', 'PASTE_HEADERS'];
    const after = (verdicts: Parameters<typeof headersResult>[0]) => walk(...found, headersResult(verdicts)).state;

    it('are asked for where the email was found, in junk or in quarantine, and can be skipped', () => {
      expect(walk(...found).state).toBe('pasteHeaders');
      expect(walk('DELIVERED', 'NOT_IN_JUNK', 'PASTE_HEADERS').state).toBe('pasteHeaders');
      expect(walk(...found, 'SKIP_HEADERS').state).toBe('howOften');
    });

    it.each([
      [{ spf: 'fail' }, 'checkDomainSetup'],
      [{ spf: 'softfail' }, 'checkDomainSetup'],
      [{ spf: 'none' }, 'checkDomainSetup'],
      [{ dkim: 'fail' }, 'checkDomainSetup'],
      [{ dkim: 'none' }, 'checkDomainSetup'],
      [{ dmarc: 'fail' }, 'checkDomainSetup'],
      // The sender's setup comes first: a spam verdict on an email that fails SPF is explained by SPF.
      [{ spf: 'fail', spam: 'spam' }, 'checkDomainSetup'],
      [{ spam: 'spam' }, 'repeatedProblems'],
      [{ spam: 'blocked' }, 'unblockSender'],
      [{}, 'howOften'],
      [{ dkim: 'unverified' }, 'howOften'],
      [{ spf: 'error', dkim: 'error', dmarc: 'error' }, 'howOften'],
      [{ spam: 'none' }, 'howOften'],
    ] as const)('%j → %s', (verdicts, step) => {
      expect(after(verdicts)).toBe(step);
    });

    it('a blocked sender, once unblocked, goes on as a found email does', () => {
      expect(walk(...found, headersResult({ spam: 'blocked' }), 'DONE').state).toBe('howOften');
    });
  });
});
