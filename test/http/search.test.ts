import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(() => {
  t = testApp();
});
afterAll(() => t.close());
afterEach(() => {
  // Bad input must never turn into an unexpected server error.
  expect(t.errors).toEqual([]);
});

const registry = new FlowRegistry();
const renderer = new StepRenderer(createI18n());
const titleOf = (flowId: string, lng: 'sv' | 'no' | 'de' | 'en', key = 'title') => renderer.text(registry.get(flowId)!, key, lng);

/** A query that points into a flow, past its first step. */
const STEP_QUERY = { q: 'no reply adress', flowId: 'notification-sender-setup', stepId: 'noReplySender' };

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(res.body.error.message.length).toBeGreaterThan(5);
}

/** Attribute values as a browser reads them (Handlebars writes `=` as `&#x3D;`). */
const decode = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** The links in the search results section of the start page (the flow list below it links every flow anyway). */
function resultLinks(html: string): string[] {
  const section = html.match(/<section class="results"[\s\S]*?<\/section>/)?.[0] ?? '';
  return [...section.matchAll(/href="([^"]*)"/g)].map((m) => decode(m[1]!));
}

describe('GET /api/search', () => {
  it('answers hits in the asked language, in the contract shape', async () => {
    const res = await request(t.app).get('/api/search').query({ q: 'deltagare har inte fått inbjudan', lng: 'sv' }).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body[0].flowId).toBe('participant-no-email');
    expect(res.body[0].title).toBe(titleOf('participant-no-email', 'sv'));
    for (const hit of res.body) {
      expect(Object.keys(hit).every((k) => ['flowId', 'stepId', 'stepTitle', 'title', 'snippet'].includes(k))).toBe(true);
      expect(hit).toMatchObject({ flowId: expect.any(String), title: expect.any(String), snippet: expect.any(String) });
      expect(registry.get(hit.flowId)).toBeDefined();
      if (hit.stepId !== undefined) expect(hit.stepTitle).toEqual(expect.any(String));
    }
  });

  it('names the step a hit points to, with its title', async () => {
    const res = await request(t.app).get('/api/search').query({ q: STEP_QUERY.q, lng: 'sv' }).expect(200);
    expect(res.body[0]).toMatchObject({
      flowId: STEP_QUERY.flowId,
      stepId: STEP_QUERY.stepId,
      stepTitle: titleOf(STEP_QUERY.flowId, 'sv', `${STEP_QUERY.stepId}.title`),
    });
  });

  it('uses Accept-Language when lng is not given', async () => {
    const res = await request(t.app).get('/api/search').query({ q: 'umfrage wird blockiert' }).set('accept-language', 'de-DE').expect(200);
    expect(res.body[0]).toMatchObject({ flowId: 'survey-emails-blocked', title: titleOf('survey-emails-blocked', 'de') });
  });

  it('answers an empty list for nonsense', async () => {
    const res = await request(t.app).get('/api/search').query({ q: 'xqzvw blorp', lng: 'sv' }).expect(200);
    expect(res.body).toEqual([]);
  });

  it('takes a query of 300 characters', async () => {
    const q = 'enkät blockeras '.repeat(19).slice(0, 300);
    expect(q.length).toBe(300);
    await request(t.app).get('/api/search').query({ q, lng: 'sv' }).expect(200);
  });

  it.each([
    ['missing q', '/api/search?lng=sv'],
    ['empty q', '/api/search?q=&lng=sv'],
    ['blank q', '/api/search?q=%20%20&lng=sv'],
    ['q over 300 characters', `/api/search?q=${'a'.repeat(301)}&lng=sv`],
    ['q given twice', '/api/search?q=enk%C3%A4t&q=mejl&lng=sv'],
    ['an unknown language', '/api/search?q=enk%C3%A4t&lng=fr'],
  ])('refuses %s with 400 invalid_input', async (_, url) => {
    expectError(await request(t.app).get(url), 400, 'invalid_input');
  });
});

describe('search on the start page', () => {
  it('shows the results for ?q= and links to the flows', async () => {
    const res = await request(t.app).get('/').query({ q: 'deltagare har inte fått inbjudan' }).set('accept-language', 'sv').expect(200);
    expect(res.text).toContain('<html lang="sv">');
    expect(res.text).toContain('value="deltagare har inte fått inbjudan"');
    const links = resultLinks(res.text);
    expect(links[0]).toBe('/flows/participant-no-email');
    for (const href of links) expect(href).toMatch(/^\/flows\/[a-z-]+(\?step=[A-Za-z]+)?$/);
    expect(res.text).toContain(titleOf('participant-no-email', 'sv'));
  });

  it('links a hit inside a flow to that step', async () => {
    const res = await request(t.app).get('/').query({ q: STEP_QUERY.q }).set('accept-language', 'sv').expect(200);
    expect(resultLinks(res.text)[0]).toBe(`/flows/${STEP_QUERY.flowId}?step=${STEP_QUERY.stepId}`);
    expect(res.text).toContain(titleOf(STEP_QUERY.flowId, 'sv', `${STEP_QUERY.stepId}.title`));
  });

  it('says so when nothing matches', async () => {
    const res = await request(t.app).get('/').query({ q: 'xqzvw blorp' }).set('accept-language', 'sv').expect(200);
    expect(resultLinks(res.text)).toEqual([]);
    expect(res.text).toContain('Ingen guide matchade');
  });

  it('shows no results section without a query', async () => {
    const res = await request(t.app).get('/').set('accept-language', 'sv').expect(200);
    expect(res.text).not.toContain('class="results"');
  });
});

describe('starting a flow at the step a search found', () => {
  const { flowId, stepId } = STEP_QUERY;

  it('offers to start at that step, or from the beginning', async () => {
    const res = await request(t.app).get(`/flows/${flowId}`).query({ step: stepId }).set('accept-language', 'sv').expect(200);
    expect(res.text).toContain(`<input type="hidden" name="step" value="${stepId}">`);
    expect(res.text).toContain('Börja vid det här steget');
    expect(res.text).toContain('Börja från början');
  });

  it('offers only the start for an unknown step or the first one', async () => {
    for (const step of ['nope', registry.get(flowId)!.initial]) {
      const res = await request(t.app).get(`/flows/${flowId}`).query({ step }).set('accept-language', 'sv').expect(200);
      expect(res.text).not.toContain('name="step"');
    }
  });

  it('starts the session at that step, with no history', async () => {
    const res = await request(t.app).post(`/flows/${flowId}`).set('accept-language', 'sv').type('form').send({ step: stepId }).expect(303);
    expect(res.headers.location).toMatch(/^\/s\/[A-Za-z0-9_-]{22}$/);
    const id = res.headers.location!.slice('/s/'.length);
    const session = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(session.body).toMatchObject({ flowId, lng: 'sv', status: 'active', step: { id: stepId }, history: [] });
  });

  it('will not start a session at an ending', async () => {
    const flow = registry.get(flowId)!;
    const ending = Object.entries(flow.machine.states).find(([, s]) => s.type === 'final')![0];
    expectError(await request(t.app).post('/api/sessions').send({ flowId, startAt: ending }), 400, 'invalid_input');
    expectError(await request(t.app).post('/api/sessions').send({ flowId, startAt: 'nope' }), 400, 'invalid_input');
  });

  it('starts at a step through the API', async () => {
    const res = await request(t.app).post('/api/sessions').send({ flowId, lng: 'en', startAt: stepId }).expect(201);
    expect(res.body).toMatchObject({ flowId, step: { id: stepId }, history: [] });
  });
});

describe('search after a guide changes while the app runs', () => {
  it('finds what the published version says, and no longer what only the old one said', async () => {
    const search = async (q: string) => (await request(t.app).get('/api/search').query({ q, lng: 'en' }).expect(200)).body as { flowId: string; title: string }[];
    const { flows } = t.app.locals.ctx;
    const original = flows.get('participant-no-email')!.document;
    expect(await search('zebracorn')).toEqual([]);
    const edited = structuredClone(original);
    edited.texts.en.keywords += ', zebracorn';
    edited.texts.en.title = 'A participant got no zebracorn email';
    flows.install(edited, { number: 2, current: true });
    expect(await search('zebracorn')).toMatchObject([{ flowId: 'participant-no-email', title: 'A participant got no zebracorn email' }]);
    // Rolled back: the word is gone from the index, the old title is back.
    flows.install(original, { number: 3, current: true });
    expect(await search('zebracorn')).toEqual([]);
    expect((await search('participant didnt get invitation'))[0]).toMatchObject({ flowId: 'participant-no-email', title: titleOf('participant-no-email', 'en') });
  });
});
