import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COLUMNS, STEP_COLUMNS } from '../../server/routes/analytics.ts';
import { addAgent, signIn } from '../support/agents.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { setStepNote } from '../support/store-sql.ts';

const TOKEN = 'analytics-token-for-tests-0123456789';
let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let agent: Awaited<ReturnType<typeof signIn>>;

/** A minimal RFC 4180 reader, enough to read our own exports back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

beforeAll(async () => {
  t = testApp(undefined, { config: { ANALYTICS_TOKEN: TOKEN } });
  await addAgent(t, 'owner@example.com', 'admin', 'Owner');
  await addAgent(t, 'plain@example.com', 'agent', 'Plain');
  admin = await signIn(t, 'owner@example.com');
  agent = await signIn(t, 'plain@example.com');
  // 7 sessions: 3 resolved, 1 escalated (with a comment that tries formula and markup injection), 3 in progress.
  const start = async (lng: string, events: string[]) => {
    const s = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng }).expect(201);
    for (const type of events) await request(t.app).post(`/api/sessions/${s.body.sessionId}/events`).send({ type }).expect(200);
    return s.body.sessionId as string;
  };
  for (let i = 0; i < 3; i++) await start('sv', ['UNDER_A_MINUTE', 'ARRIVED']);
  const escalated = await start('de', ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']);
  await request(t.app).post(`/api/sessions/${escalated}/feedback`).send({ helpful: false, comment: '=HYPERLINK("x") <b>"quoted", comma</b>' }).expect(204);
  for (let i = 0; i < 3; i++) await start('en', ['OVER_A_MINUTE']);
});
afterAll(() => t.close());

describe('who may see analytics', () => {
  it('admins and the token; not agents, not anonymous', async () => {
    await request(t.app).get('/admin/analytics').expect(302);
    await agent.client.get('/admin/analytics').expect(403);
    await request(t.app).get('/api/analytics/flows/participant-no-email').expect(401);
    await request(t.app).get('/api/analytics/flows/participant-no-email').set('authorization', 'Bearer wrong-token').expect(401);
    await request(t.app).get('/api/analytics/flows/participant-no-email').set('authorization', `Bearer ${TOKEN}`).expect(200);
    await admin.client.get('/api/analytics/flows/participant-no-email').expect(200);
    await agent.client.get('/admin/analytics/sessions.csv').expect(403);
  });
});

describe('GET /api/analytics/flows/:flowId', () => {
  it('returns the figures for the period and filters', async () => {
    const res = await request(t.app).get('/api/analytics/flows/participant-no-email').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.body).toMatchObject({
      flowId: 'participant-no-email',
      started: 7,
      finished: 4,
      outcomes: { resolved: 3, escalated: 1 },
      inProgress: 3,
      abandoned: 0,
      resolutionRate: 0.75,
      feedback: { yes: 0, no: 1 },
      steps: { howLongAgo: { reached: 7, abandoned: 0 }, checkSpam: { reached: 4, abandoned: 0 } },
    });
    const sv = await request(t.app).get('/api/analytics/flows/participant-no-email?lng=sv').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(sv.body.started).toBe(3);
    const api = await request(t.app).get('/api/analytics/flows/participant-no-email?channel=widget').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(api.body.started).toBe(0);
    const old = await request(t.app).get('/api/analytics/flows/participant-no-email?from=2020-01-01&to=2020-01-31').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(old.body).toMatchObject({ from: '2020-01-01', to: '2020-01-31', started: 0, medianSecondsToOutcome: null, resolutionRate: null });
  });

  it('400 for bad filters, 404 for an unknown flow', async () => {
    const get = (q: string) => request(t.app).get(`/api/analytics/flows/participant-no-email?${q}`).set('authorization', `Bearer ${TOKEN}`);
    for (const q of ['from=yesterday', 'to=2026-13-45', 'to=2026-02-30', 'from=2026-02-01&to=2026-01-01', 'lng=fr', 'channel=fax', 'channel=api&channel=self', 'audience=robots'])
      expect((await get(q)).status, q).toBe(400);
    await request(t.app).get('/api/analytics/flows/nope').set('authorization', `Bearer ${TOKEN}`).expect(404);
  });
});

describe('dashboard', () => {
  it('shows the figures and, for a flow, the diagram with counts; comments escaped', async () => {
    const page = await admin.client.get('/admin/analytics?flow=participant-no-email').expect(200);
    expect(page.text).toContain('data-figure="started">7<');
    expect(page.text).toContain('data-figure="resolution">75 %<');
    expect(page.text).toContain('data-state="howLongAgo" data-reached="7" data-abandoned="0"');
    expect(page.text).toMatch(/data-from="howLongAgo" data-to="checkSpam" data-event="OVER_A_MINUTE">4<\/text>/);
    expect(page.text).not.toContain('<b>"quoted"');
    expect(page.text).toContain('&lt;b&gt;');
    const all = await admin.client.get('/admin/analytics').expect(200);
    expect(all.text).not.toContain('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ') ;
  });

  it('the per-day chart names its axes in the console language, with the tallest count and the first and last day', async () => {
    const today = new Date().toISOString().slice(0, 10);
    // ?lng= picks the console's language and filters by the session language: 3 Swedish sessions, 1 German, 3 English.
    for (const [lng, y, x, max] of [['sv', 'Startade sessioner', 'Dag', 3], ['de', 'Gestartete Sitzungen', 'Tag', 1], ['en', 'Sessions started', 'Day', 3]]) {
      const page = await admin.client.get(`/admin/analytics?lng=${lng}`).expect(200);
      const chart = page.text.slice(page.text.indexOf('class="per-day-chart"'), page.text.indexOf('</table>', page.text.indexOf('class="per-day-chart"')));
      expect(chart).toContain(`<span class="axis-title axis-y">${y}</span>`);
      expect(chart).toContain(`<span class="axis-title axis-x">${x}</span>`);
      expect(chart).toContain(`<span data-tick="max">${max}</span>`);
      expect(chart).toContain(`<span data-tick="first">${today}</span>`);
      expect(chart).toContain(`<th scope="col">${x}</th><th scope="col">${y}</th>`);
    }
  });
});

describe('CSV exports', () => {
  it('sessions: one row a session, matching the database row for row', async () => {
    const res = await admin.client.get('/admin/analytics/sessions.csv').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="sessions-all-/);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(SESSION_COLUMNS);
    const db = await t.sql.all('SELECT * FROM sessions ORDER BY created_at, id');
    expect(rows).toHaveLength(db.length);
    rows.forEach((row, i) => {
      for (const col of ['id', 'ref', 'flow_id', 'lng', 'channel', 'status', 'outcome', 'state', 'created_at', 'finished_at'])
        expect(row[header!.indexOf(col)], `${i} ${col}`).toBe(db[i]![col] === null ? '' : String(db[i]![col]));
    });
  });

  it('steps: one row a step, matching the database row for row, notes safe for spreadsheets', async () => {
    // A note that would be a formula in a spreadsheet.
    const id = String((await t.sql.all('SELECT id FROM sessions LIMIT 1'))[0]!.id);
    await setStepNote(t.sql, id, 0, '=1+1, "x"');
    const res = await admin.client.get('/admin/analytics/steps.csv?flow=participant-no-email').expect(200);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(STEP_COLUMNS);
    const db = await t.sql.all('SELECT st.* FROM steps st JOIN sessions s ON s.id = st.session_id ORDER BY s.created_at, s.id, st.seq');
    expect(rows).toHaveLength(db.length);
    rows.forEach((row, i) => {
      for (const col of ['session_id', 'seq', 'state', 'event', 'prev_state', 'at'])
        expect(row[header!.indexOf(col)], `${i} ${col}`).toBe(db[i]![col] === null ? '' : String(db[i]![col]));
    });
    expect(rows.find((r) => r[header!.indexOf('note')])?.[header!.indexOf('note')]).toBe(`'=1+1, "x"`);
  });
});
