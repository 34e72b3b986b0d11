import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import type { EmailDomainReport } from '../../server/checks/email-domain.ts';
import { createI18n, tFor } from '../../server/i18n/i18n.ts';
import { checkView } from '../../server/render/check.ts';
import { addAgent, signIn } from '../support/agents.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { startDnsServer } from '../support/dns-server.ts';

/** Handlebars escapes `=` and quotes in text; compare with what a browser shows. */
const shown = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'");

/* A check step in a flow, end to end: the form on the page, the live lookup, the verdicts and the record to publish. */
let t: TestApp;
let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dnsServer = await startDnsServer({
    'school.se': [
      { type: 'TXT', value: 'v=spf1 include:_spf.google.com ~all' },
      { type: 'MX', value: '10 mx.school.se' },
    ],
    '_dmarc.school.se': [{ type: 'TXT', value: 'v=DMARC1; p=none' }],
    'typo.se': [
      { type: 'TXT', value: 'v=spf1 include:_spf.google.com ip4:192.0.2.1:25 a/33 include:amazonses.com -all' },
      { type: 'MX', value: '10 mx.typo.se' },
    ],
    'kurs.foretag.se': [
      { type: 'TXT', value: 'v=spf1 include:amazonses.com ~all' },
      { type: 'MX', value: '10 mx.kurs.se' },
    ],
    '_spf.google.com': [{ type: 'TXT', value: 'v=spf1 ip4:192.0.2.0/24 ~all' }],
    'amazonses.com': [{ type: 'TXT', value: 'v=spf1 ip4:198.51.100.0/24 -all' }],
  });
  t = testApp(undefined, { dns: createDns({ servers: [dnsServer.server], timeoutMs: 500 }) });
});
afterAll(async () => {
  await t.close();
  dnsServer.close();
});

async function sessionAtCheck(lng = 'en') {
  const res = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng, startAt: 'checkSpf' }).expect(201);
  expect(res.body.step.kind).toBe('check');
  return res.body.sessionId as string;
}

describe('a check step on the page', () => {
  it('takes the domain in a plain form and shows the verdicts and the one record to publish', async () => {
    const id = await sessionAtCheck();
    const form = await request(t.app).get(`/s/${id}`).expect(200);
    expect(form.text).toContain('name="domain"');
    expect(form.text).toContain('value="CHECK"');
    expect(form.text).toContain('value="SKIP_CHECK"');
    await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: 'School.SE' }).expect(303);
    const page = await request(t.app).get(`/s/${id}`).expect(200);
    page.text = shown(page.text);
    expect(page.text).toContain('data-part="spf" data-status="include_missing"');
    expect(page.text).toContain('data-part="dmarc" data-status="none_policy"');
    expect(page.text).toContain('<code>v=spf1 include:_spf.google.com include:amazonses.com ~all</code>');
    expect(page.text).toContain('<code>school.se. IN TXT "v=spf1 include:_spf.google.com include:amazonses.com ~all"</code>');
    expect(page.text).toContain('Checked school.se');
    expect(page.text).toContain('value="PUBLISHED"');
    // The participant page shows no raw records; the console does.
    expect(page.text).not.toContain('raw-records');
  });

  it('opens at the step, with the result first: the step below refers to "the record shown above"', async () => {
    const id = await sessionAtCheck();
    const res = await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: 'school.se' }).expect(303);
    expect(res.headers.location).toBe(`/s/${id}#step`);
    const page = (await request(t.app).get(`/s/${id}`).expect(200)).text;
    const at = (s: string) => {
      expect(page).toContain(s);
      return page.indexOf(s);
    };
    expect(at('id="step"')).toBeLessThan(at('id="check-heading"'));
    expect(at('<pre class="record">')).toBeLessThan(at('id="step-title"'));
    expect(at('id="step-title"')).toBeLessThan(at('<div class="body">'));
  });

  it('DMARC is a finding only in the guide whose article asks for it: elsewhere it is neutral information', async () => {
    const id = await sessionAtCheck();
    await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: 'school.se' }).expect(303);
    const page = await request(t.app).get(`/s/${id}`).expect(200);
    expect(page.text).toContain('class="verdict verdict-info" data-part="dmarc" data-status="none_policy"');
    const api = await request(t.app).get(`/api/sessions/${id}?lng=en`).expect(200);
    expect(api.body.step.check.verdicts[2]).toMatchObject({ part: 'dmarc', tone: 'info' });

    const hubspot = await request(t.app).post('/api/sessions').send({ flowId: 'delivered-not-in-inbox', lng: 'en', startAt: 'checkSendingDomain' }).expect(201);
    const checked = await request(t.app).post(`/api/sessions/${hubspot.body.sessionId}/events`).send({ type: 'CHECK', data: { domain: 'school.se' } }).expect(200);
    expect(checked.body.step.check.verdicts[2]).toMatchObject({ part: 'dmarc', tone: 'warn' });
  });

  it("shows Learnifier's sender pattern resolved for the domain the person checked, in the page and the API", async () => {
    const id = await sessionAtCheck('sv');
    const before = await request(t.app).get(`/s/${id}`).expect(200);
    expect(before.text).not.toContain('\uE004');
    await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: 'kurs.foretag.se' }).expect(303);
    const page = await request(t.app).get(`/s/${id}`).expect(200);
    expect(page.text).toContain('data-status="ok"');
    expect(page.text).toContain('<code>NOREPLY@kurs.foretag.se</code>');
    expect(page.text).not.toContain('\uE004');
    const api = await request(t.app).get(`/api/sessions/${id}?lng=de`).expect(200);
    expect(api.body.step.bodyHtml).toContain('<code>NOREPLY@kurs.foretag.se</code>');
  });

  it('a bad domain is said next to the field on the page (422) and is a 400 in the API', async () => {
    const id = await sessionAtCheck('de');
    const page = await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: '127.0.0.1' }).expect(422);
    expect(page.text).toContain('<html lang="de">');
    const api = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { domain: 'localhost' } }).expect(400);
    expect(api.body.error.message).toMatch(/localhost/);
    // Only the engine sends results: a client's is not an option, and its made-up report is not input it may send.
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK_RESULT' }).expect(409);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK_RESULT', data: { spf: { status: 'ok' } } }).expect(400);
    expect((await t.store.listSteps(id)).map((s) => s.event)).toEqual(['START']);
  });

  it.each([
    ['sv', '', 'Skriv först in din avsändardomän, till exempel example.com.'],
    ['de', '127.0.0.1', '127.0.0.1 ist eine IP-Adresse, keine Domain.'],
    ['no', 'https://[2001:db8::1]/', '2001:db8::1 er en IP-adresse, ikke et domene.'],
    ['en', 'mailserver', 'mailserver has no ending such as .com or .se.'],
    ['sv', 'skola.local', 'skola.local är ingen offentlig domän'],
    ['de', 'co.uk', 'co.uk ist eine Endung, unter der jeder Domains registrieren kann'],
  ])('[%s] "%s" cannot be checked: the step again with the message next to the field, what was typed kept', async (lng, domain, message) => {
    const id = await sessionAtCheck(lng);
    // The session's language, whatever the browser asks for.
    const page = await request(t.app).post(`/s/${id}`).set('accept-language', 'en').type('form').send({ event: 'CHECK', domain }).expect(422);
    expect(page.text).toContain(`<html lang="${lng}">`);
    expect(page.text).toContain('<h1 id="step-title"');
    expect(page.text).not.toContain(tFor(createI18n(), lng as 'sv')('errors.invalid_domain.title'));
    const field = page.text.match(/<p class="error" id="domain-error">([^<]*)<\/p>\s*<input type="text" id="domain" name="domain"[^>]*>/);
    expect(field, page.text).not.toBeNull();
    expect(shown(field![1]!)).toContain(message);
    expect(shown(field![0])).toContain(`value="${domain}"`);
    expect(field![0]).toContain('aria-invalid="true"');
    expect(field![0]).toContain('aria-describedby="domain-hint domain-error"');
    expect((await t.store.listSteps(id)).map((s) => s.event)).toEqual(['START']);
    // The API answers as it did: the contract's error, no more.
    const api = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { domain } }).expect(400);
    expect(Object.keys(api.body.error).sort()).toEqual(['code', 'message']);
    expect(api.body.error.code).toBe('invalid_domain');
  });

  it('a pasted web address is offered its registrable domain, which one click checks; sent again as is, it is checked as typed', async () => {
    const id = await sessionAtCheck('sv');
    const typed = 'https://www.företag.se/kontakt';
    const offer = await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: typed }).expect(200);
    expect(offer.text).toContain(`value="${typed}"`);
    expect(offer.text).toContain(
      'www.företag.se är adressen till en webbplats. Mejlen kommer oftast från själva domänen: företag.se. Vill du ändå kontrollera www.företag.se trycker du på ”Kontrollera min domän nu” igen.',
    );
    expect(offer.text).toContain('<button type="submit" name="use" value="företag.se" autofocus>Kontrollera företag.se</button>');
    expect(offer.text).toContain(`<input type="hidden" name="seen" value="${typed}">`);
    expect((await t.store.listSteps(id)).map((s) => s.event)).toEqual(['START']);

    // One click: the browser sends the field, the hidden text and the button.
    await request(t.app).post(`/s/${id}`).type('form').send({ domain: typed, seen: typed, use: 'företag.se' }).expect(303);
    const checked = (await t.store.listSteps(id)).at(-1)!;
    expect(checked.event).toBe('CHECK_RESULT');
    expect(checked.data).toMatchObject({ domain: 'xn--fretag-wxa.se', domainUnicode: 'företag.se' });

    // The check button again, on the same text: checked as typed.
    const again = await sessionAtCheck('sv');
    await request(t.app).post(`/s/${again}`).type('form').send({ event: 'CHECK', domain: typed, seen: typed }).expect(303);
    expect((await t.store.listSteps(again)).at(-1)!.data).toMatchObject({ domainUnicode: 'www.företag.se' });
    // A sending subdomain is no web address: checked as typed at once.
    const sub = await sessionAtCheck('en');
    await request(t.app).post(`/s/${sub}`).type('form').send({ event: 'CHECK', domain: 'news.school.se' }).expect(303);
    expect((await t.store.listSteps(sub)).at(-1)!.data).toMatchObject({ domainUnicode: 'news.school.se' });
  });

  it('the API step carries the verdicts in the session language and the raw report', async () => {
    const id = await sessionAtCheck('sv');
    const res = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { domain: 'school.se' } }).expect(200);
    expect(res.body.step.id).toBe('publishSuggestedRecord');
    expect(res.body.step.check.record).toBe('v=spf1 include:_spf.google.com include:amazonses.com ~all');
    expect(res.body.step.check.report.spf.status).toBe('include_missing');
    expect(res.body.step.check.verdicts.map((v: { part: string }) => v.part)).toEqual(['spf', 'mx', 'dmarc']);
    // The report is kept in the transcript with the step.
    const steps = await t.store.listSteps(id);
    expect(steps.at(-1)).toMatchObject({ event: 'CHECK_RESULT', data: { domain: 'school.se' } });
  });

  it('an invalid record: each broken term with its rule in plain words, and the record to publish says what it changed', async () => {
    const id = await sessionAtCheck('de');
    await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', domain: 'typo.se' }).expect(303);
    const page = await request(t.app).get(`/s/${id}`).expect(200);
    page.text = shown(page.text);
    expect(page.text).toContain('data-part="spf" data-status="invalid"');
    expect(page.text).toContain('<li>ip4:192.0.2.1:25 braucht eine vollständige IPv4-Adresse: vier Zahlen von 0 bis 255 und keinen Port');
    expect(page.text).toContain('<li>a/33 hat eine ungültige Präfixlänge.');
    expect(page.text).toContain('<code>v=spf1 include:_spf.google.com ip4:192.0.2.1 include:amazonses.com -all</code>');
    expect(page.text).toContain('<li>Der Eintrag unten enthält ip4:192.0.2.1 statt ip4:192.0.2.1:25.</li>');
    expect(page.text).toContain('<li>Der Eintrag unten lässt a/33 weg.</li>');

    const api = await request(t.app).get(`/api/sessions/${id}?lng=en`).expect(200);
    expect(api.body.step.check.report.spf.errors).toEqual([
      { code: 'bad_ip4', term: 'ip4:192.0.2.1:25', domain: 'typo.se', fix: 'ip4:192.0.2.1' },
      { code: 'bad_cidr', term: 'a/33', domain: 'typo.se', fix: null },
    ]);
  });

  it('a term shows control characters and invisible marks visibly, and UTF-8 decoded; a report stored before errors existed still renders', () => {
    const report = {
      domain: 'x.se',
      domainUnicode: 'x.se',
      spf: { status: 'invalid', records: [], lookups: 0, voidLookups: 0, missingIncludes: [], suggestedRecord: null, bindLine: null, all: null, problems: ['syntax'] },
      mx: { status: 'ok', hosts: [] },
      dmarc: { status: 'missing', record: null, policy: null },
    } as unknown as EmailDomainReport;
    const en = tFor(createI18n(), 'en');
    expect(checkView(report, en).verdicts[0]!.details).toEqual([]);
    report.spf.errors = [
      { code: 'control_char', term: 'a:x.se\rptr', domain: 'x.se' },
      // As the resolver hands them over: UTF-8 bytes one per character (a byte order mark, then ü), and a byte that is not UTF-8.
      { code: 'non_ascii', term: 'a:\u00ef\u00bb\u00bfb\u00c3\u00bccher.example', domain: 'x.se' },
      { code: 'non_ascii', term: '\u0096all', domain: 'x.se' },
    ];
    expect(checkView(report, en).verdicts[0]!.details.map((d) => d.split(' ')[0])).toEqual(['a:x.se\u240dptr', 'a:[U+FEFF]bücher.example', '[U+0096]all']);
  });

  it('agents see the raw records', async () => {
    await addAgent(t, 'check@example.com');
    const { client, csrf } = await signIn(t, 'check@example.com');
    const start = await client.post('/agent/start').type('form').send({ _csrf: csrf, flowId: 'participant-no-email', lng: 'en', step: 'checkSpf' }).expect(303);
    const url = start.headers.location as string;
    await client.post(url).type('form').send({ _csrf: csrf, event: 'CHECK', domain: 'school.se' }).expect(303);
    const page = await client.get(url).expect(200);
    page.text = shown(page.text);
    expect(page.text).toContain('raw-records');
    expect(page.text).toContain('<code>v=spf1 include:_spf.google.com ~all</code>');
    expect(page.text).toContain('<code>v=DMARC1; p=none</code>');
    const transcript = await client.get(`/api/sessions/${url.split('/').pop()}/transcript?format=text`).expect(200);
    expect(transcript.text).toContain('Checked school.se: SPF include_missing, MX ok, DMARC none_policy');
  });
});
