import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { startDnsServer } from '../support/dns-server.ts';
import { dkimKey, senderZone, signedMessage } from '../support/signed-mail.ts';

/* Pasted headers end to end: the API, and a guide's headers step in a plain form (no JavaScript) and over the API. */
const key = dkimKey();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/headers/${name}`, import.meta.url), 'utf8');
let t: TestApp;
let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dnsServer = await startDnsServer(senderZone(key.record));
  t = testApp(undefined, { dns: createDns({ servers: [dnsServer.server], timeoutMs: 500 }) });
});
afterAll(async () => {
  await t.close();
  dnsServer.close();
});

describe('POST /api/checks/headers', () => {
  it('reports on headers signed here: the selector and signing domain, the header signature, DMARC', async () => {
    const res = await request(t.app).post('/api/checks/headers').send({ headers: await signedMessage(key.privateKey) }).expect(200);
    expect(res.body.dkim.signatures[0]).toMatchObject({ domain: 'sender.example.com', selector: 's1', key: 'found', headers: 'valid', status: 'unverified' });
    expect(res.body.spf.status).toBe('pass');
    expect(res.body.dmarc.status).toBe('pass');
    expect(JSON.stringify(res.body)).not.toContain('SECRET-BODY-LINE');
  });

  it('reads the spam verdict of a Microsoft 365 sample', async () => {
    const res = await request(t.app).post('/api/checks/headers').send({ headers: fixture('outlook-junk.txt') }).expect(200);
    expect(res.body.spam).toMatchObject({ status: 'spam', scl: 5, sfv: 'SPM' });
  });

  it.each([
    ['text without headers', { headers: 'hello, this is not a header block' }, 400, 'invalid_input'],
    ['an empty paste', { headers: '' }, 400, 'invalid_input'],
    ['a number', { headers: 42 }, 400, 'invalid_input'],
    ['another field', { text: 'Received: from x' }, 400, 'invalid_input'],
    ['80 KB of headers', { headers: `Received: from a\n${'X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(1000)}` }, 413, 'payload_too_large'],
  ])('%s', async (_name, body, status, code) => {
    const res = await request(t.app).post('/api/checks/headers').send(body).expect(status);
    expect(res.body.error.code).toBe(code);
  });
});

async function sessionAtHeaders() {
  const res = await request(t.app).post('/api/sessions').send({ flowId: 'delivered-not-in-inbox', lng: 'en' }).expect(201);
  const id = res.body.sessionId as string;
  for (const type of ['DELIVERED', 'NOT_IN_JUNK', 'PASTE_HEADERS']) await request(t.app).post(`/api/sessions/${id}/events`).send({ type }).expect(200);
  return id;
}

describe("the guide's headers step", () => {
  it('takes the headers in a plain form, shows what they say, and goes on by the verdicts', async () => {
    const id = await sessionAtHeaders();
    const form = await request(t.app).get(`/s/${id}`).expect(200);
    expect(form.text).toContain('<textarea id="headers" name="headers"');
    expect(form.text).toContain('<strong>View message source</strong>');
    await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', headers: fixture('exchange-quarantine.txt') }).expect(303);
    const page = (await request(t.app).get(`/s/${id}`).expect(200)).text;
    // SCL 9 with SPF, DKIM and DMARC passing: the allow-list advice.
    expect(page).toContain('id="step-title" tabindex="-1">Help a recipient who keeps missing your emails');
    expect(page).toContain('data-part="spam" data-status="spam"');
    expect(page).toContain('data-part="dkim" data-status="pass"');
    expect(page).toContain('X-Forefront-Antispam-Report, X-MS-Exchange-Organization-SCL (SCL 9, SFV SPM)');
    expect(page).toContain('Headers checked');
  });

  it('says next to the box why pasted text was not checked, keeping it', async () => {
    const id = await sessionAtHeaders();
    const res = await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', headers: 'just some words' }).expect(422);
    expect(res.text).toContain('id="headers-error"');
    expect(res.text).toContain('just some words</textarea>');
  });

  it('over the API: {headers} with CHECK, the report and its words in the step', async () => {
    const id = await sessionAtHeaders();
    const res = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { headers: fixture('outlook-junk.txt') } }).expect(200);
    // SPF softfail comes first: the sender's setup.
    expect(res.body.step.id).toBe('checkDomainSetup');
    expect(res.body.step.check.report.spf.status).toBe('softfail');
    expect(res.body.step.check.verdicts.map((v: { part: string }) => v.part)).toEqual(['spf', 'dkim', 'dmarc', 'spam']);
    const bad = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { headers: 'x' } }).expect(400);
    expect(bad.body.error.code).toBe('invalid_input');
  });

  it('refuses a domain at a headers step and headers at a domain step', async () => {
    const id = await sessionAtHeaders();
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { domain: 'example.com' } }).expect(400);
  });
});

describe("the survey guide's bounce step", () => {
  const bounce = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url), 'utf8');
  async function sessionAtBounce() {
    const res = await request(t.app).post('/api/sessions').send({ flowId: 'survey-emails-blocked', lng: 'sv' }).expect(201);
    const id = res.body.sessionId as string;
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'GOT_BOUNCE' }).expect(200);
    return id;
  }

  it('takes the bounce in a plain form, explains it, and goes on to the SPF settings for an SPF refusal', async () => {
    const id = await sessionAtBounce();
    expect((await request(t.app).get(`/s/${id}`).expect(200)).text).toContain('<textarea id="bounce-text" name="text"');
    await request(t.app).post(`/s/${id}`).type('form').send({ event: 'CHECK', text: bounce('exchange-sv-spf.txt') }).expect(303);
    const page = (await request(t.app).get(`/s/${id}`).expect(200)).text;
    expect(page).toContain('data-category="spf"');
    expect(page).toContain('Meddelandet som kom tillbaka har lästs');
    const api = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(api.body.step.id).toBe('whichServer');
    expect(api.body.step.check.report.category).toBe('spf');
  });

  it('over the API: a full mailbox is not about the filter; text without a code is refused next to the box', async () => {
    const id = await sessionAtBounce();
    const res = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'CHECK', data: { text: bounce('gmail-mailbox-full.txt') } }).expect(200);
    expect(res.body.step.id).toBe('bounceNotFilter');
    const other = await sessionAtBounce();
    const refused = await request(t.app).post(`/s/${other}`).type('form').send({ event: 'CHECK', text: 'hej, mejlet kom tillbaka' }).expect(422);
    expect(refused.text).toContain('id="bounce-error"');
    await request(t.app).post(`/api/sessions/${other}/events`).send({ type: 'CHECK', data: { headers: 'Received: x' } }).expect(400);
  });
});
