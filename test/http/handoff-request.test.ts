import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sv from '../../locales/sv/common.json' with { type: 'json' };
import { LANGUAGES, loadResources } from '../../server/i18n/locales.ts';
import { HANDOFF_FIELDS } from '../../server/render/handoff-form.ts';
import type { AppOptions } from '../../server/http/app.ts';
import { createLogger } from '../../server/http/log.ts';
import type { TestApp } from '../support/app.ts';
import { syncedApp } from '../support/content.ts';

/*
 * The participant's side of hand-offs: at an escalated ending a person asks support for help, by the API or by a
 * plain form (page and widget frame), and gets a confirmation with the ref. Only the request is tested here; the
 * outbox is never started, so deliveries stay pending.
 */
const WEBHOOK = { HANDOFF_WEBHOOK_URL: 'http://127.0.0.1:9/x', HANDOFF_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}` };
const texts = sv.handoff.request;
/** The path participant-no-email takes to its escalated ending (contactSupport). */
const TO_SUPPORT = ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED'];

const apps: TestApp[] = [];
async function app(config: NonNullable<AppOptions['config']> = {}, options: Partial<AppOptions> = {}) {
  const t = await syncedApp(undefined, { ...options, config: { ...WEBHOOK, HANDOFFS_PER_HOUR: 1000, ...config } });
  apps.push(t);
  return t;
}
afterEach(() => {
  for (const a of apps) expect(a.errors).toEqual([]);
});
afterAll(() => Promise.all(apps.map((a) => a.close())));

/** A session started by the API, walked with `events` (by default to the escalated ending). */
async function apiSession(t: TestApp, events = TO_SUPPORT, lng = 'sv') {
  const id = (await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng }).expect(201)).body.sessionId as string;
  for (const type of events) await request(t.app).post(`/api/sessions/${id}/events`).send({ type }).expect(200);
  return id;
}

/** A session started on the help site (or the widget's frame) in Swedish, answered with the page's forms. */
async function pageSession(t: TestApp, base = '', events = TO_SUPPORT, flowId = 'participant-no-email') {
  const start = await request(t.app).post(`${base}/flows/${flowId}`).set('accept-language', 'sv').type('form').send('').expect(303);
  const url = String(start.headers.location);
  for (const event of events) await request(t.app).post(url).type('form').send({ event }).expect(303);
  return { url, id: url.split('/').pop()! };
}

const handoff = (t: TestApp, id: string, body: object) => request(t.app).post(`/api/sessions/${id}/handoff`).send(body);

describe('POST /api/sessions/:id/handoff', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await app();
  });

  it('202 with the hand-off; it is stored with its story and a pending delivery to the configured webhook', async () => {
    const id = await apiSession(t);
    const res = await handoff(t, id, { message: '  Inget mejl sedan i måndags.  ', email: 'anna@example.se', name: 'Anna' }).expect(202);
    expect(res.body).toEqual({ handoff: { id: expect.any(String), status: 'open' } });
    const stored = (await t.store.handoffs.get(res.body.handoff.id))!;
    expect(stored.sessionId).toBe(id);
    expect(stored.story).toMatchObject({ message: 'Inget mejl sedan i måndags.', email: 'anna@example.se', name: 'Anna', outcome: 'escalated', stepId: 'contactSupport' });
    expect(stored.deliveries.map((d) => [d.channel, d.status, d.attempts])).toEqual([['webhook', 'pending', 0]]);
  });

  it('takes a message of 5,000 characters in any script (beyond the 16 KB other routes take), not one more', async () => {
    const a = await apiSession(t);
    await handoff(t, a, { message: '漢'.repeat(5000), email: 'kenji@example.jp' }).expect(202);
    const b = await apiSession(t);
    const long = await handoff(t, b, { message: 'x'.repeat(5001), email: 'kenji@example.jp' }).expect(400);
    expect(long.body.error.fields).toEqual({ message: 'tooLong' });
  });

  it('409 not_escalated before the ending, 409 handoff_exists for a second request, 404 for an unknown session', async () => {
    const early = await apiSession(t, ['OVER_A_MINUTE']);
    expect((await handoff(t, early, { message: 'Hej', email: 'a@example.se' }).expect(409)).body.error.code).toBe('not_escalated');

    const id = await apiSession(t);
    await handoff(t, id, { message: 'Hej', email: 'a@example.se' }).expect(202);
    expect((await handoff(t, id, { message: 'Igen', email: 'a@example.se' }).expect(409)).body.error.code).toBe('handoff_exists');
    expect(await t.store.handoffs.forSession(id)).toHaveLength(1);

    expect((await handoff(t, 'no-such-session', { message: 'Hej', email: 'a@example.se' }).expect(404)).body.error.code).toBe('unknown_session');
  });

  it('400 invalid_input naming every wrong field, wrong types included; unknown fields refused; nothing stored', async () => {
    const id = await apiSession(t);
    const res = await handoff(t, id, { message: '   ', email: 'anna@', name: 'A'.repeat(201) }).expect(400);
    expect(res.body.error).toEqual({ code: 'invalid_input', message: expect.any(String), fields: { message: 'required', email: 'invalid', name: 'tooLong' } });
    expect((await handoff(t, id, { email: 'anna@example.se' }).expect(400)).body.error.fields).toEqual({ message: 'required' });
    expect((await handoff(t, id, { message: 'Hej' }).expect(400)).body.error.fields).toEqual({ email: 'required' });
    expect((await handoff(t, id, { message: 42, email: ['a@example.se'] }).expect(400)).body.error.fields).toEqual({ message: 'invalid', email: 'invalid' });
    const unknown = await handoff(t, id, { message: 'Hej', email: 'a@example.se', phone: '070' }).expect(400);
    expect(unknown.body.error.code).toBe('invalid_input');
    expect(unknown.body.error.fields).toBeUndefined();
    expect(await t.store.handoffs.forSession(id)).toEqual([]);
  });

  it('415 for a body that is not JSON, 413 for one over 64 KB', async () => {
    const id = await apiSession(t);
    const plain = await request(t.app).post(`/api/sessions/${id}/handoff`).type('text/plain').send('message=Hej').expect(415);
    expect(plain.body.error.code).toBe('unsupported_media_type');
    const big = await handoff(t, id, { message: 'x'.repeat(70_000), email: 'a@example.se' }).expect(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });
});

describe('the form without JavaScript', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await app();
  });

  it('is offered at the escalated ending, with labelled fields the browser can fill in', async () => {
    const { url } = await pageSession(t);
    const page = (await request(t.app).get(url).expect(200)).text;
    expect(page).toContain(`<form method="post" action="${url}/handoff" novalidate>`);
    expect(page).toContain(texts.heading);
    expect(page).toMatch(/<textarea id="handoff-message" name="message" rows="6" maxlength="5000" data-counter="%n tecken kvar" required aria-describedby="handoff-message-hint">/);
    expect(page).toContain('Högst 5\u00a0000 tecken.');
    expect(page).toMatch(/<input type="email" id="handoff-email" name="email" autocomplete="email"[^>]* required aria-describedby="handoff-email-hint">/);
    expect(page).toMatch(/<input type="text" id="handoff-name" name="name" autocomplete="name" value="">/);
    expect(page).not.toContain('autofocus');

    // Not before the ending.
    const early = await pageSession(t, '', ['OVER_A_MINUTE']);
    expect((await request(t.app).get(early.url).expect(200)).text).not.toContain('id="handoff"');
    // Nor at the recipient's escalated endings: they send the person to the sender or their IT, not to our support.
    const recipient = await pageSession(t, '', ['SURVEY', 'NOT_IN_SPAM', 'SENT_TO_IT'], 'missing-email');
    const recipientPage = (await request(t.app).get(recipient.url).expect(200)).text;
    expect(recipientPage).toContain('outcome-escalated');
    expect(recipientPage).not.toContain('id="handoff"');
  });

  it('a refused request: 400, each error next to its field in Swedish, what was typed kept, the cursor in the first', async () => {
    const { url, id } = await pageSession(t);
    const res = await request(t.app).post(`${url}/handoff`).type('form').send({ message: '', email: 'anna@exempel', name: 'Anna <Ö>' }).expect(400);
    const page = res.text;
    expect(page).toContain('<html lang="sv">');
    expect(page).toContain(`<p class="field-error" id="handoff-message-error">${texts.errors.message.required}</p>`);
    expect(page).toContain(`<p class="field-error" id="handoff-email-error">${texts.errors.email.invalid}</p>`);
    expect(page).toMatch(/<textarea id="handoff-message"[^>]* aria-invalid="true" aria-describedby="handoff-message-hint handoff-message-error" autofocus><\/textarea>/);
    expect(page).toMatch(/<input type="email" id="handoff-email"[^>]* value="anna@exempel" required aria-invalid="true" aria-describedby="handoff-email-hint handoff-email-error">/);
    expect(page).toContain('value="Anna &lt;Ö&gt;"');
    expect(page.match(/autofocus/g)).toHaveLength(1);
    expect(page).toContain(`<title>${texts.errorTitle}: `);
    // The language links lead to the session page, which takes GET (this address only takes posts).
    expect(page).toContain(`href="/s/${id}?lng&#x3D;de"`);

    // Only the email wrong: the message typed is kept (escaped), and the cursor goes to the email.
    const again = await request(t.app).post(`${url}/handoff`).type('form').send({ message: 'Länken <b>fungerar inte</b> & mejlet saknas', email: '' }).expect(400);
    expect(again.text).toContain('>Länken &lt;b&gt;fungerar inte&lt;/b&gt; &amp; mejlet saknas</textarea>');
    expect(again.text).toContain(texts.errors.email.required);
    expect(again.text).toMatch(/<input type="email" id="handoff-email"[^>]* autofocus>/);
    expect(await t.store.handoffs.forSession(id)).toEqual([]);
  });

  it('a sent request: 303 to the session page, which shows the confirmation with the ref instead of the form; a second post is 409', async () => {
    const { url, id } = await pageSession(t);
    const sent = await request(t.app).post(`${url}/handoff`).type('form').send({ message: 'Länken fungerar inte.', email: 'anna@exempel.se', name: '' }).expect(303);
    expect(sent.headers.location).toBe(`${url}#handoff`);
    const ref = (await t.store.getSession(id))!.ref;
    const [stored] = await t.store.handoffs.forSession(id);
    expect(stored!.story).toMatchObject({ message: 'Länken fungerar inte.', email: 'anna@exempel.se', name: null });

    const page = (await request(t.app).get(url).expect(200)).text;
    expect(page).toContain(texts.sentHeading);
    expect(page).toContain(texts.sentRef.replace('{{ref}}', ref));
    expect(page).toContain(texts.sentNext);
    expect(page).not.toContain(`action="${url}/handoff"`);
    // The address given is personal data: it is not shown back on a page anyone with the link can open.
    expect(page).not.toContain('anna@exempel.se');

    const twice = await request(t.app).post(`${url}/handoff`).type('form').send({ message: 'Igen', email: 'anna@exempel.se' }).expect(409);
    expect(twice.text).toContain('<html lang="sv">');
    expect(twice.text).toContain(sv.errors.handoff_exists.title);
  });

  it('before the ending: a 409 page in the session language', async () => {
    const { url } = await pageSession(t, '', ['OVER_A_MINUTE']);
    const res = await request(t.app).post(`${url}/handoff`).type('form').send({ message: 'Hej', email: 'a@exempel.se' }).expect(409);
    expect(res.text).toContain('<html lang="sv">');
    expect(res.text).toContain(sv.errors.not_escalated.title);
  });

  it('in the widget frame: the same form, answered back into the frame', async () => {
    const { url } = await pageSession(t, '/embed');
    expect(url).toMatch(/^\/embed\/s\//);
    expect((await request(t.app).get(url).expect(200)).text).toContain(`action="${url}/handoff"`);
    const sent = await request(t.app).post(`${url}/handoff`).type('form').send({ message: 'Hej', email: 'a@exempel.se' }).expect(303);
    expect(sent.headers.location).toBe(`${url}#handoff`);
    expect((await request(t.app).get(url).expect(200)).text).toContain(texts.sentHeading);
  });

  it('has every error text in every language', () => {
    const resources = loadResources();
    const problems = { message: ['required', 'tooLong'], email: ['required', 'invalid'], name: ['tooLong'] } as const;
    expect(Object.keys(problems)).toEqual([...HANDOFF_FIELDS]);
    for (const lng of LANGUAGES) {
      const errors = (resources[lng].common as { handoff: { request: { errors: Record<string, Record<string, string>> } } }).handoff.request.errors;
      for (const [field, list] of Object.entries(problems)) for (const p of list) expect(errors[field]?.[p], `${lng} ${field}.${p}`).toMatch(/\S/);
    }
  });
});

describe('HANDOFF_REQUIRE_EMAIL=false', () => {
  it('the address becomes optional on the form and the API, and the confirmation says support cannot reply', async () => {
    const t = await app({ HANDOFF_REQUIRE_EMAIL: false });
    const { url } = await pageSession(t);
    const form = (await request(t.app).get(url).expect(200)).text;
    expect(form).toContain(texts.emailLabelOptional);
    expect(form).not.toMatch(/id="handoff-email"[^>]* required/);
    await request(t.app).post(`${url}/handoff`).type('form').send({ message: 'Hej', email: '' }).expect(303);
    expect((await request(t.app).get(url).expect(200)).text).toContain(texts.sentNoEmail);

    const id = await apiSession(t);
    await handoff(t, id, { message: 'Hej' }).expect(202);
    // Optional, but when given it must be an address.
    const other = await apiSession(t);
    expect((await handoff(t, other, { message: 'Hej', email: 'nej' }).expect(400)).body.error.fields).toEqual({ email: 'invalid' });
  });
});

describe('requests to support per client per hour', () => {
  it('the form and the API share one budget; refused requests do not count; then 429 with Retry-After', async () => {
    const t = await app({ HANDOFFS_PER_HOUR: 2 });
    const a = await pageSession(t);
    const b = await apiSession(t);
    const c = await apiSession(t);
    const d = await pageSession(t);

    // A typo and a request from the wrong step are answered, and use up nothing.
    await request(t.app).post(`${a.url}/handoff`).type('form').send({ message: '', email: 'x' }).expect(400);
    await handoff(t, await apiSession(t, ['OVER_A_MINUTE']), { message: 'Hej', email: 'a@exempel.se' }).expect(409);

    await request(t.app).post(`${a.url}/handoff`).type('form').send({ message: 'Hej', email: 'a@exempel.se' }).expect(303);
    await handoff(t, b, { message: 'Hej', email: 'a@exempel.se' }).expect(202);

    const limited = await handoff(t, c, { message: 'Hej', email: 'a@exempel.se' }).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const wait = Number(limited.headers['retry-after']);
    expect(wait).toBeGreaterThan(60);
    expect(wait).toBeLessThanOrEqual(3600);

    const page = await request(t.app).post(`${d.url}/handoff`).type('form').send({ message: 'Hej', email: 'a@exempel.se' }).expect(429);
    expect(page.text).toContain('<html lang="sv">');
    expect(page.text).toContain(sv.errors.rate_limited.title);
    expect(await t.store.handoffs.forSession(c)).toEqual([]);
  });
});

describe('the address given is personal data', () => {
  it('appears in no log line, whether the request is taken or refused', async () => {
    const raw: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        raw.push(chunk.toString());
        done();
      },
    });
    const t = await app({}, { logger: createLogger('info', stream) });
    const id = await apiSession(t);
    await handoff(t, id, { message: 'Hej', email: 'hemlig.person@exempel.se', name: 'Hemlig Person' }).expect(202);
    await handoff(t, id, { message: 'Hej', email: 'hemlig.person@exempel.se' }).expect(409);
    const { url } = await pageSession(t);
    await request(t.app).post(`${url}/handoff`).type('form').send({ message: '', email: 'hemlig.person@exempel' }).expect(400);
    await new Promise((r) => setTimeout(r, 20));
    expect(raw.join('\n')).toMatch(/handoff/);
    expect(raw.join('\n')).not.toMatch(/hemlig/i);
  });
});
