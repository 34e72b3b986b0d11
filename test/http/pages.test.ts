import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(() => {
  t = testApp();
});
afterAll(() => t.close());
afterEach(() => expect(t.errors).toEqual([]));

const FLOW = 'participant-no-email';

/** Starts a session through the start form, as a browser without JavaScript does. */
async function startSession(headers: Record<string, string> = {}) {
  const res = await request(t.app).post(`/flows/${FLOW}`).set(headers).type('form').send('').expect(303);
  expect(res.headers.location).toMatch(/^\/s\/[A-Za-z0-9_-]{22}$/);
  return res.headers.location as string;
}

const answer = (url: string, fields: Record<string, string>) =>
  request(t.app).post(url).type('form').send(fields).expect(303).expect('location', `${url}#step`);

describe('start page', () => {
  it('lists the flows in the visitor language, with a lang attribute', async () => {
    const res = await request(t.app).get('/').set('accept-language', 'de-DE,de;q=0.9,en;q=0.5').expect(200);
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).toContain('href="/flows/participant-no-email"');
    expect(res.text).toContain('Keine E-Mail erhalten?');
  });

  it('remembers ?lng= in a cookie that later visits use', async () => {
    const first = await request(t.app).get('/?lng=nb').set('accept-language', 'de').expect(200);
    expect(first.text).toContain('<html lang="no">');
    const cookie = first.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/^lng=no;/);
    expect(cookie).toMatch(/HttpOnly/i);
    const later = await request(t.app).get('/').set('cookie', 'lng=no').set('accept-language', 'de').expect(200);
    expect(later.text).toContain('<html lang="no">');
  });

  it('falls back to English for an unknown language', async () => {
    const res = await request(t.app).get('/').set('accept-language', 'fr-FR, it;q=0.5').expect(200);
    expect(res.text).toContain('<html lang="en">');
  });

  it('sets security headers', async () => {
    const res = await request(t.app).get('/').expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('a session without JavaScript', () => {
  it('walks to an outcome in chat style, with Back and Start over', async () => {
    const url = await startSession({ 'accept-language': 'sv-SE' });
    let page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('<html lang="sv">');
    expect(page.text).toContain('name="event" value="OVER_A_MINUTE"');
    expect(page.text).not.toContain('class="history"');

    await answer(url, { event: 'OVER_A_MINUTE' });
    await answer(url, { event: 'NOT_IN_SPAM' });
    page = await request(t.app).get(url).expect(200);
    // The questions asked so far, each with the answer given, then the current step.
    const history = page.text.slice(page.text.indexOf('class="history"'), page.text.indexOf('class="step'));
    expect(history.match(/bubble question/g)).toHaveLength(2);
    expect(history).toContain('När skickades mejlet?');
    expect(page.text).toContain('Participants');
    expect(page.text).toContain('name="back"');

    await answer(url, { back: '1' });
    page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('value="FOUND_IN_SPAM"');

    await answer(url, { restart: '1' });
    page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('value="OVER_A_MINUTE"');
    expect(page.text).not.toContain('name="back"');
  });

  it('shows the ref at an escalating outcome, without asking whether it solved the problem', async () => {
    const url = await startSession({ 'accept-language': 'en' });
    await answer(url, { event: 'OVER_A_MINUTE' });
    await answer(url, { event: 'NOT_IN_SPAM' });
    await answer(url, { event: 'LINK_FAILED' });
    const id = url.slice(3);
    const session = (await t.store.getSession(id))!;
    const page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('Handed to support');
    expect(page.text).toContain(`<span class="ref-code" id="session-ref">${session.ref}</span>`);
    expect(page.text).not.toContain('Did this solve your problem?');
  });

  it('records feedback at an ending', async () => {
    const url = await startSession({ 'accept-language': 'en' });
    await answer(url, { event: 'UNDER_A_MINUTE' });
    await answer(url, { event: 'ARRIVED' });
    const id = url.slice(3);
    let page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('Did this solve your problem?');

    await request(t.app)
      .post(`${url}/feedback`)
      .type('form')
      .send({ helpful: 'no', comment: '<script>alert(1)</script>' })
      .expect(303);
    expect(await t.store.listFeedback(id)).toMatchObject([{ helpful: false, comment: '<script>alert(1)</script>' }]);
    page = await request(t.app).get(url).expect(200);
    expect(page.text).toContain('Thank you for your feedback.');
    expect(page.text).not.toContain('<script>');
  });

  it('keeps the session when the language is switched', async () => {
    const url = await startSession({ 'accept-language': 'en' });
    await answer(url, { event: 'OVER_A_MINUTE' });
    const de = await request(t.app).get(`${url}?lng=de`).expect(200);
    expect(de.text).toContain('<html lang="de">');
    expect(de.text).toContain('Liegt die E-Mail im Spam-Ordner?');
    // The session now speaks German: the next answer's redirect lands in German too, whatever the browser says.
    await answer(url, { event: 'FOUND_IN_SPAM' });
    const next = await request(t.app).get(url).set('accept-language', 'sv').expect(200);
    expect(next.text).toContain('<html lang="de">');
    expect((await t.store.getSession(url.slice(3)))!.lng).toBe('de');
  });
});

describe('HTML errors are localized pages', () => {
  it('404 for an unknown flow, session or page, in the visitor language', async () => {
    const flow = await request(t.app).get('/flows/nope').set('accept-language', 'de').expect(404);
    expect(flow.headers['content-type']).toMatch(/text\/html/);
    expect(flow.text).toContain('<html lang="de">');
    const session = await request(t.app).get('/s/nope').set('accept-language', 'sv').expect(404);
    expect(session.text).toContain('<html lang="sv">');
    const page = await request(t.app).get('/no/such/page').set('accept-language', 'nb').expect(404);
    expect(page.text).toContain('<html lang="no">');
    await request(t.app).post('/flows/nope').type('form').send('').expect(404);
  });

  it('409 for a stale answer, with a way back to the session', async () => {
    const url = await startSession();
    const res = await request(t.app).post(url).type('form').send({ event: 'FOUND_IN_SPAM' }).expect(409);
    expect(res.text).toContain(`href="${url}"`);
    await request(t.app).post(url).type('form').send({ back: '1' }).expect(409);
  });

  it('400 for a form without an answer, 413 for a huge form', async () => {
    const url = await startSession();
    await request(t.app).post(url).type('form').send({}).expect(400);
    await request(t.app).post(url).type('form').send({ event: ['A', 'B'] }).expect(400);
    await request(t.app).post(`${url}/feedback`).type('form').send({ helpful: 'maybe' }).expect(400);
    const res = await request(t.app).post(url).type('form').send({ event: 'x'.repeat(300_000) });
    expect(res.status).toBe(413);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules/);
  });
});
