import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent, signIn } from '../support/agents.ts';
import { testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let anna: Awaited<ReturnType<typeof signIn>>;
let boss: Awaited<ReturnType<typeof signIn>>;
let annaId: number;
beforeAll(async () => {
  t = testApp();
  annaId = (await addAgent(t, 'anna@example.com', 'agent', 'Anna')).id;
  await addAgent(t, 'boss@example.com', 'admin', 'Boss');
  anna = await signIn(t, 'anna@example.com');
  boss = await signIn(t, 'boss@example.com');
});
afterAll(() => t.close());

const XSS = '<script>alert("x")</script>';

async function startTriage(fields: Record<string, string> = {}) {
  const res = await anna.client
    .post('/agent/start')
    .type('form')
    .send({ _csrf: anna.csrf, flowId: 'participant-no-email', lng: 'no', ...fields })
    .expect(303);
  return (res.headers.location as string).split('/').pop()!;
}

const act = (id: string, fields: Record<string, string>, who = anna) =>
  who.client.post(`/agent/s/${id}`).type('form').send({ _csrf: who.csrf, ...fields }).expect(303);

describe('triage', () => {
  it('shows agent wording in the caller language beside the participant text, chrome in the agent language', async () => {
    const id = await startTriage({ ticketRef: 'T-1001' });
    const page = await anna.client.get(`/agent/s/${id}`).set('accept-language', 'en').expect(200);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('For the caller');
    expect(page.text).toContain('T-1001');
    expect(page.text).toContain("Spør kunden"); // Norwegian agent wording
    expect(page.text).toContain('<div class="readout" lang="no"');
    expect(page.text).toContain('data-key="1"');
    const session = (await t.store.getSession(id))!;
    expect(session).toMatchObject({ audience: 'agent', channel: 'agent', agentId: annaId, ticketRef: 'T-1001', lng: 'no' });
    expect(session.takenOverAt).toBeGreaterThan(0);
  });

  it('stores a note with the step it was written at, and who took each step', async () => {
    const id = await startTriage();
    await act(id, { event: 'OVER_A_MINUTE', note: 'Sent yesterday at 14:00' });
    await act(id, { event: 'NOT_IN_SPAM', note: '' });
    await act(id, { back: '1' });
    await act(id, { event: 'NOT_IN_SPAM' });
    await act(id, { event: 'LINK_FAILED' });
    await act(id, { saveNote: '1', note: 'Escalated to 2nd line' });
    const steps = await t.store.listSteps(id);
    expect(steps.map((s) => [s.state, s.event, s.note])).toEqual([
      ['howLongAgo', 'START', 'Sent yesterday at 14:00'],
      ['checkSpam', 'OVER_A_MINUTE', null],
      ['sendLoginLink', 'NOT_IN_SPAM', null],
      ['checkSpam', 'BACK', null],
      ['sendLoginLink', 'NOT_IN_SPAM', null],
      ['contactSupport', 'LINK_FAILED', 'Escalated to 2nd line'],
    ]);
    expect(new Set(steps.map((s) => s.agentId))).toEqual(new Set([annaId]));
    const page = await anna.client.get(`/agent/s/${id}`).expect(200);
    expect(page.text).toContain('Sent yesterday at 14:00');
    expect(page.text).toContain('>Escalated to 2nd line</textarea>');
  });

  it('refuses an answer that is not an option, without losing the note', async () => {
    const id = await startTriage();
    await anna.client.post(`/agent/s/${id}`).type('form').send({ _csrf: anna.csrf, event: 'NOPE', note: 'x' }).expect(409);
    await anna.client.post(`/agent/s/${id}`).type('form').send({ _csrf: anna.csrf }).expect(400);
    await anna.client.post('/agent/start').type('form').send({ _csrf: anna.csrf, flowId: 'nope', lng: 'no' }).expect(404);
    await anna.client.post('/agent/start').type('form').send({ _csrf: anna.csrf, flowId: 'participant-no-email', lng: 'fr' }).expect(400);
  });
});

describe('hand-off by ref', () => {
  it('picks up a participant session by its code and continues it in agent wording', async () => {
    const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'sv' }).expect(201);
    const id = started.body.sessionId;
    for (const type of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED'])
      await request(t.app).post(`/api/sessions/${id}/events`).send({ type }).expect(200);
    // Typed as a person reads it out: lower case, no dash.
    const typed = started.body.ref.toLowerCase().replace('-', ' ');
    await boss.client.post('/agent/pickup').type('form').send({ _csrf: boss.csrf, ref: typed }).expect(303).expect('location', `/agent/s/${id}`);
    const session = (await t.store.getSession(id))!;
    expect(session.agentId).not.toBeNull();
    expect(session.takenOverAt).toBeGreaterThan(0);
    expect(session.audience).toBe('participant'); // the participant's own page keeps its wording
    const page = await boss.client.get(`/agent/s/${id}`).expect(200);
    expect(page.text.match(/bubble question/g)).toHaveLength(3);
    expect(page.text).toMatch(/Lämna över ärendet|kunden|ärendet/); // Swedish agent wording
    // The agent goes back and finishes it differently, with a note.
    await act(id, { back: '1' }, boss);
    await act(id, { event: 'LINK_WORKED', note: 'Sent the link by phone' }, boss);
    await act(id, { event: 'DONE' }, boss);
    expect((await t.store.getSession(id))!.outcome).toBe('workaround');
    await boss.client.post('/agent/pickup').type('form').send({ _csrf: boss.csrf, ref: 'ZZZ-ZZZ' }).expect(404);
  });
});

describe('transcript', () => {
  it('is plain text or Markdown, in the reader language, with answers, notes and outcome', async () => {
    const id = await startTriage({ ticketRef: 'T-42' });
    await act(id, { event: 'OVER_A_MINUTE', note: 'Customer *very* upset' });
    await act(id, { event: 'NOT_IN_SPAM' });
    await act(id, { event: 'LINK_FAILED' });
    const text = await anna.client.get(`/api/sessions/${id}/transcript?format=text&lng=en`).expect(200);
    expect(text.headers['content-type']).toMatch(/text\/plain/);
    expect(text.text).toContain('T-42');
    expect(text.text).toContain('1. How long ago was the email sent?');
    expect(text.text).toContain('Answer: More than a minute ago');
    expect(text.text).toContain('Note: Customer *very* upset');
    expect(text.text).toMatch(/Outcome: Handed to support/);
    const md = await anna.client.get(`/api/sessions/${id}/transcript?format=markdown&lng=de`).expect(200);
    expect(md.headers['content-type']).toMatch(/text\/markdown/);
    expect(md.text).toMatch(/^# /);
    expect(md.text).toContain('Wann wurde die E-Mail gesendet?');
    expect(md.text).toContain('Customer \\*very\\* upset');
    await anna.client.get(`/api/sessions/${id}/transcript?format=pdf`).expect(400);
    await anna.client.get('/api/sessions/nope/transcript').expect(404);
    const page = await anna.client.get(`/agent/s/${id}/transcript`).expect(200);
    expect(page.text).toContain('class="copy"');
  });
});

describe('user text is escaped everywhere it is shown', () => {
  it('in the console, the transcript page and the sessions list', async () => {
    const id = await startTriage({ ticketRef: XSS });
    await act(id, { event: 'OVER_A_MINUTE', note: XSS });
    for (const path of [`/agent/s/${id}`, `/agent/s/${id}/transcript`, '/agent/sessions']) {
      const page = await anna.client.get(path).expect(200);
      expect(page.text, path).not.toContain(XSS);
      expect(page.text, path).not.toMatch(/<script>alert/);
    }
    const page = await anna.client.get(`/agent/s/${id}`).expect(200);
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const md = await anna.client.get(`/api/sessions/${id}/transcript?format=markdown`).expect(200);
    expect(md.text).not.toContain('<script>');
  });
});

describe('sessions list', () => {
  it('shows an agent their own sessions and an admin everyone, with filters and paging', async () => {
    const fresh = testApp();
    const a = await addAgent(fresh, 'a@example.com', 'agent', 'A');
    await addAgent(fresh, 'admin@example.com', 'admin', 'Admin');
    const asA = await signIn(fresh, 'a@example.com');
    const asAdmin = await signIn(fresh, 'admin@example.com');
    for (let i = 0; i < 30; i++)
      await asA.client.post('/agent/start').type('form').send({ _csrf: asA.csrf, flowId: 'participant-no-email', lng: i % 2 ? 'de' : 'sv' }).expect(303);
    for (let i = 0; i < 3; i++)
      await request(fresh.app).post('/api/sessions').send({ flowId: 'track-sent-email', lng: 'no' }).expect(201);

    const mine = await asA.client.get('/agent/sessions').expect(200);
    expect(mine.text).toContain('30 sessions');
    expect(mine.text.match(/<tr><td>/g)).toHaveLength(25);
    expect(mine.text).toContain('Page 1 of 2');
    const second = await asA.client.get('/agent/sessions?page=2').expect(200);
    expect(second.text.match(/<tr><td>/g)).toHaveLength(5);
    // An agent cannot widen the list to everyone's.
    expect((await asA.client.get('/agent/sessions?scope=all').expect(200)).text).toContain('30 sessions');
    expect((await asA.client.get('/agent/sessions?language=de').expect(200)).text).toContain('15 sessions');
    expect((await asA.client.get('/agent/sessions?flow=track-sent-email').expect(200)).text).toContain('0 sessions');
    expect((await asA.client.get('/agent/sessions?outcome=active&channel=agent').expect(200)).text).toContain('30 sessions');
    expect((await asA.client.get('/agent/sessions?outcome=resolved').expect(200)).text).toContain('0 sessions');
    const today = new Date().toISOString().slice(0, 10);
    expect((await asA.client.get(`/agent/sessions?from=${today}&to=${today}`).expect(200)).text).toContain('30 sessions');
    expect((await asA.client.get('/agent/sessions?to=2000-01-01').expect(200)).text).toContain('0 sessions');
    await asA.client.get('/agent/sessions?from=yesterday').expect(400);
    await asA.client.get('/agent/sessions?channel=fax').expect(400);

    const all = await asAdmin.client.get('/agent/sessions?scope=all').expect(200);
    expect(all.text).toContain('33 sessions');
    expect((await asAdmin.client.get('/agent/sessions?scope=all&channel=api').expect(200)).text).toContain('3 sessions');
    expect((await asAdmin.client.get('/agent/sessions').expect(200)).text).toContain('0 sessions');
    expect(a.id).toBeGreaterThan(0);
    await fresh.close();
  });
});
