import { spawn } from 'node:child_process';
import { once } from 'node:events';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../server/http/csv.ts';
import { SESSION_COLUMNS, STEP_COLUMNS } from '../../server/routes/analytics.ts';
import { EXPORT_PAGE } from '../../server/store/sqlite/analytics.ts';
import { seedHistory } from '../../server/store/sqlite/seed.ts';
import { addAgent, hidden, PASSWORD } from '../support/agents.ts';
import { listen, testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
let cookie: string;

beforeAll(async () => {
  t = testApp();
  // Enough sessions for several pages of either export.
  const seeded = seedHistory(t.sqliteDb!, t.app.locals.ctx.flows.list, { steps: 15 * EXPORT_PAGE, days: 5 });
  expect(seeded.sessions).toBeGreaterThan(3 * EXPORT_PAGE);
  await addAgent(t, 'owner@example.com', 'admin');
  const form = await request(t.app).get('/agent/login').expect(200);
  const signedIn = await request(t.app)
    .post('/agent/login')
    .set('cookie', form.headers['set-cookie']![0]!.split(';')[0]!)
    .type('form')
    .send({ _csrf: hidden(form.text, '_csrf'), email: 'owner@example.com', password: PASSWORD })
    .expect(303);
  cookie = [signedIn.headers['set-cookie']!].flat().find((c) => c.startsWith('mh_login='))!.split(';')[0]!;
  server = await listen(t.app);
});
afterAll(async () => {
  await server?.stop();
  await t.close();
});

/** The export's lines as the database orders them, read in one query. */
function expectedLines(sql: string, columns: string[], typed: string[]): string[] {
  const rows = t.sqliteDb!.prepare(sql).all() as Record<string, unknown>[];
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c], typed.includes(c))).join(','))];
}

/*
 * The client runs in its own process and reads as fast as it can, as a browser does: a client in this process could
 * not read while the server held the event loop, and the socket buffers filling up would make the server wait for
 * it. As soon as the export's first bytes arrive it asks for /healthz, and records which of the two ended first.
 */
const CLIENT = `
const { get } = require('node:http');
const order = [];
let body = '';
get(process.env.URL + process.env.EXPORT, { headers: { cookie: process.env.COOKIE } }, (res) => {
  res.setEncoding('utf8');
  res.on('data', (chunk) => {
    if (!body) get(process.env.URL + '/healthz', (h) => h.resume().on('end', () => done('healthz ' + h.statusCode)));
    body += chunk;
  });
  res.on('end', () => done('export ' + res.statusCode));
});
function done(what) {
  if (order.push(what) === 2) process.stdout.write(JSON.stringify(order) + '\\n' + body);
}
`;

async function exportWithProbe(path: string): Promise<{ order: string[]; body: string }> {
  const child = spawn(process.execPath, ['-e', CLIENT], {
    env: { ...process.env, URL: server.url, EXPORT: path, COOKIE: cookie },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const [code] = (await once(child, 'close')) as [number];
  expect(code).toBe(0);
  const newline = out.indexOf('\n');
  return { order: JSON.parse(out.slice(0, newline)), body: out.slice(newline + 1) };
}

describe('CSV exports share the server', () => {
  it('steps: other requests are answered while it streams, and every step comes once, in order', async () => {
    const { order, body } = await exportWithProbe('/admin/analytics/steps.csv');
    expect(order).toEqual(['healthz 200', 'export 200']);
    const lines = body.split('\r\n');
    expect(lines.pop()).toBe('');
    const expected = expectedLines(
      'SELECT st.*, s.flow_id FROM steps st JOIN sessions s ON s.id = st.session_id ORDER BY s.created_at, s.id, st.seq',
      STEP_COLUMNS,
      ['note'],
    );
    expect(lines.length).toBe(expected.length);
    expect(lines).toEqual(expected);
  });

  it('sessions: the same, one row a session', async () => {
    const { order, body } = await exportWithProbe('/admin/analytics/sessions.csv');
    expect(order).toEqual(['healthz 200', 'export 200']);
    const lines = body.split('\r\n');
    expect(lines.pop()).toBe('');
    const now = Date.now();
    const header = lines[0]!.split(',');
    expect(header).toEqual(SESSION_COLUMNS);
    // `abandoned` depends on the moment of the export; every other column is compared exactly.
    const keep = SESSION_COLUMNS.filter((c) => c !== 'abandoned');
    const project = (line: string) => {
      const fields = line.split(',');
      return keep.map((c) => fields[header.indexOf(c)]).join(',');
    };
    const expected = expectedLines(
      `SELECT s.*, (SELECT count(*) FROM steps st WHERE st.session_id = s.id) AS steps, 0 AS abandoned
       FROM sessions s WHERE s.created_at < ${now + 86_400_000} ORDER BY s.created_at, s.id`,
      SESSION_COLUMNS,
      ['ticket_ref', 'origin'],
    );
    expect(lines.length).toBe(expected.length);
    expect(lines.map(project)).toEqual(expected.map(project));
  });
});
