import { describe, expect, it } from 'vitest';
import type { EmailDomainReport } from '../../server/checks/email-domain.ts';
import { createI18n, tFor } from '../../server/i18n/i18n.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { checkView } from '../../server/render/check.ts';

/* A check's report as each language shows it: no English left in a lookup failure, verbs that agree, DMARC by article. */
const i18n = createI18n();

function report(parts: { spf?: object; mx?: object; dmarc?: object } = {}): EmailDomainReport {
  return {
    domain: 'skola.se',
    domainUnicode: 'skola.se',
    spf: { status: 'ok', records: ['v=spf1 ~all'], lookups: 1, voidLookups: 0, missingIncludes: [], suggestedRecord: null, bindLine: null, all: '~all', problems: [], errors: [], ...parts.spf },
    mx: { status: 'ok', hosts: [{ exchange: 'mx.skola.se', priority: 10 }], ...parts.mx },
    dmarc: { status: 'ok', record: 'v=DMARC1; p=reject', policy: 'reject', ...parts.dmarc },
  } as EmailDomainReport;
}

const text = (r: EmailDomainReport, lng: (typeof LANGUAGES)[number], part: number, asks = {}) => checkView(r, tFor(i18n, lng), asks).verdicts[part]!;

describe('a lookup that failed', () => {
  const failed = report({
    spf: { status: 'error', message: 'DNS did not answer for skola.se in time' },
    mx: { status: 'error', hosts: [], message: 'DNS failed for skola.se (ESERVFAIL)' },
    dmarc: { status: 'error', record: null, policy: null, message: 'the check took longer than 5 s in all and was stopped' },
  });

  it.each(['sv', 'no', 'de'] as const)('says why in %s, with no English words', (lng) => {
    const lines = [0, 1, 2].map((p) => text(failed, lng, p).text);
    expect(lines.join(' ')).not.toMatch(/did not answer|in time|failed for|the check|took longer/);
    expect(lines[0]).toContain('skola.se');
    expect(lines[1]).toContain('ESERVFAIL');
    expect(lines[2]).toContain('5 s');
  });

  it('keeps the English wording in English, and sums up a message it does not know', () => {
    expect(text(failed, 'en', 0).text).toContain('(DNS did not answer for skola.se in time)');
    const odd = report({ spf: { status: 'error', message: 'something new' } });
    expect(text(odd, 'de', 0).text).toContain('(die DNS-Abfrage ist fehlgeschlagen)');
  });
});

describe('missing includes', () => {
  it.each([
    ['de', ['include:secure-mailgate.com'], 'include:secure-mailgate.com fehlt.'],
    ['de', ['include:secure-mailgate.com', 'include:reflact-train.com'], 'include:secure-mailgate.com, include:reflact-train.com fehlen.'],
    ['en', ['include:amazonses.com'], 'include:amazonses.com is missing.'],
    ['en', ['a', 'b'], 'a, b are missing.'],
  ] as const)('%s: %j', (lng, includes, ending) => {
    const r = report({ spf: { status: 'include_missing', missingIncludes: includes } });
    expect(text(r, lng, 0).text.startsWith('SPF:')).toBe(true);
    expect(text(r, lng, 0).text).toContain(ending);
  });
});

describe('error 550', () => {
  it.each(LANGUAGES)('is written in the words of %s', (lng) => {
    const line = text(report({ mx: { status: 'missing', hosts: [] } }), lng, 1).text;
    expect(line).toContain('550');
    expect(line).toContain({ sv: 'felkod 550', no: 'feilkode 550', de: 'Fehler 550', en: 'error 550' }[lng]);
  });
});

describe('DMARC', () => {
  it.each(['missing', 'none_policy', 'invalid'] as const)('%s is information where the article does not ask for DMARC', (status) => {
    const r = report({ dmarc: { status, record: status === 'missing' ? null : 'v=DMARC1; p=none', policy: 'none' } });
    for (const lng of LANGUAGES) {
      const v = text(r, lng, 2);
      expect(v.tone, lng).toBe('info');
      expect(v.text).not.toMatch(/quarantine|reject/);
    }
    expect(text(r, 'en', 2).text).toContain('does not mention DMARC');
  });

  it('is a finding where the article asks for DMARC, and its plan is marked as general advice', () => {
    const r = report({ dmarc: { status: 'missing', record: null, policy: null } });
    expect(text(r, 'en', 2, { dmarc: true }).tone).toBe('bad');
    const monitoring = report({ dmarc: { status: 'none_policy', record: 'v=DMARC1; p=none', policy: 'none' } });
    expect(text(monitoring, 'en', 2, { dmarc: true }).tone).toBe('warn');
    expect(text(monitoring, 'en', 2, { dmarc: true }).text).toContain("General advice, beyond this guide's article");
    expect(text(monitoring, 'de', 2, { dmarc: true }).text).toContain('allgemeiner Rat');
  });

  it('a published policy and a failed lookup keep their tone either way', () => {
    expect(text(report(), 'sv', 2).tone).toBe('ok');
    expect(text(report({ dmarc: { status: 'error', record: null, policy: null, message: 'x' } }), 'sv', 2).tone).toBe('warn');
  });
});

describe('DMARC as receivers apply it, in plain words', () => {
  const inherited = { ...report({ dmarc: { status: 'ok', record: 'v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50', policy: 'quarantine', fromSp: true, inheritedFrom: 'skola.se', adkim: 'strict', aspf: 'relaxed', pct: 50 } }), domain: 'nyhet.skola.se', domainUnicode: 'nyhet.skola.se' };

  it('says whose record applies, by sp= or p=, how strict the alignment is, and how much mail the policy covers', () => {
    expect(text(inherited, 'en', 2).text).toBe('DMARC: a policy is published (sp=quarantine), so receivers know what to do with mail that fails the checks.');
    expect(text(inherited, 'en', 2).details).toEqual([
      'nyhet.skola.se has no DMARC record of its own, so receivers use the one at _dmarc.skola.se, with its policy for subdomains: sp=quarantine.',
      "DKIM alignment is strict (adkim=s): only a signature by exactly the From address's domain counts.",
      'SPF alignment is relaxed (aspf=r): the bounce address may be at skola.se or any domain under it.',
      'The policy applies to only 50% of the mail that fails the checks (pct=50); receivers treat the rest one step more leniently.',
    ]);
    const byP = { ...inherited, dmarc: { ...inherited.dmarc, fromSp: undefined, policy: 'none' as const, status: 'none_policy' as const, pct: 100 } };
    expect(text(byP, 'sv', 2).details[0]).toBe('nyhet.skola.se har ingen egen DMARC-post, så mottagande servrar använder den på _dmarc.skola.se. Den anger ingen särskild policy för underdomäner (sp=), så dess p=none gäller.');
    expect(text(byP, 'de', 2).details.at(-1)).toBe('Die Richtlinie gilt für alle E-Mails, die die Prüfungen nicht bestehen.');
  });

  it('names the organisational domain that has no record either', () => {
    const missing = { ...inherited, dmarc: { status: 'missing' as const, record: null, policy: null, orgDomain: 'skola.se' } };
    expect(text(missing, 'no', 2, { dmarc: true }).details).toEqual(['Det finnes heller ingen på _dmarc.skola.se, posten mottakerservere ellers ville brukt for nyhet.skola.se.']);
  });

  it('shows no lines for a report stored before these were reported', () => {
    expect(text(report(), 'en', 2).details).toEqual([]);
  });
});
