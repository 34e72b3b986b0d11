import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { parseDomain } from '../../server/checks/domain.ts';
import { checkEmailDomain } from '../../server/checks/email-domain.ts';
import { Lru } from '../../server/checks/lru.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { startDnsServer, type Zone } from '../support/dns-server.ts';

/* What one domain check may cost, whatever the domain publishes: every test asks a real DNS server and counts there. */

const txt = (value: string) => ({ type: 'TXT' as const, value });
const mx = (value: string) => ({ type: 'MX' as const, value });
const a = (value: string) => ({ type: 'A' as const, value });
const VENDOR = '_spf.vendor.example.net';

/** Short public names, so 3,500 of them fit one TXT answer (at most 64 KB over TCP). */
const BIG = Array.from({ length: 3500 }, (_, i) => `${i}.h.nu`);
const SLOW = Array.from({ length: 12 }, (_, i) => `s${i}.example.net`);
const FARM = (n: number) => Array.from({ length: n }, (_, i) => mx(`10 mx${i}.example.net`));

function sender(name: string, spf: string, extra: Zone = {}): Zone {
  return { [name]: [txt(spf), mx(`10 mx.${name}`)], [`_dmarc.${name}`]: [txt('v=DMARC1; p=reject')], ...extra };
}

const zone: Zone = {
  [VENDOR]: [txt('v=spf1 ip4:192.0.2.0/24 -all')],
  ...Object.fromEntries(BIG.map((n) => [n, [a('192.0.2.7')]])),
  ...sender('big.example.com', `v=spf1 ${BIG.map((n) => `a:${n}`).join(' ')} ~all`),
  ...sender('voids.example.com', `v=spf1 a:nx1.example.net a:nx2.example.net a:nx3.example.net a:nx4.example.net mx:nx5.example.net include:${VENDOR} ~all`),
  ...sender('farm.example.com', 'v=spf1 mx:eleven.example.net -all', { 'eleven.example.net': FARM(11) }),
  ...sender('ten.example.com', 'v=spf1 mx:ten.example.net -all', { 'ten.example.net': FARM(10) }),
  ...sender('leaky.example.com', `v=spf1 include:db.corp a:printer.local include:${VENDOR} -all`),
  ...sender('chain.example.com', 'v=spf1 include:c1.example.net include:c2.example.net include:c3.example.net -all', {
    'c1.example.net': [txt('v=spf1 ip4:198.51.100.1 -all')],
    'c2.example.net': [txt('v=spf1 ip4:198.51.100.2 -all')],
    'c3.example.net': [txt('v=spf1 ip4:198.51.100.3 -all')],
  }),
  ...sender('crawl.example.com', `v=spf1 ${SLOW.map((s) => `include:${s}`).join(' ')} -all`, Object.fromEntries(SLOW.map((s) => [s, [txt('v=spf1 -all')]]))),
  ...sender('school.se', `v=spf1 include:${VENDOR} ~all`),
};

let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dnsServer = await startDnsServer(zone, ['quiet.example.com', '_dmarc.quiet.example.com'], [], Object.fromEntries(SLOW.map((s) => [s, 100])));
});
afterAll(() => dnsServer.close());

/** The questions the DNS server was asked while `run` ran. */
async function asked<T>(run: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const from = dnsServer.queries.length;
  const result = await run();
  return { result, queries: dnsServer.queries.slice(from) };
}

function check(name: string, options: Parameters<typeof createDns>[0] = {}, includes: string[] = []) {
  const d = parseDomain(name);
  if ('error' in d) throw new Error(d.error);
  return checkEmailDomain(createDns({ servers: [dnsServer.server], cacheMs: 0, ...options }), d, includes);
}

describe('SPF stops at the limits receivers apply (RFC 7208 §4.6.4)', () => {
  it('3,500 a: terms: ten are looked up, then too_many_lookups', async () => {
    const { result: r, queries } = await asked(() => check('big.example.com'));
    expect(r.spf.status).toBe('too_many_lookups');
    expect(r.spf.lookups).toBe(3500);
    // Ten terms, A and AAAA each; the rest of the record is read but never asked about.
    expect(new Set(queries.filter((q) => q.endsWith('.h.nu'))).size).toBe(20);
    expect(queries.length).toBeLessThanOrEqual(30);
    expect(r.mx.status).toBe('ok');
    expect(r.dmarc.status).toBe('ok');
  });

  it('the third lookup that finds nothing ends it: nothing after it is asked', async () => {
    const { result: r, queries } = await asked(() => check('voids.example.com', {}, [VENDOR]));
    expect(r.spf).toMatchObject({ status: 'too_many_lookups', voidLookups: 3, missingIncludes: [] });
    expect(r.spf.problems).toContain('void_lookups');
    expect(queries.some((q) => q.endsWith(' nx3.example.net'))).toBe(true);
    expect(queries.filter((q) => / (nx4|nx5)\.example\.net$/.test(q) || q.endsWith(VENDOR))).toEqual([]);
  });

  it('an mx with more than ten hosts is an error receivers reject (permerror, RFC 7208 §4.6.4); ten is fine', async () => {
    const farm = await check('farm.example.com');
    expect(farm.spf.status).toBe('invalid');
    expect(farm.spf.problems).toContain('mx_too_many_hosts');
    expect(farm.spf.errors).toContainEqual(expect.objectContaining({ code: 'mx_too_many_hosts', domain: 'farm.example.com' }));
    expect((await check('ten.example.com')).spf.status).toBe('ok');
  });

  it('names that are not public are never asked about; they find nothing, as on the internet', async () => {
    const { result: r, queries } = await asked(() => check('leaky.example.com'));
    expect(queries.filter((q) => /(db\.corp|printer\.local)$/.test(q))).toEqual([]);
    expect(r.spf).toMatchObject({ voidLookups: 2, lookups: 3 });
    expect(r.spf.problems).toContain('include_without_spf');
  });
});

describe('one check has a budget of queries and time', () => {
  it('past its queries, the part still looking answers error with a message; the others keep their verdicts', async () => {
    // TXT, MX and DMARC of the domain, then c1: the fifth query (c2) is over the budget.
    const { result: r, queries } = await asked(() => check('chain.example.com', { maxQueries: 4 }));
    expect(r.spf.status).toBe('error');
    expect(r.spf.message).toMatch(/stopped after 4 DNS queries/);
    expect(r.mx.status).toBe('ok');
    expect(r.dmarc.status).toBe('ok');
    expect(queries.length).toBe(4);
    expect(queries.some((q) => q.endsWith('c2.example.net'))).toBe(false);
  });

  it('a resolver that never answers: every part answers error at the deadline, long before the query timeout', async () => {
    const r = await check('quiet.example.com', { timeoutMs: 20_000, deadlineMs: 200 });
    for (const part of [r.spf, r.mx, r.dmarc]) {
      expect(part.status).toBe('error');
      expect(part.message).toMatch(/took longer than 0\.2 s in all/);
    }
  });

  it('a resolver that answers each query slowly: the deadline holds for the whole check, not per query', async () => {
    const r = await check('crawl.example.com', { deadlineMs: 350 });
    expect(r.spf.status).toBe('error');
    expect(r.spf.message).toMatch(/took longer than 0\.35 s/);
    expect(r.mx.status).toBe('ok');
    expect(r.dmarc.status).toBe('ok');
  });

  describe('through the app, with CHECK_DEADLINE_MS', () => {
    let t: TestApp;
    beforeAll(() => {
      t = testApp(undefined, { config: { DNS_SERVERS: dnsServer.server, DNS_TIMEOUT_MS: 20_000, CHECK_DEADLINE_MS: 250 } });
    });
    afterAll(() => t.close());

    it('the check API answers 200 with status error when the deadline passes', async () => {
      const res = await request(t.app).get('/api/checks/email-domain?domain=quiet.example.com').expect(200);
      expect(res.body.spf).toMatchObject({ status: 'error', message: expect.stringMatching(/took longer than 0\.25 s/) });
      expect(res.body.dmarc.status).toBe('error');
    });

    it("a flow's check step moves on with the error verdicts", async () => {
      const start = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', startAt: 'checkSpf' }).expect(201);
      const res = await request(t.app)
        .post(`/api/sessions/${start.body.sessionId}/events`)
        .send({ type: 'CHECK', data: { domain: 'quiet.example.com' } })
        .expect(200);
      expect(res.body.step.check.report.spf).toMatchObject({ status: 'error', message: expect.stringMatching(/0\.25 s/) });
      expect(t.errors).toEqual([]);
    });
  });
});

describe('the answer cache', () => {
  it('drops the least recently used entry, and never holds more than its bound', () => {
    const lru = new Lru<string, number>({ maxEntries: 3 });
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1); // a is now the most recently used
    lru.set('d', 4);
    expect(lru.keys()).toEqual(['c', 'a', 'd']);
    expect(lru.get('b')).toBeUndefined();
    for (let i = 0; i < 100; i++) lru.set(`k${i}`, i);
    expect(lru.size).toBe(3);
    expect(lru.keys()).toEqual(['k97', 'k98', 'k99']);
  });

  it('bounds the weight too: a few huge answers cannot fill memory within the entry bound', () => {
    const lru = new Lru<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (v) => v.length });
    lru.set('a', 'xxxx');
    lru.set('b', 'xxxx');
    lru.set('c', 'xxxx');
    expect(lru.keys()).toEqual(['b', 'c']);
    expect(lru.weight).toBe(8);
    lru.set('huge', 'x'.repeat(11));
    expect(lru.keys()).toEqual(['b', 'c']);
  });

  it('the DNS cache evicts the least recently used answer, and asks again for it', async () => {
    const dns = createDns({ servers: [dnsServer.server], cacheEntries: 2 });
    const txt = (name: string) => dns.withBudget((l) => l.txt(name));
    const { queries } = await asked(async () => {
      await txt('c1.example.net');
      await txt('c2.example.net');
      await txt('c1.example.net'); // cached, and now more recent than c2
      await txt('c3.example.net'); // c2 goes
      await txt('c1.example.net');
      await txt('c2.example.net');
    });
    expect(queries).toEqual(['TXT c1.example.net', 'TXT c2.example.net', 'TXT c3.example.net', 'TXT c2.example.net']);
  });
});

describe('only public domains are checked', () => {
  const privateNames = ['printer.local', 'files.internal', 'nas.lan', 'dc01.corp', 'app.localhost', 'router.home.arpa', 'mail.school.test', 'school.example', 'intranet'];

  it.each(privateNames)('%s is refused with a reason', (name) => {
    expect(parseDomain(name)).toEqual({ error: expect.stringMatching(/public domain|localhost|two parts/) });
  });

  it('a public suffix alone is not a domain', () => {
    expect(parseDomain('co.uk')).toEqual({ error: expect.stringMatching(/co\.uk is a public suffix/) });
  });

  it.each(['school.se', 'mail.school.co.uk', 'someone.github.io', 'bücher.example.com'])('%s is a public domain', (name) => {
    expect(parseDomain(name)).not.toHaveProperty('error');
  });

  describe('over HTTP', () => {
    let t: TestApp;
    beforeAll(() => {
      t = testApp(undefined, { dns: createDns({ servers: [dnsServer.server] }) });
    });
    afterAll(() => t.close());

    it('the check API: 400 with the reason, and no DNS query', async () => {
      const { queries } = await asked(async () => {
        for (const name of [...privateNames, 'co.uk']) {
          const res = await request(t.app).get(`/api/checks/email-domain?domain=${encodeURIComponent(name)}`);
          expect(res.status, name).toBe(400);
          expect(res.body.error.code).toBe('invalid_domain');
        }
        const res = await request(t.app).get('/api/checks/email-domain?domain=printer.local').expect(400);
        expect(res.body.error.message).toBe('domain: printer.local is not a public domain (.local is not a public domain ending); only public domains can be checked');
      });
      expect(queries).toEqual([]);
      await request(t.app).get('/api/checks/email-domain?domain=school.se').expect(200);
    });

    it("a flow's check step: 400 on the API, the step again with the reason on the page (422), and nothing stored", async () => {
      const start = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'sv', startAt: 'checkSpf' }).expect(201);
      const id = start.body.sessionId as string;
      const api = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { domain: 'router.home.arpa' } }).expect(400);
      expect(api.body.error.message).toMatch(/router\.home\.arpa is not a public domain/);
      const page = await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: 'files.internal' }).expect(422);
      expect(page.text).toContain('<html lang="sv">');
      expect(page.text).toContain('files.internal är ingen offentlig domän och kan därför inte kontrolleras från internet.');
      expect(page.text).toContain(`action="/s/${id}"`);
      expect((await t.store.listSteps(id)).map((s) => s.event)).toEqual(['START']);
      await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { domain: 'school.se' } }).expect(200);
    });
  });
});
