import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent, signIn } from '../support/agents.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { TRANSCRIPT_LIMITS } from '../../server/render/transcript.ts';
import { MAX_STEPS_PER_SESSION } from '../../server/store/types.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { everyDocument } from '../fixtures/documents.ts';
import { repeatStep, setTicketRef } from '../support/store-sql.ts';

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
const registry = new FlowRegistry(everyDocument());
const renderer = new StepRenderer(createI18n());

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
  it('shows agent wording in the agent language beside the participant text in the caller language', async () => {
    const id = await startTriage({ ticketRef: 'T-1001' });
    const page = await anna.client.get(`/agent/s/${id}`).set('accept-language', 'en').expect(200);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('For the caller');
    expect(page.text).toContain('T-1001');
    expect(page.text).toContain('Ask the customer when the email went out.'); // the agent's wording, in English
    expect(page.text).not.toContain('Spør kunden');
    expect(page.text).toContain('<div class="readout" lang="no"');
    expect(page.text).toContain('Når ble e-posten sendt?'); // the caller's text, in Norwegian
    expect(page.text).toContain('data-key="1"');
    const session = (await t.store.getSession(id))!;
    expect(session).toMatchObject({ audience: 'agent', channel: 'agent', agentId: annaId, ticketRef: 'T-1001', lng: 'no' });
    expect(session.takenOverAt).toBeGreaterThan(0);
  });

  it('a Swedish console with a German caller: instructions, answers and the way here in Swedish, the text to read out in German', async () => {
    const id = await startTriage({ lng: 'de' });
    await act(id, { event: 'OVER_A_MINUTE' });
    const page = await anna.client.get(`/agent/s/${id}`).set('accept-language', 'sv').expect(200);
    expect(page.text).toContain('<html lang="sv">');
    const part = (re: RegExp) => page.text.match(re)?.[0] ?? '';
    const step = part(/<section class="step[\s\S]*?<\/section>/);
    const history = part(/<section class="history"[\s\S]*?<\/section>/);
    const readout = part(/<div class="readout" lang="de"[\s\S]*?<\/div>/);
    // The agent's side: the step's title, its agent wording and its answers in Swedish.
    expect(step).toContain('Ligger mejlet i skräpposten?');
    expect(step).toContain('Be kunden att låta deltagaren leta efter mejlet i sin skräppostmapp.');
    expect(step).toMatch(/value="FOUND_IN_SPAM"[^>]*>(<kbd[^<]*<\/kbd> )?Ja, det låg i skräpposten</);
    expect(history).toContain('När skickades mejlet?');
    expect(history).toContain('För mer än en minut sedan');
    for (const german of ['Spam-Ordner', 'E-Mail', 'Minute']) {
      expect(step, german).not.toContain(german);
      expect(history, german).not.toContain(german);
    }
    expect(page.text).toMatch(/<dt>Kundens språk<\/dt><dd>tyska<\/dd>/);
    // The caller's side: what to read out or paste, in German.
    expect(readout).toContain('Liegt die E-Mail im Spam-Ordner?');
    expect(readout).toContain('Bitten Sie den Teilnehmer, seinen Spam- oder Junk-Ordner zu öffnen');
    // The session stays the caller's: German.
    expect((await t.store.getSession(id))!.lng).toBe('de');
  });

  it('search hits start their guide in the caller language chosen below them, with the ticket reference typed there', async () => {
    const home = await anna.client.get('/agent').query({ q: 'no reply adress' }).set('accept-language', 'sv').expect(200);
    const form = home.text.match(/<form method="post" action="\/agent\/start" class="stack" id="start-form">[\s\S]*?<\/form>/)?.[0] ?? '';
    const hit = form.match(/<button type="submit" name="hit" value="([^"]+)"/);
    expect(hit?.[1]).toBe('notification-sender-setup#noReplySender');
    // Below the hits, in the same form: the caller's language, the ticket reference, then the list and Start.
    const order = ['name="hit"', 'name="lng"', 'name="ticketRef"', 'name="flowId"', 'class="primary"'].map((n) => form.indexOf(n));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(form).toMatch(/<option value="notification-sender-setup" selected>/);
    // Pressed: the browser sends the whole form and the hit's button; the hit wins over the list.
    const res = await anna.client
      .post('/agent/start')
      .type('form')
      .send({ _csrf: anna.csrf, hit: hit![1], lng: 'de', ticketRef: 'T-4711', flowId: 'participant-no-email' })
      .expect(303);
    const id = (res.headers.location as string).split('/').pop()!;
    const session = (await t.store.getSession(id))!;
    expect(session).toMatchObject({ flowId: 'notification-sender-setup', lng: 'de', ticketRef: 'T-4711', audience: 'agent' });
    expect(session.snapshot.value).toBe('noReplySender');
    // A hit at a guide's beginning, and a hit that names no guide.
    const plain = await anna.client.post('/agent/start').type('form').send({ _csrf: anna.csrf, hit: 'track-sent-email', lng: 'no' }).expect(303);
    expect((await t.store.getSession((plain.headers.location as string).split('/').pop()!))!).toMatchObject({ flowId: 'track-sent-email', lng: 'no' });
    await anna.client.post('/agent/start').type('form').send({ _csrf: anna.csrf, hit: 'nope#x', lng: 'no' }).expect(404);
  });

  it('the domain field: a domain that cannot be checked is said next to it in the agent language, a web address is offered its domain, the note kept', async () => {
    const id = await startTriage({ lng: 'de', step: 'checkSpf' });
    const post = (fields: Record<string, string>) =>
      anna.client.post(`/agent/s/${id}`).set('accept-language', 'sv').type('form').send({ _csrf: anna.csrf, ...fields });
    const refused = await post({ event: 'CHECK', domain: '10.0.0.1', note: 'Kunden läste upp en IP-adress' }).expect(422);
    expect(refused.text).toContain('<p class="error" id="domain-error">10.0.0.1 är en IP-adress, inte en domän.');
    expect(refused.text).toMatch(/<input type="text" id="domain" name="domain"[^>]* value="10.0.0.1" aria-invalid="true"/);
    expect(refused.text).toContain('>Kunden läste upp en IP-adress</textarea>');
    const offered = await post({ event: 'CHECK', domain: 'https://www.example.se/om-oss' }).expect(200);
    expect(offered.text).toContain('<button type="submit" name="use" value="example.se" autofocus>Kontrollera example.se</button>');
    expect((await t.store.listSteps(id)).map((r) => r.event)).toEqual(['START']);
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

describe('who has a session', () => {
  it('an agent who answers at a step another agent had takes the session over, with that step', async () => {
    const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'sv' }).expect(201);
    const id = started.body.sessionId;
    await boss.client.post('/agent/pickup').type('form').send({ _csrf: boss.csrf, ref: started.body.ref }).expect(303);
    const bossId = (await t.store.getSession(id))!.agentId;
    expect(bossId).not.toBeNull();
    await anna.client.post(`/agent/s/${id}`).type('form').send({ _csrf: anna.csrf, event: 'OVER_A_MINUTE' }).expect(303);
    const session = (await t.store.getSession(id))!;
    expect(session.agentId).toBe(annaId);
    expect(session.agentId).not.toBe(bossId);
    const steps = await t.store.listSteps(id);
    expect(steps.at(-1)!.agentId).toBe(annaId);
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
    const page = await boss.client.get(`/agent/s/${id}`).set('accept-language', 'en').expect(200);
    expect(page.text.match(/bubble question/g)).toHaveLength(3);
    // Agent wording in the agent's language (English), the caller's text in the session's (Swedish).
    const flow = registry.get('participant-no-email')!;
    const agentStep = renderer.step(flow, 'contactSupport', 'en', 'agent');
    expect(page.text).toContain(`<h1 id="step-title" tabindex="-1">${agentStep.title}</h1>`);
    expect(page.text).toContain('<div class="readout" lang="sv"');
    expect(page.text).toContain(`<p><strong>${renderer.step(flow, 'contactSupport', 'sv', 'participant').title}</strong></p>`);
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
    expect(text.text).toMatch(/Note \(Anna, \d{4}-\d\d-\d\d \d\d:\d\d UTC\): Customer \*very\* upset/);
    expect(text.text).toMatch(/Outcome: Handed to support/);
    // The caller's language by name, in the reader's language, not as its code.
    expect(text.text).toContain("Caller's language: Norwegian\n");
    const md = await anna.client.get(`/api/sessions/${id}/transcript?format=markdown&lng=de`).expect(200);
    expect(md.headers['content-type']).toMatch(/text\/markdown/);
    expect(md.text).toMatch(/^# /);
    expect(md.text).toContain('Wann wurde die E-Mail gesendet?');
    expect(md.text).toMatch(/\*\*[^*\n]+:\*\* Norwegisch\n/);
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
    const german = (await asA.client.get('/agent/sessions?language=de').expect(200)).text;
    expect(german).toContain('15 sessions');
    // The list names each caller's language, not its code.
    expect(german).toContain('<td>German</td>');
    expect(german).not.toContain('<td>de</td>');
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

describe('transcripts cannot be forged', () => {
  it('a ticket reference is one line of at most 100 characters', async () => {
    const start = (ticketRef: string) =>
      anna.client.post('/agent/start').type('form').send({ _csrf: anna.csrf, flowId: 'participant-no-email', lng: 'en', ticketRef });
    for (const forged of ['T-1\n\nOutcome: Solved', 'T-1\rOutcome: Solved', 'T-1\u2028Outcome: Solved', 'T-1\tx', 'T-\u202e1', 'x'.repeat(101)]) {
      const res = await start(forged);
      expect(res.status, JSON.stringify(forged)).toBe(400);
      expect(res.text).toContain('Something was wrong with that request');
    }
    const id = ((await start('  T-2024/17 (Müller)  ').expect(303)).headers.location as string).split('/').pop()!;
    expect((await t.store.getSession(id))!.ticketRef).toBe('T-2024/17 (Müller)');
  });

  it('every value is written as one line, and escaped in Markdown, whatever it holds', async () => {
    // A name given on the command line and a reference stored before references were checked: written safely anyway.
    await addAgent(t, 'eve@example.com', 'agent', 'Eve *bold* [x](http://evil.example)\nOutcome: Solved');
    const eve = await signIn(t, 'eve@example.com');
    const started = await eve.client
      .post('/agent/start')
      .type('form')
      .send({ _csrf: eve.csrf, flowId: 'participant-no-email', lng: 'en', ticketRef: 'T-1' })
      .expect(303);
    const id = (started.headers.location as string).split('/').pop()!;
    await setTicketRef(t.sql, id, 'T-1\n\nOutcome: Solved');
    await act(id, { event: 'OVER_A_MINUTE', note: 'Called back\nOutcome: Solved\n   Answer: Yes, it arrived' }, eve);

    const text = (await eve.client.get(`/api/sessions/${id}/transcript?format=text&lng=en`).expect(200)).text;
    const lines = text.split('\n');
    // The session is in progress: no line may claim an outcome or an answer it never had.
    expect(lines.filter((l) => /^\s*Outcome:/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^\s*Answer: Yes/.test(l))).toEqual([]);
    expect(lines).toContain('Ticket: T-1 Outcome: Solved');
    expect(lines).toContain('      | Outcome: Solved');
    expect(text).toContain('Status: in progress');

    const md = (await eve.client.get(`/api/sessions/${id}/transcript?format=markdown&lng=en`).expect(200)).text;
    const mdLines = md.split('\n');
    expect(mdLines.filter((l) => /^\s*(- )?\**Outcome/.test(l))).toEqual([]);
    expect(md).toContain('- **Ticket:** T-1 Outcome: Solved');
    expect(md).toContain('Eve \\*bold\\* \\[x\\](http://evil.example) Outcome: Solved');
    expect(md).not.toContain('[x](http');
    expect(mdLines.filter((l) => l.includes('Called back'))).toEqual([
      expect.stringMatching(/^ {3}- Note \(Eve \\\*bold\\\* .*\): Called back Outcome: Solved Answer: Yes, it arrived$/),
    ]);
  });

  it('is bounded in rows and in size, however long the session went on', async () => {
    const longId = await startTriage();
    const manyId = await startTriage();
    // Rows as a session from before the step cap could hold them: inserted as they were stored.
    const seqs = Array.from({ length: 1500 }, (_, i) => i + 1);
    await repeatStep(t.sql, longId, 0, seqs, { event: 'RESTART', note: 'n'.repeat(4000) });
    await repeatStep(t.sql, manyId, 0, seqs, { event: 'RESTART', note: null });
    for (const format of ['text', 'markdown']) {
      const long = (await anna.client.get(`/api/sessions/${longId}/transcript?format=${format}&lng=en`).expect(200)).text;
      expect(long.length, format).toBeLessThan(TRANSCRIPT_LIMITS.chars + 10_000);
      expect(long).toContain('The transcript ends here');
      const many = (await anna.client.get(`/api/sessions/${manyId}/transcript?format=${format}&lng=en`).expect(200)).text;
      expect(many.split('\n').filter((l) => /^\d+\. /.test(l)), format).toHaveLength(TRANSCRIPT_LIMITS.rows);
      expect(many).toContain('The transcript ends here');
    }
  });
});

describe('notes say who wrote them', () => {
  it('a changed note keeps its earlier text and author; sending the same text again changes nothing', async () => {
    const bossId = (await t.store.findAgentByEmail('boss@example.com'))!.id;
    const id = await startTriage();
    await act(id, { event: 'OVER_A_MINUTE', note: 'Sent yesterday' });
    // Boss goes back to Anna's step: the field holds her note, and says whose it is.
    await act(id, { back: '1' }, boss);
    const page = await boss.client.get(`/agent/s/${id}`).set('accept-language', 'en').expect(200);
    expect(page.text).toMatch(/Written by Anna, \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    expect(page.text).toContain('>Sent yesterday</textarea>');
    await act(id, { event: 'OVER_A_MINUTE', note: 'Sent yesterday' }, boss);
    await act(id, { back: '1' }, boss);
    await act(id, { event: 'OVER_A_MINUTE', note: 'Sent on Monday, not yesterday' }, boss);

    const notes = await t.store.listNotes(id, 100);
    expect(notes.map((n) => [n.seq, n.version, n.text, n.agentId])).toEqual([
      [0, 1, 'Sent yesterday', annaId],
      [0, 2, 'Sent on Monday, not yesterday', bossId],
    ]);
    expect((await t.store.listSteps(id))[0]!.note).toBe('Sent on Monday, not yesterday');
    const text = (await boss.client.get(`/api/sessions/${id}/transcript?format=text&lng=en`).expect(200)).text;
    const first = text.search(/ {3}Note \(Anna, [^)]+\): Sent yesterday\n/);
    const changed = text.search(/ {3}Changed note \(Boss, [^)]+\): Sent on Monday, not yesterday\n/);
    expect(first).toBeGreaterThan(0);
    expect(changed).toBeGreaterThan(first);
    const history = await anna.client.get(`/agent/s/${id}`).set('accept-language', 'en').expect(200);
    expect(history.text).toMatch(/<strong>Note \(Boss, [^)]+\):<\/strong> Sent on Monday, not yesterday/);
  });

  it('removing a note is kept in the transcript too', async () => {
    const id = await startTriage();
    for (const event of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await act(id, { event });
    await act(id, { saveNote: '1', note: 'Escalated to 2nd line' });
    await act(id, { saveNote: '1', note: '' }, boss);
    const text = (await anna.client.get(`/api/sessions/${id}/transcript?format=text&lng=en`).expect(200)).text;
    expect(text).toMatch(/ {3}Note \(Anna, [^)]+\): Escalated to 2nd line\n {3}Note removed \(Boss, [^)]+\)\n/);
  });
});

describe('console input is parsed, never guessed', () => {
  it('answers a bad filter, form or id with a 400 or 404 page, not a 500', async () => {
    for (const q of ['outcome=nope', 'language=fr', 'from=2026-02-30', 'to=01.02.2026', 'channel=api&channel=self'])
      expect((await anna.client.get(`/agent/sessions?${q}`)).status, q).toBe(400);
    expect((await anna.client.get('/agent/sessions?page=abc').expect(200)).text).toContain('Page 1 of');
    const id = await startTriage();
    await anna.client.post(`/agent/s/${id}`).type('form').send(`_csrf=${anna.csrf}&event=OVER_A_MINUTE&event=UNDER_A_MINUTE`).expect(400);
    await anna.client.post('/agent/start').type('form').send({ _csrf: anna.csrf, flowId: 'participant-no-email' }).expect(400);
    const missing = await anna.client.get('/agent/s/nope/transcript').set('accept-language', 'en').expect(404);
    expect(missing.text).toContain('Session not found');
    expect(t.errors).toEqual([]);
  });
});

describe('a triage at the step cap', () => {
  it('says so, offers only Start over, and Start over goes on in a new session the agent is sent to', async () => {
    const id = await startTriage();
    const engine = t.app.locals.ctx.engine;
    for (let n = 1; n < MAX_STEPS_PER_SESSION; n++) {
      if (n % 2 === 1) await engine.send(id, 'OVER_A_MINUTE');
      else await engine.back(id);
    }
    const page = await anna.client.get(`/agent/s/${id}`).set('accept-language', 'en').expect(200);
    expect(page.text).toContain('This session has grown too long to go on');
    expect(page.text).not.toContain('name="event"');
    expect(page.text).toContain('name="restart"');

    const restarted = await act(id, { restart: '1' });
    const next = (restarted.headers.location as string).split('/').pop()!;
    expect(next).not.toBe(id);
    expect(await t.store.getSession(next)).toMatchObject({ audience: 'agent', channel: 'agent', agentId: annaId, lng: 'no' });
    const fresh = await anna.client.get(`/agent/s/${next}`).expect(200);
    expect(fresh.text).toContain('name="event" value="OVER_A_MINUTE"');
  });
});
