import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';

const t = useTestApp();

const FLOW = 'participant-no-email';

async function start(body: object = { flowId: FLOW, lng: 'en' }) {
  const res = await request(t.app).post('/api/sessions').send(body).expect(201);
  return res.body;
}

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(res.body.error.message.length).toBeGreaterThan(5);
  expect(res.text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
}

describe('GET /healthz', () => {
  it('answers ok', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('GET /api/flows', () => {
  it('lists flows with titles in the asked language', async () => {
    const sv = await request(t.app).get('/api/flows?lng=sv').expect(200);
    const en = await request(t.app).get('/api/flows?lng=en').expect(200);
    const ids = sv.body.map((f: { id: string }) => f.id);
    expect(ids).toContain(FLOW);
    for (const f of sv.body) expect(Object.keys(f).sort()).toEqual(['id', 'summary', 'title']);
    const svFlow = sv.body.find((f: { id: string }) => f.id === FLOW);
    const enFlow = en.body.find((f: { id: string }) => f.id === FLOW);
    expect(svFlow.title).toContain('Learnifier');
    expect(svFlow.title).not.toBe(enFlow.title);
  });

  it('refuses a language it does not serve', async () => {
    expectError(await request(t.app).get('/api/flows?lng=fr'), 400, 'invalid_input');
  });
});

describe('sessions', () => {
  it('starts a session in the contract shape', async () => {
    const res = await request(t.app).post('/api/sessions').send({ flowId: FLOW, lng: 'nb-NO' }).expect(201);
    expect(res.headers.location).toBe(`/api/sessions/${res.body.sessionId}`);
    expect(res.body).toMatchObject({
      sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      ref: expect.stringMatching(/^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$/),
      flowId: FLOW,
      lng: 'no',
      audience: 'participant',
      status: 'active',
      history: [],
    });
    expect(res.body.outcome).toBeUndefined();
    const { step } = res.body;
    expect(step).toMatchObject({ id: 'howLongAgo', kind: 'question', final: false });
    expect(step.title).toBeTruthy();
    expect(step.bodyHtml).toMatch(/^<p>/);
    expect(step.options.map((o: { event: string }) => o.event)).toEqual(['UNDER_A_MINUTE', 'OVER_A_MINUTE']);
    for (const o of step.options) expect(o.label).toBeTruthy();
  });

  it('advances on an option, keeps the history, goes back and starts over', async () => {
    const s = await start();
    const id = s.sessionId;
    const a = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    expect(a.body.step.id).toBe('checkSpam');
    const b = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    expect(b.body.step.id).toBe('sendLoginLink');
    expect(b.body.history).toEqual([
      { stepId: 'howLongAgo', title: 'How long ago was the email sent?', answer: 'More than a minute ago' },
      { stepId: 'checkSpam', title: 'Is the email in the spam folder?', answer: 'No, it is not there either' },
    ]);
    const back = await request(t.app).post(`/api/sessions/${id}/back`).expect(200);
    expect(back.body.step.id).toBe('checkSpam');
    expect(back.body.history).toHaveLength(1);
    const again = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'FOUND_IN_SPAM' }).expect(200);
    expect(again.body.step.id).toBe('whyInSpam');
    const restart = await request(t.app).post(`/api/sessions/${id}/restart`).expect(200);
    expect(restart.body.step.id).toBe('howLongAgo');
    expect(restart.body.history).toEqual([]);
    // Every move is in the transcript, in order.
    const rows = await t.store.listSteps(id);
    expect(rows.map((r) => r.event)).toEqual(['START', 'OVER_A_MINUTE', 'NOT_IN_SPAM', 'BACK', 'FOUND_IN_SPAM', 'RESTART']);
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reaches an outcome, reports it, and takes feedback', async () => {
    const s = await start({ flowId: FLOW, lng: 'de' });
    const id = s.sessionId;
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    const end = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'LINK_FAILED' }).expect(200);
    expect(end.body).toMatchObject({ status: 'finished', outcome: 'escalated', step: { final: true, options: [], outcome: 'escalated' } });
    await request(t.app).post(`/api/sessions/${id}/feedback`).send({ helpful: false, comment: 'Still stuck' }).expect(204);
    expect(await t.store.listFeedback(id)).toEqual([{ state: 'contactSupport', helpful: false, comment: 'Still stuck', at: expect.any(Number) }]);
    const got = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(got.body.outcome).toBe('escalated');
    // The stored language is used unless the request asks for another.
    expect(got.body.lng).toBe('de');
    const en = await request(t.app).get(`/api/sessions/${id}?lng=en`).expect(200);
    expect(en.body.step.title).toBe('Let Learnifier support take a look');
  });

  it('shows agent wording to an agent audience, falling back to participant wording', async () => {
    const s = await start({ flowId: FLOW, lng: 'en', audience: 'agent', channel: 'agent' });
    expect(s.audience).toBe('agent');
    expect(s.step.bodyHtml).toContain('Ask the customer');
    const p = await start({ flowId: FLOW, lng: 'en' });
    expect(p.step.bodyHtml).not.toContain('Ask the customer');
    expect(s.step.title).toBe(p.step.title);
  });
});

describe('bad input', () => {
  it('404 for an unknown flow or session, and an unknown API route', async () => {
    expectError(await request(t.app).post('/api/sessions').send({ flowId: 'no-such-flow' }), 404, 'unknown_flow');
    expectError(await request(t.app).get('/api/sessions/doesnotexist'), 404, 'unknown_session');
    expectError(await request(t.app).post('/api/sessions/doesnotexist/events').send({ type: 'X' }), 404, 'unknown_session');
    expectError(await request(t.app).post('/api/sessions/doesnotexist/back'), 404, 'unknown_session');
    expectError(await request(t.app).post('/api/sessions/doesnotexist/feedback').send({ helpful: true }), 404, 'unknown_session');
    expectError(await request(t.app).get('/api/nothing-here'), 404, 'not_found');
  });

  it('409 for an event that is not an option now', async () => {
    const s = await start();
    const id = s.sessionId;
    expectError(await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'FOUND_IN_SPAM' }), 409, 'event_not_allowed');
    expectError(await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'NO_SUCH_EVENT' }), 409, 'event_not_allowed');
    // Engine events are not options either.
    expectError(await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'BACK' }), 409, 'event_not_allowed');
    expectError(await request(t.app).post(`/api/sessions/${id}/back`), 409, 'nothing_to_go_back_to');
    expectError(await request(t.app).post(`/api/sessions/${id}/feedback`).send({ helpful: true }), 409, 'event_not_allowed');
    // Nothing was recorded for the refused events.
    expect((await t.store.listSteps(id)).map((r) => r.event)).toEqual(['START']);
  });

  it('409 for an event after the outcome', async () => {
    const s = await start();
    const id = s.sessionId;
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'UNDER_A_MINUTE' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'ARRIVED' }).expect(200);
    expectError(await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'ARRIVED' }), 409, 'session_finished');
  });

  it('400 for malformed JSON and invalid fields', async () => {
    const s = await start();
    const id = s.sessionId;
    const post = (path: string) => request(t.app).post(path).set('content-type', 'application/json');
    expectError(await post('/api/sessions').send('{"flowId": '), 400, 'invalid_input');
    expectError(await post('/api/sessions').send('"just a string"'), 400, 'invalid_input');
    expectError(await post('/api/sessions').send('[]'), 400, 'invalid_input');
    expectError(await post('/api/sessions').send('{}'), 400, 'invalid_input');
    expectError(await post('/api/sessions').send({ flowId: 42 }), 400, 'invalid_input');
    expectError(await post('/api/sessions').send({ flowId: FLOW, lng: 'fr' }), 400, 'invalid_input');
    expectError(await post('/api/sessions').send({ flowId: FLOW, audience: 'robot' }), 400, 'invalid_input');
    expectError(await post('/api/sessions').send({ flowId: FLOW, channel: 'fax' }), 400, 'invalid_input');
    expectError(await post('/api/sessions').send({ flowId: FLOW, extra: true }), 400, 'invalid_input');
    expectError(await post(`/api/sessions/${id}/events`).send({}), 400, 'invalid_input');
    expectError(await post(`/api/sessions/${id}/events`).send({ type: '' }), 400, 'invalid_input');
    expectError(await post(`/api/sessions/${id}/events`).send({ type: ['A'] }), 400, 'invalid_input');
    expectError(await post(`/api/sessions/${id}/feedback`).send({ helpful: 'yes' }), 400, 'invalid_input');
    expectError(await post(`/api/sessions/${id}/feedback`).send({ helpful: true, comment: 'x'.repeat(2001) }), 400, 'invalid_input');
    expectError(await request(t.app).get(`/api/sessions/${id}?lng=xx`), 400, 'invalid_input');
  });

  it('413 for a body over 16 KB (over 192 KB for an answer, which may carry 64 KB of pasted headers)', async () => {
    const s = await start();
    const big = { type: 'OVER_A_MINUTE', data: 'x'.repeat(193 * 1024) };
    expectError(await request(t.app).post(`/api/sessions/${s.sessionId}/events`).send(big), 413, 'payload_too_large');
    // Under that bound, data with an answer that takes none is the client's mistake all the same.
    expectError(await request(t.app).post(`/api/sessions/${s.sessionId}/events`).send({ type: 'OVER_A_MINUTE', data: 'x'.repeat(17 * 1024) }), 400, 'invalid_input');
    expectError(await request(t.app).post('/api/sessions').send({ flowId: FLOW, pad: 'y'.repeat(20_000) }), 413, 'payload_too_large');
  });

  it('415 for a body that is not JSON', async () => {
    const s = await start();
    const id = s.sessionId;
    expectError(
      await request(t.app).post('/api/sessions').set('content-type', 'text/plain').send('flowId=participant-no-email'),
      415,
      'unsupported_media_type',
    );
    expectError(
      await request(t.app).post(`/api/sessions/${id}/events`).type('form').send({ type: 'OVER_A_MINUTE' }),
      415,
      'unsupported_media_type',
    );
    expectError(
      await request(t.app)
        .post(`/api/sessions/${id}/events`)
        .set('content-type', 'application/json; charset=latin1')
        .send('{"type":"OVER_A_MINUTE"}'),
      415,
      'unsupported_media_type',
    );
    // A body-less POST needs no content type.
    await request(t.app).post(`/api/sessions/${id}/restart`).expect(200);
  });

  it('a malformed path is a 400, not a crash', async () => {
    const res = await request(t.app).get('/api/sessions/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });
});
