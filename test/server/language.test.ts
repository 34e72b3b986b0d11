import { describe, expect, it } from 'vitest';
import { fromAcceptLanguage, normalizeLanguage, pickLanguage } from '../../server/i18n/language.ts';

describe('normalizeLanguage', () => {
  it.each([
    ['sv', 'sv'],
    ['sv-SE', 'sv'],
    ['SV_se', 'sv'],
    ['de-AT', 'de'],
    ['en-GB', 'en'],
    ['no', 'no'],
    ['nb', 'no'],
    ['nn', 'no'],
    ['nb-NO', 'no'],
    ['nn-NO', 'no'],
  ])('%s → %s', (tag, lng) => expect(normalizeLanguage(tag)).toBe(lng));

  it.each(['fr', 'da', '', 'x'.repeat(50), 'svenska', '*'])('%s → not served', (tag) =>
    expect(normalizeLanguage(tag)).toBeUndefined(),
  );
  it('ignores non-strings', () => {
    expect(normalizeLanguage(['sv'])).toBeUndefined();
    expect(normalizeLanguage(undefined)).toBeUndefined();
  });
});

describe('fromAcceptLanguage', () => {
  it('takes the served language with the highest q-value', () => {
    expect(fromAcceptLanguage('fr-FR, fr;q=0.9, de;q=0.7, sv;q=0.8')).toBe('sv');
    expect(fromAcceptLanguage('en;q=0.3, nb-NO;q=0.9')).toBe('no');
    expect(fromAcceptLanguage('de;q=0.5, sv;q=0.5')).toBe('de');
  });
  it('treats q=0 as a refusal and a missing q as 1', () => {
    expect(fromAcceptLanguage('sv;q=0, de')).toBe('de');
    expect(fromAcceptLanguage('en;q=0.9, nn')).toBe('no');
  });
  it('returns nothing for unserved or malformed headers', () => {
    expect(fromAcceptLanguage('fr, it;q=0.8')).toBeUndefined();
    expect(fromAcceptLanguage('*')).toBeUndefined();
    expect(fromAcceptLanguage(';;;,q=,')).toBeUndefined();
    expect(fromAcceptLanguage('sv;q=abc')).toBeUndefined();
    expect(fromAcceptLanguage(undefined)).toBeUndefined();
  });
});

describe('pickLanguage', () => {
  const all = { query: 'de', session: 'sv', cookie: 'nb', acceptLanguage: 'en' };
  it('prefers ?lng=, then the session, the cookie, Accept-Language, and English', () => {
    expect(pickLanguage(all)).toBe('de');
    expect(pickLanguage({ ...all, query: undefined })).toBe('sv');
    expect(pickLanguage({ ...all, query: undefined, session: undefined })).toBe('no');
    expect(pickLanguage({ acceptLanguage: 'sv-SE,sv;q=0.9' })).toBe('sv');
    expect(pickLanguage({})).toBe('en');
  });
  it('skips a source naming a language it does not serve', () => {
    expect(pickLanguage({ query: 'fr', cookie: 'de' })).toBe('de');
    expect(pickLanguage({ acceptLanguage: 'fr, es' })).toBe('en');
  });
});
