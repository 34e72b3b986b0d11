import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { MAX_STEPS_PER_SESSION } from '../../server/store/types.ts';
import { tempDir, testApp, type TestApp } from '../support/app.ts';
import { ask, end, rewrittenDocument } from '../fixtures/documents.ts';
import { forgetPath, repeatStep, setPath } from '../support/store-sql.ts';

/*
 * No client can grow a session without bound: only a check step takes input, a session holds at most
 * MAX_STEPS_PER_SESSION rows (its path with them), and a person at the cap is told so and can start over.
 */
let t: TestApp;
beforeAll(() => {
  // No DNS is reached here: every check below is refused before it runs.
  t = testApp(undefined, { config: { DNS_SERVERS: '127.0.0.1:9', DNS_TIMEOUT_MS: 100 } });
});
afterAll(() => t.close());
afterEach(() => {
  // Whatever a client sends, no unexpected server error.
  expect(t.errors).toEqual([]);
});

const engine = () => t.app.locals.ctx.engine;
const rows = async (id: string) => (await t.store.listSteps(id)).length;

async function start(flowId = 'participant-no-email', extra: object = {}) {
  const res = await request(t.app).post('/api/sessions').send({ flowId, lng: 'en', ...extra }).expect(201);
  return res.body.sessionId as string;
}
const event = (id: string, body: object) => request(t.app).post(`/api/sessions/${id}/events`).send(body);

/** 5,000 nested arrays: 10 KB of JSON, under the body limit, deeper than JSON.stringify's stack. */
const DEEP = '['.repeat(5000) + ']'.repeat(5000);

/** Answer and Back through the engine (no HTTP: the cap is what is under test) until `count` rows are stored. */
async function fillTo(id: string, count: number) {
  for (let n = await rows(id); n < count; n++) {
    if (n % 2 === 1) await engine().send(id, 'OVER_A_MINUTE');
    else await engine().back(id);
  }
  expect(await rows(id)).toBe(count);
}

describe('data goes only with a check', () => {
  it('an answer with data is a 400 and stores nothing, whatever the data', async () => {
    const id = await start();
    for (const data of [{ domain: 'school.example' }, 'x', [1, 2], { note: 'x'.repeat(1000) }]) {
      const res = await event(id, { type: 'OVER_A_MINUTE', data }).expect(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.message).toMatch(/data/);
    }
    // CHECK at a step that has no check is no way round it.
    const check = await event(id, { type: 'CHECK', data: { domain: 'school.example' } }).expect(400);
    expect(check.body.error.message).toMatch(/no check/);
    expect((await t.store.listSteps(id)).map((r) => r.event)).toEqual(['START']);
    // The same answer without data goes on, and stores no data.
    await event(id, { type: 'OVER_A_MINUTE' }).expect(200);
    expect((await t.store.listSteps(id)).at(-1)).toMatchObject({ event: 'OVER_A_MINUTE', data: null });
  });

  it('at a check step, data is {"domain"} of bounded length and nothing else', async () => {
    const id = await start('participant-no-email', { startAt: 'checkSpf' });
    expect((await event(id, { type: 'CHECK', data: { domain: 'school.example', spf: 'ok' } }).expect(400)).body.error.message).toMatch(/data/);
    expect((await event(id, { type: 'CHECK', data: { domain: 'a'.repeat(298) + '.se' } }).expect(400)).body.error.message).toMatch(/300/);
    expect((await event(id, { type: 'CHECK', data: { domain: 7 } }).expect(400)).body.error.message).toMatch(/domain/);
    expect(await rows(id)).toBe(1);
  });

  it('5,000 nested arrays are a 400 on the API, wherever they are, never a 500', async () => {
    const id = await start();
    const json = (path: string, body: string) => request(t.app).post(path).set('content-type', 'application/json').send(body);
    for (const [path, body] of [
      [`/api/sessions/${id}/events`, `{"type":"OVER_A_MINUTE","data":${DEEP}}`],
      [`/api/sessions/${id}/events`, `{"type":"CHECK","data":{"domain":${DEEP}}}`],
      [`/api/sessions/${id}/events`, DEEP],
      [`/api/sessions/${id}/feedback`, `{"helpful":true,"comment":${DEEP}}`],
      ['/api/sessions', `{"flowId":${DEEP}}`],
    ] as const) {
      const res = await json(path, body);
      expect(res.status, `${path} ${body.slice(0, 40)}`).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    expect(await rows(id)).toBe(1);
  });

  it('the page form alike: a domain goes only with CHECK at a check step; a bad one is a 400 page', async () => {
    const plain = await start();
    const notCheck = await request(t.app).post(`/s/${plain}`).set('Accept-Language', 'de').type('form').send({ event: 'CHECK', domain: 'school.example' });
    expect(notCheck.status).toBe(400);
    expect(notCheck.text).toContain('<html lang="en">');
    const atCheck = await start('participant-no-email', { startAt: 'checkSpf' });
    const nested = await request(t.app).post(`/embed/s/${atCheck}`).type('form').send(`event=CHECK&domain=${encodeURIComponent('['.repeat(2000))}`);
    expect(nested.status).toBe(400);
    expect(nested.headers['content-type']).toMatch(/text\/html/);
    // The check step's form sends its text field with every button: with Skip it is not input, and is not kept.
    await request(t.app).post(`/s/${atCheck}`).type('form').send({ event: 'SKIP_CHECK', domain: 'typed.example' }).expect(303);
    expect((await t.store.listSteps(atCheck)).at(-1)).toMatchObject({ event: 'SKIP_CHECK', data: null });
  });
});

describe(`a session holds at most ${MAX_STEPS_PER_SESSION} rows`, () => {
  it('the notification-sender-setup loop, walked without Back, stops at the cap with 409 session_too_long', async () => {
    const id = await start('notification-sender-setup');
    // whatToSet → senderChoice → noReplySender, then round the loop
    // noReplySender → ownDomainSender → publishSpfRecord → checkMailbox → makeAddressReceive → noReplySender.
    await event(id, { type: 'SENDER_ADDRESS' }).expect(200);
    await event(id, { type: 'NOREPLY' }).expect(200);
    const loop = ['OWN_ADDRESS_INSTEAD', 'NO_SPF_RECORD', 'ADDED', 'TEST_FAILED', 'USE_NOREPLY'];
    let res: request.Response;
    let answered = 2;
    for (;;) {
      res = await event(id, { type: loop[(answered - 2) % loop.length] });
      if (res.status !== 200) break;
      answered++;
      expect(answered).toBeLessThan(MAX_STEPS_PER_SESSION);
    }
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'session_too_long', message: expect.stringMatching(/500 steps.*start over/) });
    expect(await rows(id)).toBe(MAX_STEPS_PER_SESSION);
    // Back would be a row too.
    expect((await request(t.app).post(`/api/sessions/${id}/back`).expect(409)).body.error.code).toBe('session_too_long');
    // The session can still be read, and its path is the cap at most.
    const read = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(read.body.history).toHaveLength(MAX_STEPS_PER_SESSION - 1);
    expect(await t.store.listPath(id)).toHaveLength(MAX_STEPS_PER_SESSION);
    expect(await rows(id)).toBe(MAX_STEPS_PER_SESSION);
  });

  it('answer and Back many times: the cap holds, the path stays short, and Start over continues in a new session', async () => {
    const id = await start();
    await fillTo(id, MAX_STEPS_PER_SESSION);
    expect((await t.store.listPath(id)).length).toBeLessThanOrEqual(2);
    expect((await event(id, { type: 'OVER_A_MINUTE' }).expect(409)).body.error.code).toBe('session_too_long');
    expect(await rows(id)).toBe(MAX_STEPS_PER_SESSION);

    const again = await request(t.app).post(`/api/sessions/${id}/restart`).expect(201);
    const next = again.body.sessionId as string;
    expect(next).not.toBe(id);
    expect(again.headers.location).toBe(`/api/sessions/${next}`);
    expect(again.body).toMatchObject({ flowId: 'participant-no-email', lng: 'en', step: { id: 'howLongAgo' }, history: [] });
    expect(await t.store.listSteps(next)).toMatchObject([{ event: 'START', data: { continues: id } }]);
    expect(await rows(id)).toBe(MAX_STEPS_PER_SESSION);
    // The new session goes on as any other.
    await event(next, { type: 'OVER_A_MINUTE' }).expect(200);
  });

  it.each(['', '/embed'])('the page%s says so in the session language, offers only Start over, and Start over goes on', async (base) => {
    const res = await request(t.app).post(`${base}/flows/participant-no-email`).set('Accept-Language', 'de').type('form').send({}).expect(303);
    const url = res.headers.location as string;
    const id = url.split('/').at(-1)!;
    await fillTo(id, MAX_STEPS_PER_SESSION);

    const page = await request(t.app).get(url).set('Accept-Language', 'en').expect(200);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Diese Sitzung ist zu lang geworden');
    expect(page.text).not.toContain('name="event"');
    expect(page.text).not.toContain('name="back"');
    expect(page.text).toContain('name="restart"');

    // A stale tab's answer: a page in the session's language, with the way back to the session.
    const stale = await request(t.app).post(url).type('form').send({ event: 'OVER_A_MINUTE' }).expect(409);
    expect(stale.text).toContain('<html lang="de">');
    expect(stale.text).toContain('Diese Sitzung kann nicht fortgesetzt werden');
    expect(stale.text).toContain(`href="${url}"`);

    const restarted = await request(t.app).post(url).type('form').send({ restart: '1' }).expect(303);
    const next = restarted.headers.location as string;
    // The new session, opened at its step.
    expect(next).toMatch(new RegExp(`^${base}/s/[A-Za-z0-9_-]{22}#step$`));
    expect(next).not.toBe(url);
    const fresh = await request(t.app).get(next).expect(200);
    expect(fresh.text).toContain('<html lang="de">');
    expect(fresh.text).toContain('name="event" value="OVER_A_MINUTE"');
    expect(await rows(id)).toBe(MAX_STEPS_PER_SESSION);
  });
  it('a full session whose flow changed under it is shown from the new first step, unstored; Start over goes on', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'changed.db');
    const before = testApp(file);
    const { session } = await before.app.locals.ctx.engine.start({ flowId: 'participant-no-email', lng: 'en' });
    for (let n = 1; n < MAX_STEPS_PER_SESSION; n++) {
      if (n % 2 === 1) await before.app.locals.ctx.engine.send(session.id, 'OVER_A_MINUTE');
      else await before.app.locals.ctx.engine.back(session.id);
    }
    await before.close();
    // A release that renamed the steps: the stored path no longer exists.
    const renamed = rewrittenDocument('participant-no-email', 'whenSent', { whenSent: ask({ RECENTLY: 'waited' }), waited: end('resolved') });
    const after = testApp(file, { flows: new FlowRegistry([renamed]) });
    try {
      const read = await request(after.app).get(`/api/sessions/${session.id}`).expect(200);
      expect(read.body).toMatchObject({ notice: 'flow_changed', step: { id: 'whenSent' }, history: [] });
      expect(await after.store.listSteps(session.id)).toHaveLength(MAX_STEPS_PER_SESSION);
      expect((await request(after.app).post(`/api/sessions/${session.id}/restart`).expect(201)).body.step.id).toBe('whenSent');
      expect(after.errors).toEqual([]);
    } finally {
      await after.close();
      tmp.remove();
    }
  });
});

describe('reading a session loads its path, never more', () => {
  it('a session stored before paths were kept: only the rows on the path its transcript makes', async () => {
    const id = await start();
    await fillTo(id, 41);
    await engine().send(id, 'OVER_A_MINUTE');
    await engine().send(id, 'NOT_IN_SPAM');
    await forgetPath(t.sql, id);
    expect((await t.store.listPath(id)).map((r) => r.seq)).toEqual([0, 41, 42]);
    const read = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(read.body.history.map((h: { stepId: string }) => h.stepId)).toEqual(['howLongAgo', 'checkSpam']);
  });

  it(`a path longer than the cap (stored before there was one) is read from its end, ${MAX_STEPS_PER_SESSION} rows at most`, async () => {
    const id = await start('notification-sender-setup');
    await engine().send(id, 'SENDER_ADDRESS');
    await engine().send(id, 'NOREPLY');
    // As an old release let it happen: the loop walked 600 times round, every row on the path.
    const last = (await t.store.listSteps(id)).at(-1)!;
    await repeatStep(t.sql, id, last.seq, Array.from({ length: 597 }, (_, i) => i + 3), { event: 'OWN_ADDRESS_INSTEAD', note: null });
    await setPath(t.sql, id, Array.from({ length: 600 }, (_, i) => i));
    expect(await t.store.listPath(id)).toHaveLength(MAX_STEPS_PER_SESSION);
    const read = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(read.body.history).toHaveLength(MAX_STEPS_PER_SESSION - 1);
    expect((await event(id, { type: 'KEEP_NOREPLY' }).expect(409)).body.error.code).toBe('session_too_long');
    expect((await request(t.app).post(`/api/sessions/${id}/restart`).expect(201)).body.step.id).toBe('whatToSet');
  });
});

describe('steps per minute', () => {
  it('one client has a budget of steps across sessions and surfaces; then 429 with Retry-After, reading goes on', async () => {
    const limited = testApp(undefined, { config: { STEPS_PER_MINUTE: 3 } });
    try {
      const api = (await request(limited.app).post('/api/sessions').send({ flowId: 'participant-no-email' }).expect(201)).body.sessionId;
      const page = (await request(limited.app).post('/flows/participant-no-email').set('Accept-Language', 'de').type('form').send({}).expect(303)).headers.location as string;
      await request(limited.app).post(`/api/sessions/${api}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
      await request(limited.app).post(`/api/sessions/${api}/back`).expect(200);
      await request(limited.app).post(page).type('form').send({ event: 'OVER_A_MINUTE' }).expect(303);

      const over = await request(limited.app).post(`/api/sessions/${api}/restart`).expect(429);
      expect(over.body.error).toEqual({ code: 'rate_limited', message: expect.stringMatching(/steps/) });
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      const form = await request(limited.app).post(page).type('form').send({ back: '1' }).expect(429);
      expect(form.text).toContain('Zu viele Anfragen');
      // Starting and reading are not steps.
      await request(limited.app).get(`/api/sessions/${api}`).expect(200);
      await request(limited.app).post('/api/sessions').send({ flowId: 'participant-no-email' }).expect(201);
      expect(await limited.store.listSteps(api)).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });
});
