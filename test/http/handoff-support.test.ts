import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import en from '../../locales/en/common.json' with { type: 'json' };
import { createApp } from '../../server/http/app.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import { sqliteSql } from '../support/store-sql.ts';
import { addAgent, signIn } from '../support/agents.ts';
import { tempDir, type TestApp } from '../support/app.ts';

const TOKEN = 'status-token-0123456789abcdef';
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
const HOUR = 3600 * 1000;

/**
 * The store's clock, shifted by `offset`: hand-offs are made three hours in the past and solved now, so the time to
 * solved is a known 3.0 hours.
 */
let offset = 0;
let t: TestApp;
const tmp = tempDir();

beforeAll(() => {
  const file = join(tmp.dir, 'mailhelp.db');
  const { store, db } = openSqliteFile(file, { now: () => Date.now() + offset });
  const errors: unknown[] = [];
  const app = createApp({
    store,
    log: (err) => errors.push(err),
    config: {
      SESSIONS_PER_MINUTE: 100_000,
      STEPS_PER_MINUTE: 1_000_000,
      // A receiver that is never there (port 9, discard) and one attempt: a delivery fails at the first drain.
      HANDOFF_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      HANDOFF_WEBHOOK_SECRET: SECRET,
      HANDOFF_MAX_ATTEMPTS: 1,
      HANDOFF_STATUS_TOKEN: TOKEN,
    },
  });
  t = { app, store, sql: sqliteSql(db), file, errors, close: async () => (await store.close(), tmp.remove()) };
});
afterAll(() => t.close());
afterEach(() => expect(t.errors).toEqual([]));

const ctx = () => t.app.locals.ctx;

/** Walks participant-no-email in German to its escalated ending (as test/http/escalated-ending.test.ts does). */
async function escalatedSession(): Promise<string> {
  const start = await request(t.app).post('/flows/participant-no-email').set('accept-language', 'de').type('form').send('').expect(303);
  const url = String(start.headers.location);
  for (const event of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await request(t.app).post(url).type('form').send({ event }).expect(303);
  return url.split('/').pop()!;
}

async function newHandoff(message: string) {
  const sessionId = await escalatedSession();
  return ctx().handoffs.request(sessionId, { message, email: 'lena@example.de', name: 'Lena Schmidt' });
}

/** The row of one hand-off in the inbox's table. */
const rowOf = (html: string, id: string) => html.match(new RegExp(`<tr data-handoff="${id}">([\\s\\S]*?)</tr>`))?.[1] ?? '';

const signed = (body: string, secret = SECRET) => {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const at = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
};

describe('the support side of hand-offs', () => {
  let a: Awaited<ReturnType<typeof signIn>>;
  let b: Awaited<ReturnType<typeof signIn>>;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let older: Awaited<ReturnType<typeof newHandoff>>;
  let newer: Awaited<ReturnType<typeof newHandoff>>;

  beforeAll(async () => {
    await addAgent(t, 'anna@example.com', 'agent', 'Anna');
    await addAgent(t, 'bo@example.com', 'agent', 'Bo');
    await addAgent(t, 'root@example.com', 'admin', 'Root');
    [a, b, admin] = [await signIn(t, 'anna@example.com'), await signIn(t, 'bo@example.com'), await signIn(t, 'root@example.com')];
    offset = -3 * HOUR;
    older = await newHandoff('The invitation never arrived.');
    offset = -3 * HOUR + 60_000;
    newer = await newHandoff('Still nothing.\nPlease help.');
    offset = 0;
  });

  it('lists hand-offs newest first, with guide, language, age, and each channel’s delivery state', async () => {
    const page = (await a.client.get('/agent/inbox').expect(200)).text;
    expect(page).toContain(`<a href="/agent/inbox">${en.agent.inbox.nav}</a>`);
    expect(page.indexOf(`data-handoff="${newer.id}"`)).toBeGreaterThan(-1);
    expect(page.indexOf(`data-handoff="${newer.id}"`)).toBeLessThan(page.indexOf(`data-handoff="${older.id}"`));
    const row = rowOf(page, older.id);
    expect(row).toContain(older.story.ref);
    expect(row).toContain(`<td>${older.story.flowTitle}</td>`);
    expect(row).toContain('German');
    expect(row).toContain('3 hours ago');
    expect(row).toContain(`${en.agent.inbox.channels.webhook}: ${en.agent.inbox.delivery.pending}`);
    // The person's address is on the hand-off's own page, not in the list.
    expect(page).not.toContain('lena@example.de');

    // The receiver is down and one attempt is all there is: the delivery fails, and the inbox says so.
    expect(await ctx().outbox.drain()).toBe(2);
    const after = rowOf((await a.client.get('/agent/inbox').expect(200)).text, older.id);
    expect(after).toContain(`<li data-delivery="failed">${en.agent.inbox.channels.webhook}: ${en.agent.inbox.delivery.failed}</li>`);
  });

  it('links the ticket a channel made', async () => {
    // Sent as a help-desk channel records it (through the store's own operations): with the ticket's address.
    const failed = (await t.store.handoffs.failed(10)).find((d) => d.handoffId === older.id)!;
    await t.store.handoffs.retry(failed.id);
    const [lease] = await t.store.handoffs.claimDue('test', 60_000, 5);
    await t.store.handoffs.delivered(lease!.id, 'test', { externalId: '42', externalUrl: 'https://acme.zendesk.com/agent/tickets/42' });
    const page = (await a.client.get(`/agent/inbox/${lease!.handoffId}`).expect(200)).text;
    expect(page).toContain(`<a href="https://acme.zendesk.com/agent/tickets/42" rel="noopener noreferrer" target="_blank">${en.agent.inbox.delivery.sent}</a>`);
  });

  it('shows one hand-off with the person’s message, name, address and the transcript', async () => {
    const page = (await a.client.get(`/agent/inbox/${newer.id}`).expect(200)).text;
    expect(page).toContain('Still nothing.<br>Please help.<br>');
    expect(page).toContain('Lena Schmidt');
    expect(page).toContain('<a href="mailto:lena@example.de">lena@example.de</a>');
    expect(page).toContain(`href="/agent/s/${newer.sessionId}"`);
    // The console's transcript, in the agent's language: the way to the ending, step by step.
    const transcript = page.match(/<textarea id="handoff-transcript"[^>]*>([\s\S]*?)<\/textarea>/)?.[1] ?? '';
    expect(transcript).toContain(newer.story.ref);
    for (const step of newer.story.transcript) expect(transcript).toContain(step.title.replace(/'/g, '&#x27;'));
    await a.client.get('/agent/inbox/no-such-handoff').expect(404);
  });

  it('lets one agent claim a hand-off; another sees who has it (409), and counts per state are on the home page', async () => {
    await a.client.post(`/agent/inbox/${newer.id}/claim`).type('form').send({ _csrf: a.csrf }).expect(303).expect('location', `/agent/inbox/${newer.id}`);
    // Claiming again is harmless for the holder.
    await a.client.post(`/agent/inbox/${newer.id}/claim`).type('form').send({ _csrf: a.csrf }).expect(303);
    const refused = await b.client.post(`/agent/inbox/${newer.id}/claim`).type('form').send({ _csrf: b.csrf }).expect(409);
    expect(refused.text).toContain(en.agent.inbox.claimedByOther.replace('{{name}}', 'Anna'));
    expect((await t.store.handoffs.get(newer.id))!.claimedBy).not.toBeNull();
    // Without the form's token nothing changes.
    await b.client.post(`/agent/inbox/${older.id}/claim`).type('form').send({}).expect(403);

    const row = rowOf((await b.client.get('/agent/inbox').expect(200)).text, newer.id);
    expect(row).toContain(`<td data-state="claimed">${en.agent.inbox.status.claimed}</td>`);
    expect(row).toContain('<td>Anna</td>');

    const home = (await b.client.get('/agent').expect(200)).text;
    expect(home).toContain(`<a href="/agent/inbox?state=open" data-count="open">${en.agent.inbox.status.open}: 1</a>`);
    expect(home).toContain(`<a href="/agent/inbox?state=claimed" data-count="claimed">${en.agent.inbox.status.claimed}: 1</a>`);

    const claimed = (await b.client.get('/agent/inbox?state=claimed').expect(200)).text;
    expect(claimed).toContain(`data-handoff="${newer.id}"`);
    expect(claimed).not.toContain(`data-handoff="${older.id}"`);
    await b.client.get('/agent/inbox?state=lost').expect(400);
  });

  it('marks a hand-off done, and open again', async () => {
    await a.client.post(`/agent/inbox/${newer.id}/state`).type('form').send({ _csrf: a.csrf, state: 'done' }).expect(303);
    expect((await t.store.handoffs.get(newer.id))!.status).toBe('done');
    const page = (await a.client.get(`/agent/inbox/${newer.id}`).expect(200)).text;
    expect(page).toContain(`<dd data-state="done">${en.agent.inbox.status.done}</dd>`);
    expect(page).toContain(`value="open">${en.agent.inbox.reopen}</button>`);
    // A closed request is not claimed: the page says it is closed.
    const closed = await b.client.post(`/agent/inbox/${newer.id}/claim`).type('form').send({ _csrf: b.csrf }).expect(409);
    expect(closed.text).toContain(en.agent.inbox.claimClosed);
    await a.client.post(`/agent/inbox/${newer.id}/state`).type('form').send({ _csrf: a.csrf, state: 'open' }).expect(303);
    expect((await t.store.handoffs.get(newer.id))!).toMatchObject({ status: 'open', claimedBy: null });
    await a.client.post(`/agent/inbox/${newer.id}/state`).type('form').send({ _csrf: a.csrf, state: 'solved' }).expect(400);
    await a.client.post('/agent/inbox/nope/state').type('form').send({ _csrf: a.csrf, state: 'done' }).expect(404);
  });

  describe('the help desk reports back', () => {
    const post = (id: string) => request(t.app).post(`/api/handoffs/${id}/status`);

    it('refuses a report without a valid token or signature', async () => {
      const body = JSON.stringify({ status: 'solved' });
      expect((await post(older.id).type('json').send(body).expect(401)).body.error.code).toBe('unauthorized');
      await post(older.id).set('authorization', 'Bearer not-the-token-at-all').type('json').send(body).expect(401);
      // A signature over other bytes than those sent: the body was changed on the way.
      await post(older.id).set(signed(JSON.stringify({ status: 'open' }))).type('json').send(body).expect(401);
      await post(older.id).set(signed(body, `whsec_${Buffer.alloc(24, 8).toString('base64')}`)).type('json').send(body).expect(401);
      expect((await t.store.handoffs.get(older.id))!.status).toBe('open');
    });

    it('answers 400 for a bad body and 404 for an unknown hand-off', async () => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await post(older.id).set(auth).type('json').send('{"status":"closed"}').expect(400)).body.error.code).toBe('invalid_input');
      await post(older.id).set(auth).type('json').send('{"status":').expect(400);
      await post(older.id).set(auth).expect(400);
      expect((await post('no-such-handoff').set(auth).type('json').send('{"status":"solved"}').expect(404)).body.error.code).toBe('not_found');
    });

    it('records solved with the token: the session was resolved by support, and analytics shows it with the time', async () => {
      const res = await post(older.id).set('authorization', `Bearer ${TOKEN}`).type('json').send({ status: 'solved' }).expect(200);
      expect(res.body).toEqual({ handoff: { id: older.id, status: 'solved', solvedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });

      const session = (await a.client.get(`/agent/s/${older.sessionId}`).expect(200)).text;
      expect(session).toContain(en.agent.inbox.resolvedBySupport.replace(' ({{time}}).', ''));

      const figures = (await admin.client.get('/api/analytics/flows/participant-no-email').expect(200)).body;
      expect(figures.handoffs).toEqual({ total: 2, solved: 1, medianHoursToSolved: 3 });
      const page = (await admin.client.get('/admin/analytics').expect(200)).text;
      expect(page).toContain('<span class="figure" data-figure="handoffsSolved">1 / 2</span>');
      expect(page).toContain('<span class="figure" data-figure="handoffsMedian">3 h</span>');
      expect(page).toMatch(/<tr data-handoffs="participant-no-email"><th scope="row">[^<]+<\/th><td>2<\/td><td>1<\/td><td>3 h<\/td><\/tr>/);
    });

    it('takes a report signed with the webhook secret, and open hands it back to the inbox', async () => {
      const body = JSON.stringify({ status: 'solved' });
      const res = await post(newer.id).set(signed(body)).set('content-type', 'application/json').send(body).expect(200);
      expect(res.body.handoff).toMatchObject({ id: newer.id, status: 'solved' });
      const reopen = JSON.stringify({ status: 'open' });
      const back = await post(newer.id).set(signed(reopen)).set('content-type', 'application/json').send(reopen).expect(200);
      // Open again is not solved, whenever it once was.
      expect(back.body.handoff).toEqual({ id: newer.id, status: 'open', solvedAt: null });
      expect((await t.store.handoffs.get(newer.id))!.status).toBe('open');
    });
  });

  describe('failed deliveries, for administrators', () => {
    it('lists each failed delivery with its error and retries it', async () => {
      const third = await newHandoff('Nothing again.');
      await ctx().outbox.drain();
      const failed = (await t.store.handoffs.failed(10)).find((d) => d.handoffId === third.id)!;
      expect(failed.status).toBe('failed');

      const home = (await admin.client.get('/admin').expect(200)).text;
      expect(home).toContain(`<a href="/admin/deliveries">${en.admin.deliveries.link}</a>`);
      const page = (await admin.client.get('/admin/deliveries').expect(200)).text;
      const row = page.match(new RegExp(`<tr data-delivery="${failed.id}">([\\s\\S]*?)</tr>`))?.[1] ?? '';
      expect(row).toContain(en.agent.inbox.channels.webhook);
      expect(row).toContain(third.story.ref);
      expect(row).toContain('<td>1</td>');
      expect(row).toContain(`<code>${failed.lastError}</code>`);
      expect(failed.lastError).toBeTruthy();

      // Agents do not see it; a form without the token changes nothing.
      await a.client.get('/admin/deliveries').expect(403);
      await admin.client.post(`/admin/deliveries/${failed.id}/retry`).type('form').send({}).expect(403);

      await admin.client.post(`/admin/deliveries/${failed.id}/retry`).type('form').send({ _csrf: admin.csrf }).expect(303).expect('location', '/admin/deliveries');
      const retried = (await t.store.handoffs.get(third.id))!.deliveries[0]!;
      expect(retried).toMatchObject({ status: 'pending', attempts: 0 });
      expect((await admin.client.get('/admin/deliveries').expect(200)).text).not.toContain(`data-delivery="${failed.id}"`);
      // Retried already: there is no failed delivery of that id any more.
      await admin.client.post(`/admin/deliveries/${failed.id}/retry`).type('form').send({ _csrf: admin.csrf }).expect(404);
    });
  });
});
