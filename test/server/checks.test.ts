import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { offeredDomain, parseDomain, readDomain, suggestedDomain } from '../../server/checks/domain.ts';
import { checkEmailDomain } from '../../server/checks/email-domain.ts';
import { bindLine, suggestRecord } from '../../server/checks/spf.ts';
import { parseRecord } from '../../server/checks/spf-syntax.ts';
import { startDnsServer, type Zone } from '../support/dns-server.ts';
import { testApp, type TestApp } from '../support/app.ts';

const txt = (value: string) => ({ type: 'TXT' as const, value });
const mx = (value: string) => ({ type: 'MX' as const, value });
const a = (value: string) => ({ type: 'A' as const, value });
const VENDOR = '_spf.vendor.example.com';
const dmarcReject = { '_dmarc.%': [txt('v=DMARC1; p=reject; rua=mailto:d@%')] };

function domain(name: string, spf: string[] | null, extra: Zone = {}, opts: { mx?: string[]; dmarc?: string[] | null } = {}): Zone {
  return {
    [name]: [...(spf ?? []).map(txt), ...(opts.mx ?? [`10 mail.${name}`]).map(mx)],
    ...(opts.dmarc === null ? {} : { [`_dmarc.${name}`]: (opts.dmarc ?? [`v=DMARC1; p=reject; rua=mailto:d@${name}`]).map(txt) }),
    ...extra,
  };
}

const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`l${i}.example.com`, [txt(`v=spf1 ip4:198.51.100.${i} -all`)]]));
const zone: Zone = {
  [VENDOR]: [txt('v=spf1 ip4:192.0.2.0/24 -all')],
  '_spf.other.example.com': [txt('v=spf1 ip4:203.0.113.0/24 -all')],
  ...eleven,
  ...domain('ok.example.com', [`v=spf1 include:${VENDOR} ~all`]),
  ...domain('two.example.com', [`v=spf1 include:_spf.other.example.com ~all`, `v=spf1 include:${VENDOR} -all`]),
  ...domain('missing-include.example.com', ['v=spf1 include:_spf.other.example.com ~all']),
  ...domain('nested.example.com', ['v=spf1 include:level1.example.com -all'], {
    'level1.example.com': [txt('v=spf1 include:level2.example.com ~all')],
    'level2.example.com': [txt(`v=spf1 include:${VENDOR} ~all`)],
  }),
  ...domain('eleven.example.com', [`v=spf1 ${Object.keys(eleven).map((d) => `include:${d}`).join(' ')} include:${VENDOR} ~all`]),
  ...domain('voids.example.com', [`v=spf1 a:nx1.example.com a:nx2.example.com mx:nx3.example.com include:${VENDOR} ~all`]),
  ...domain('redirect.example.com', [`v=spf1 redirect=${VENDOR}`]),
  ...domain('plus-all.example.com', [`v=spf1 include:${VENDOR} +all`]),
  ...domain('no-spf.example.com', ['google-site-verification=abc']),
  ...domain('nomx.example.com', [`v=spf1 include:${VENDOR} ~all`], {}, { mx: [] }),
  ...domain('nullmx.example.com', [`v=spf1 include:${VENDOR} ~all`], {}, { mx: ['0 .'] }),
  ...domain('dmarc-none.example.com', [`v=spf1 include:${VENDOR} ~all`], {}, { dmarc: ['v=DMARC1; p=none'] }),
  ...domain('dmarc-missing.example.com', [`v=spf1 include:${VENDOR} ~all`], {}, { dmarc: null }),
  ...domain('dmarc-two.example.com', [`v=spf1 include:${VENDOR} ~all`], {}, { dmarc: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] }),
  ...domain('dmarc-bad.example.com', [`v=spf1 include:${VENDOR} ~all`], {}, { dmarc: ['v=DMARC1; p=maybe'] }),
  ...domain('xn--bcher-kva.example.com', [`v=spf1 include:${VENDOR} ~all`]),
  ...domain('slow.example.com', null),
  'mail.ok.example.com': [a('192.0.2.25')],
  'cidr.example.com': [txt(`v=spf1 a/24 mx/0 a//0 a/24//64 include:${VENDOR} ~all`), mx('10 mail.cidr.example.com'), a('192.0.2.27')],
  ...domain('no-spf-include.example.com', [`v=spf1 include:no-spf.example.com include:${VENDOR} ~all`]),
  ...domain('no-spf-redirect.example.com', ['v=spf1 redirect=no-spf.example.com']),
  ...domain('typos.example.com', [`v=spf1 a/33 ip4:192.0.2.1:25 a:192.0.2.7 include:${VENDOR}/24 -all:x`]),
  ...domain('vendor-broken.example.com', [`v=spf1 include:_spf.broken-vendor.example.com include:${VENDOR} ~all`], {
    '_spf.broken-vendor.example.com': [txt('v=spf1 ip4:192.0.2.0/33 -all')],
  }),
  ...domain('twice.example.com', [`v=spf1 include:${VENDOR} include:${VENDOR} ~all`]),
  ...domain('unaskable.example.com', [`v=spf1 a:foo!bar.example.com include:${VENDOR} ~all`]),
  ...domain('port.example.com', [`v=spf1 a:port.example.com:8080 include:${VENDOR} ~all`]),
  ...domain('two-exp.example.com', [`v=spf1 include:${VENDOR} exp=one.example.com -all`, 'v=spf1 ip4:192.0.2.9 exp=two.example.com -all']),
};
void dmarcReject;

let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
let dns: ReturnType<typeof createDns>;
const TIMEOUT = 400;
beforeAll(async () => {
  dnsServer = await startDnsServer(zone, ['slow.example.com', '_dmarc.slow.example.com'], ['broken.example.com', '_dmarc.broken.example.com']);
  dns = createDns({ servers: [dnsServer.server], timeoutMs: TIMEOUT, cacheMs: 0 });
});
afterAll(() => dnsServer.close());

const check = (name: string, includes = [VENDOR]) => {
  const d = parseDomain(name);
  if ('error' in d) throw new Error(d.error);
  return checkEmailDomain(dns, d, includes);
};

describe('SPF', () => {
  it('one correct record: ok, lookups counted, nothing to change', async () => {
    const r = await check('ok.example.com');
    expect(r.spf).toMatchObject({ status: 'ok', records: [`v=spf1 include:${VENDOR} ~all`], lookups: 1, voidLookups: 0, missingIncludes: [], suggestedRecord: null, all: '~all' });
    expect(r.mx).toEqual({ status: 'ok', hosts: [{ exchange: 'mail.ok.example.com', priority: 10 }] });
    expect(r.dmarc).toMatchObject({ status: 'ok', policy: 'reject' });
  });

  it('two records: multiple, and the one merged record to publish instead', async () => {
    const r = await check('two.example.com');
    expect(r.spf.status).toBe('multiple');
    expect(r.spf.records).toHaveLength(2);
    // DNS returns the two in any order; the merge keeps every term once, in one record, ending in one `all`.
    const merged = r.spf.suggestedRecord!;
    expect(merged.match(/v=spf1/g)).toHaveLength(1);
    expect(merged.split(' ').sort()).toEqual(['v=spf1', 'include:_spf.other.example.com', `include:${VENDOR}`, merged.split(' ').at(-1)!].sort());
    expect(merged).toMatch(/ [~-]all$/);
    expect(r.spf.bindLine).toBe(`two.example.com. IN TXT "${merged}"`);
  });

  it('include missing: the current record with the include merged in before all', async () => {
    const r = await check('missing-include.example.com', [`include:${VENDOR}`]);
    expect(r.spf).toMatchObject({ status: 'include_missing', missingIncludes: [VENDOR] });
    expect(r.spf.suggestedRecord).toBe(`v=spf1 include:_spf.other.example.com include:${VENDOR} ~all`);
    expect(r.spf.bindLine).toMatch(/^missing-include\.example\.com\. IN TXT "/);
  });

  it('an include nested two levels deep counts as present', async () => {
    const r = await check('nested.example.com');
    expect(r.spf).toMatchObject({ status: 'ok', lookups: 3, missingIncludes: [], all: '-all' });
  });

  it('eleven lookups and more: too many', async () => {
    const r = await check('eleven.example.com');
    expect(r.spf.status).toBe('too_many_lookups');
    expect(r.spf.lookups).toBeGreaterThan(10);
  });

  it('three void lookups: over the limit of two', async () => {
    const r = await check('voids.example.com');
    expect(r.spf.voidLookups).toBe(3);
    expect(r.spf.status).toBe('too_many_lookups');
    expect(r.spf.problems).toContain('void_lookups');
  });

  it('redirect= is followed', async () => {
    const r = await check('redirect.example.com');
    expect(r.spf).toMatchObject({ status: 'ok', lookups: 1, all: null });
    expect(r.spf.problems).not.toContain('no_all');
  });

  it('+all is flagged and never suggested back', async () => {
    const r = await check('plus-all.example.com');
    expect(r.spf.all).toBe('+all');
    expect(r.spf.problems).toContain('plus_all');
    expect(r.spf.suggestedRecord).toBe(`v=spf1 include:${VENDOR} ~all`);
  });

  it('no SPF record: missing, with a record to create', async () => {
    const r = await check('no-spf.example.com');
    expect(r.spf).toMatchObject({ status: 'missing', records: [], suggestedRecord: `v=spf1 include:${VENDOR} ~all` });
  });

  it('a, mx with a prefix length look up the domain, not the length: a/24, mx/0 and a//0 find its records', async () => {
    const from = dnsServer.queries.length;
    const r = await check('cidr.example.com');
    expect(r.spf).toMatchObject({ status: 'ok', lookups: 5, voidLookups: 0, errors: [] });
    const asked = dnsServer.queries.slice(from);
    expect(asked).toEqual(expect.arrayContaining(['A cidr.example.com', 'AAAA cidr.example.com', 'MX cidr.example.com']));
    expect(asked.filter((q) => / (24|0|64)?$/.test(q))).toEqual([]);
  });

  it('an include or redirect of a domain without SPF is invalid, and the record to publish leaves it out', async () => {
    const r = await check('no-spf-include.example.com');
    expect(r.spf).toMatchObject({
      status: 'invalid',
      errors: [{ code: 'include_without_spf', term: 'include:no-spf.example.com', domain: 'no-spf-include.example.com', fix: null }],
      suggestedRecord: `v=spf1 include:${VENDOR} ~all`,
    });
    expect(r.spf.problems).toContain('include_without_spf');
    expect((await check('no-spf-redirect.example.com')).spf).toMatchObject({ status: 'invalid', errors: [{ code: 'include_without_spf', term: 'redirect=no-spf.example.com' }] });
    // An include the guide asks for stays in the record, even while its domain has no SPF: its owner must publish one.
    const wanted = await check('no-spf-include.example.com', ['no-spf.example.com', VENDOR]);
    expect(wanted.spf.errors).toEqual([{ code: 'include_without_spf', term: 'include:no-spf.example.com', domain: 'no-spf-include.example.com' }]);
    expect(wanted.spf.suggestedRecord).toBeNull();
  });

  it('terms that break a rule: each named with its rule; the record to publish corrects what has a plain intent and leaves out the rest', async () => {
    const r = await check('typos.example.com');
    expect(r.spf.status).toBe('invalid');
    expect(r.spf.errors).toEqual([
      { code: 'bad_cidr', term: 'a/33', domain: 'typos.example.com', fix: null },
      { code: 'bad_ip4', term: 'ip4:192.0.2.1:25', domain: 'typos.example.com', fix: 'ip4:192.0.2.1' },
      { code: 'address_as_domain', term: 'a:192.0.2.7', domain: 'typos.example.com', fix: 'ip4:192.0.2.7' },
      { code: 'cidr_not_allowed', term: `include:${VENDOR}/24`, domain: 'typos.example.com', fix: `include:${VENDOR}` },
      { code: 'all_argument', term: '-all:x', domain: 'typos.example.com', fix: '-all' },
    ]);
    expect(r.spf.problems).toContain('syntax');
    expect(r.spf.suggestedRecord).toBe(`v=spf1 ip4:192.0.2.1 ip4:192.0.2.7 include:${VENDOR} -all`);
    expect(parseRecord(r.spf.suggestedRecord!).filter((t) => t.error)).toEqual([]);
  });

  it('an error in an included record is invalid too, and only its owner can fix it: no record to publish here', async () => {
    const r = await check('vendor-broken.example.com');
    expect(r.spf).toMatchObject({
      status: 'invalid',
      errors: [{ code: 'bad_cidr', term: 'ip4:192.0.2.0/33', domain: '_spf.broken-vendor.example.com' }],
      suggestedRecord: null,
    });
    expect(r.spf.errors[0]).not.toHaveProperty('fix');
  });

  it('the same include twice is no loop', async () => {
    expect((await check('twice.example.com')).spf).toMatchObject({ status: 'ok', lookups: 2, errors: [] });
  });

  it('a valid name the resolver refuses finds nothing, as for receivers, instead of failing the check', async () => {
    expect((await check('unaskable.example.com')).spf).toMatchObject({ status: 'ok', voidLookups: 1, errors: [] });
  });

  it('a name that breaks the grammar is a verdict from the record: it is neither looked up nor counted', async () => {
    const r = await check('port.example.com');
    expect(r.spf).toMatchObject({ status: 'invalid', errors: [{ code: 'bad_domain', term: 'a:port.example.com:8080' }], lookups: 1, voidLookups: 0 });
  });

  it('merging two records keeps one exp=', async () => {
    const r = await check('two-exp.example.com');
    expect(r.spf.status).toBe('multiple');
    expect(r.spf.suggestedRecord!.match(/exp=/g)).toHaveLength(1);
    expect(parseRecord(r.spf.suggestedRecord!).filter((t) => t.error)).toEqual([]);
  });

  it('NXDOMAIN: every part missing, no error', async () => {
    const r = await check('does-not-exist.example.com');
    expect(r.spf.status).toBe('missing');
    expect(r.mx.status).toBe('missing');
    expect(r.dmarc.status).toBe('missing');
  });
});

describe('MX', () => {
  it('no MX: missing; null MX: noticed', async () => {
    expect((await check('nomx.example.com')).mx).toEqual({ status: 'missing', hosts: [] });
    expect((await check('nullmx.example.com')).mx.status).toBe('null_mx');
  });
});

describe('DMARC', () => {
  it('p=none, missing, duplicates and bad syntax', async () => {
    expect((await check('dmarc-none.example.com')).dmarc).toMatchObject({ status: 'none_policy', policy: 'none', record: 'v=DMARC1; p=none' });
    expect((await check('dmarc-missing.example.com')).dmarc).toMatchObject({ status: 'missing', record: null });
    expect((await check('dmarc-two.example.com')).dmarc).toMatchObject({ status: 'invalid', problem: 'multiple' });
    expect((await check('dmarc-bad.example.com')).dmarc).toMatchObject({ status: 'invalid', problem: 'policy' });
  });
});

describe('a server that never answers', () => {
  it('gives status error within the configured timeout, not an exception', async () => {
    const t0 = Date.now();
    const r = await check('slow.example.com');
    const took = Date.now() - t0;
    expect(r.spf.status).toBe('error');
    expect(r.spf.message).toMatch(/did not answer/);
    expect(r.dmarc.status).toBe('error');
    // Parallel lookups, one try each: about one timeout, never several in a row.
    expect(took).toBeLessThan(TIMEOUT * 4);
  });
});

describe('a server failure', () => {
  it('gives status error with a message', async () => {
    const r = await check('broken.example.com');
    expect(r.spf).toMatchObject({ status: 'error', message: expect.stringMatching(/ESERVFAIL/) });
    expect(r.mx.status).toBe('error');
    expect(r.dmarc.status).toBe('error');
  });
});

describe('domains', () => {
  it('accepts an internationalised name and shows both forms', async () => {
    const r = await check('Bücher.example.com');
    expect(r.domain).toBe('xn--bcher-kva.example.com');
    expect(r.domainUnicode).toBe('bücher.example.com');
    expect(r.spf.status).toBe('ok');
  });

  it.each(['192.0.2.1', '[2001:db8::1]', 'localhost', 'com', 'a'.repeat(64) + '.example.com', `${'a'.repeat(60)}.`.repeat(5) + 'test', 'exa mple.com', 'exa_mple.com', '-bad.com', ''])(
    'refuses %j',
    (input) => expect(parseDomain(input)).toHaveProperty('error'),
  );

  it('takes the domain out of an address or URL', () => {
    expect(parseDomain('Anna@Example.COM')).toEqual({ ascii: 'example.com', unicode: 'example.com' });
    expect(parseDomain('https://example.com/path')).toMatchObject({ ascii: 'example.com' });
  });

  it.each([
    ['192.0.2.1', 'ip', '192.0.2.1'],
    ['https://[2001:db8::1]/', 'ip', '2001:db8::1'],
    ['', 'required', undefined],
    ['localhost', 'localhost', 'localhost'],
    ['mailserver', 'one_label', 'mailserver'],
    ['exa mple.com', 'characters', undefined],
    ['files.internal', 'not_public', 'files.internal'],
    ['co.uk', 'public_suffix', 'co.uk'],
  ])('readDomain: %j is refused as %s, naming %j', (input, problem, name) => {
    const refusal = readDomain(input);
    expect(refusal).toMatchObject({ problem, error: expect.any(String) });
    expect((refusal as { name?: string }).name).toBe(name);
    // parseDomain keeps its shape: the reason, nothing more.
    expect(Object.keys(parseDomain(input))).toEqual(['error']);
  });

  it.each([
    ['https://www.företag.se/', 'www.företag.se', 'företag.se'],
    ['http://www.example.co.uk/contact?x=1', 'www.example.co.uk', 'example.co.uk'],
    ['www.example.com', 'www.example.com', 'example.com'],
    ['https://shop.example.com/cart', 'shop.example.com', 'example.com'],
  ])('a web address %j is offered its registrable domain', (input, host, domain) => {
    expect(suggestedDomain(input)).toEqual({ host: expect.objectContaining({ unicode: host }), domain: expect.objectContaining({ unicode: domain }) });
    // Sent again unchanged, it is checked as typed.
    expect(offeredDomain(input, input)).toBeUndefined();
  });

  it.each(['example.com', 'news.example.com', 'anna@www.example.com', 'https://example.com/', 'co.uk', '192.0.2.1'])(
    '%j is not a web address to offer another domain for',
    (input) => expect(suggestedDomain(input)).toBeUndefined(),
  );

  it('splits a long record into 255-character strings in the BIND line', () => {
    const record = suggestRecord([`v=spf1 ${Array.from({ length: 30 }, (_, i) => `ip4:198.51.100.${i}`).join(' ')} -all`], ['x.example.com']);
    expect(record.length).toBeGreaterThan(255);
    const line = bindLine('example.com', record);
    expect(line.match(/"[^"]*"/g)!.every((s) => s.length <= 257)).toBe(true);
    expect(line.match(/"([^"]*)"/g)!.map((s) => s.slice(1, -1)).join('')).toBe(record);
  });
});

describe('GET /api/checks/email-domain', () => {
  let t: TestApp;
  let limited: TestApp;
  beforeAll(() => {
    t = testApp(undefined, { dns, config: { CHECKS_PER_MINUTE: 100 } });
    limited = testApp(undefined, { dns, config: { CHECKS_PER_MINUTE: 5 } });
  });
  afterAll(async () => {
    await t.close();
    await limited.close();
  });

  it('answers the contract shape', async () => {
    const res = await request(t.app).get(`/api/checks/email-domain?domain=missing-include.example.com&include=${VENDOR}&include=_spf.other.example.com`).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['dmarc', 'domain', 'domainUnicode', 'mx', 'spf']);
    expect(res.body.spf).toMatchObject({ status: 'include_missing', missingIncludes: [VENDOR], lookups: 1 });
    for (const k of ['status', 'records', 'lookups', 'voidLookups', 'missingIncludes', 'suggestedRecord', 'bindLine']) expect(res.body.spf).toHaveProperty(k);
    expect(res.body.mx).toHaveProperty('hosts');
    expect(res.body.dmarc).toHaveProperty('policy');
  });

  it('400 for invalid domains and includes', async () => {
    for (const q of ['domain=192.0.2.1', 'domain=localhost', 'domain=single', '']) {
      const res = await request(t.app).get(`/api/checks/email-domain?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('invalid_domain');
    }
    for (const q of ['domain=a&domain=b', `domain=ok.example.com&include=${encodeURIComponent('bad include!')}`]) {
      const res = await request(t.app).get(`/api/checks/email-domain?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });

  it('429 with Retry-After past the per-client limit', async () => {
    let last: request.Response | undefined;
    for (let i = 0; i < 8; i++) last = await request(limited.app).get('/api/checks/email-domain?domain=ok.example.com');
    expect(last!.status).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body.error.code).toBe('rate_limited');
  });
});
