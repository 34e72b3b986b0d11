import { describe, expect, it } from 'vitest';
import { SPF_ERROR_CODES } from '../../server/checks/spf.ts';
import { domainSpecError, parseRecord, parseTerm } from '../../server/checks/spf-syntax.ts';
import { LANGUAGES, loadResources } from '../../server/i18n/locales.ts';

/* The RFC 7208 grammar, term by term: what receivers accept must stay accepted, and each broken term names its rule. */

describe('records receivers accept are valid', () => {
  it.each([
    // As the large senders publish them.
    'v=spf1 include:_spf.google.com ~all',
    'v=spf1 include:spf.protection.outlook.com -all',
    'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:mailgun.org include:sendgrid.net ~all',
    'v=spf1 exists:%{i}._spf.mta.salesforce.com -all',
    'v=spf1 include:%{ir}.%{v}.%{d}.spf.has.pphosted.com ~all',
    'v=spf1 mx a:mail.example.com ip4:198.51.100.7 ?all',
    'v=spf1 redirect=_spf.example.com.',
    'v=spf1 -include:_spfh.%{d2} ip4:192.0.2.0/24 -all exp=explain._spf.%{d}',
    // The grammar's corners.
    'V=SPF1 A:Example.COM MX IP4:192.0.2.1 Include:_spf.example.com REDIRECT=other.example.com',
    'v=spf1 a/24//64 mx//0 a:example.com/32 mx:example.com//128 ptr ptr:example.com ?all',
    'v=spf1 a:foo:bar/baz.example.com a:foo.example.xn--zckzah a:x.123-456 a:%{H} a:%{l1r+-}.%{d}',
    'v=spf1 a:macro%%percent%_%_space%-url-space.example.com exists:%{l2r+-}.user.%{d2}',
    'v=spf1 ip6:::FFFF:192.0.2.1 ip6:::192.0.2.1/0 ip6:Cafe:Babe:8000::/33 ip4:0.0.0.0/0',
    'v=spf1 moo.cow-far_out=man:dog/cat default=+ ra=postmaster rp=100 note=%{c}%{r}%{t} empty= -all',
    'v=spf1  a   -all ',
    'v=spf1',
  ])('%s', (record) => {
    expect(parseRecord(record).filter((t) => t.error)).toEqual([]);
  });
});

describe('a term that breaks a rule names it', () => {
  it.each([
    ['a/33', 'bad_cidr', null],
    ['mx//129', 'bad_cidr', null],
    ['a/24/64', 'bad_cidr', null],
    ['a//', 'bad_cidr', null],
    ['a:example.com/032', 'bad_cidr', 'a:example.com/32'],
    ['ip4:192.0.2.0/032', 'bad_cidr', 'ip4:192.0.2.0/32'],
    ['ip4:192.0.2.1//32', 'bad_cidr', null],
    ['ip6:2001:db8::/129', 'bad_cidr', null],
    ['ip4', 'bad_ip4', null],
    ['ip4:', 'bad_ip4', null],
    ['ip4:192.0.2', 'bad_ip4', null],
    ['ip4:192.0.2.256', 'bad_ip4', null],
    ['ip4:192.0.2.01', 'bad_ip4', null],
    ['ip4:192.0.2.1:25', 'bad_ip4', 'ip4:192.0.2.1'],
    ['ip6', 'bad_ip6', null],
    ['ip6::CAFE::BABE', 'bad_ip6', null],
    ['ip6:fe80::1%eth0', 'bad_ip6', null],
    ['-all:foo', 'all_argument', '-all'],
    ['~all/8', 'all_argument', '~all'],
    ['-all.', 'all_argument', '-all'],
    ['ptr/0', 'cidr_not_allowed', 'ptr'],
    ['include:_spf.example.com/24', 'cidr_not_allowed', 'include:_spf.example.com'],
    ['exists:%{i}.example.com/24', 'cidr_not_allowed', 'exists:%{i}.example.com'],
    ['include', 'missing_domain', null],
    ['exists', 'missing_domain', null],
    ['a:', 'empty_domain', null],
    ['mx:', 'empty_domain', null],
    ['ptr:', 'empty_domain', null],
    ['include:', 'empty_domain', null],
    ['exists:', 'empty_domain', null],
    ['redirect=', 'empty_domain', null],
    ['exp=', 'empty_domain', null],
    ['a:museum', 'bad_domain', null],
    ['a:museum.', 'bad_domain', null],
    ['a:abc.123', 'bad_domain', null],
    ['a:example.-com', 'bad_domain', null],
    ['mx:example.com:8080', 'bad_domain', null],
    ['redirect=-all', 'bad_domain', null],
    ['a:%{d}.', 'bad_domain', null],
    ['a:192.0.2.7', 'address_as_domain', 'ip4:192.0.2.7'],
    ['+a:192.0.2.0/24//64', 'address_as_domain', '+ip4:192.0.2.0/24'],
    ['mx:192.0.2.7', 'address_as_domain', null],
    ['a:mail.example...com', 'empty_label', null],
    ['include:.example.com', 'empty_label', null],
    [`a:${'a'.repeat(64)}.example.com`, 'long_label', null],
    [`a:${'abcdefghi.'.repeat(25)}example.com`, 'long_name', null],
    ['exists:%(ir).sbl.example.com', 'bad_macro', null],
    ['exists:foo%.sbl.example.com', 'bad_macro', null],
    ['exists:foo.example.com%', 'bad_macro', null],
    ['a:%{a}.example.com', 'bad_macro', null],
    ['a:%{d0}.example.com', 'bad_macro', null],
    ['a:%{d.example.com', 'bad_macro', null],
    ['foo=%abc', 'bad_macro', null],
    ['exp=%{r}.example.com', 'exp_macro_in_domain', null],
    ['a:%{c}.example.com', 'exp_macro_in_domain', null],
    ['moo', 'unknown_term', null],
    ['moo.cow/far_out=man:dog/cat', 'unknown_term', null],
    ['redirect:example.com', 'unknown_term', 'redirect=example.com'],
    ['1up=foo', 'bad_modifier_name', null],
    ['=all', 'bad_modifier_name', null],
    ['+redirect=example.com', 'bad_modifier_name', null],
    ['a:ctrl.example.com\rptr', 'control_char', null],
    ['a:foo.example.com\0', 'control_char', null],
    ['\tall', 'control_char', null],
    ['a:\u00ef\u00bb\u00bfexample.com', 'non_ascii', null],
    ['a:bücher.example', 'non_ascii', null],
  ])('%j → %s', (raw, code, fix) => {
    const t = parseTerm(raw);
    expect(t.error).toBe(code);
    expect(t.fix ?? null).toBe(fix);
    // A fix is itself valid.
    if (fix) expect(parseTerm(fix).error).toBeUndefined();
  });

  it('a second redirect= or exp= is the broken one; the first stays valid', () => {
    const terms = parseRecord('v=spf1 exp=a.example.com redirect=b.example.com -all redirect=c.example.com exp=d.example.com');
    expect(terms.map((t) => t.error ?? null)).toEqual([null, null, null, 'duplicate_modifier', 'duplicate_modifier']);
  });

  it('only spaces separate terms: a tab or line break stays in the term it stands in', () => {
    expect(parseRecord('v=spf1 a\t-all\r\n').map((t) => [t.raw, t.error])).toEqual([['a\t-all\r\n', 'control_char']]);
  });
});

describe('what a term names', () => {
  it('a domain without its prefix lengths or final dot; a and mx without one name none', () => {
    expect(parseTerm('a:mail.example.com./24//64')).toMatchObject({ name: 'a', domain: 'mail.example.com' });
    expect(parseTerm('a/24')).toMatchObject({ name: 'a', domain: null });
    expect(parseTerm('mx//0')).toMatchObject({ name: 'mx', domain: null });
    expect(parseTerm('-include:_spf.example.com')).toMatchObject({ qualifier: '-', name: 'include', domain: '_spf.example.com' });
    expect(parseTerm('redirect=_spf.example.com.')).toMatchObject({ modifier: true, name: 'redirect', domain: '_spf.example.com' });
    expect(parseTerm('ip6:2001:db8::/32')).toMatchObject({ name: 'ip6', value: '2001:db8::' });
  });

  it('a domain-spec may end in a macro instead of a top label', () => {
    expect(domainSpecError('%{d}')).toBeUndefined();
    expect(domainSpecError('_spf.%{d2}')).toBeUndefined();
    expect(domainSpecError('%{d}.example.com')).toBeUndefined();
  });
});

describe('texts', () => {
  const resources = loadResources();
  it.each(LANGUAGES)('every rule, and what the record to publish changed, is explained in %s', (lng) => {
    const check = (resources[lng].common as { check: Record<string, unknown> }).check;
    const errors = check.spfError as Record<string, string>;
    for (const code of SPF_ERROR_CODES) expect(errors[code], code).toMatch(/\{\{term\}\}/);
    expect(Object.keys(errors).sort()).toEqual([...SPF_ERROR_CODES].sort());
    expect(check.spfFix).toEqual({ fixed: expect.stringMatching(/\{\{fix\}\}/), dropped: expect.stringMatching(/\{\{term\}\}/) });
    expect(check.spfErrorElsewhere).toMatch(/\{\{error\}\}/);
    expect(check.spfErrorMore).toMatch(/\{\{count\}\}/);
  });
});
