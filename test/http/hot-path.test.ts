import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HotPathMismatch } from '../../server/http/hot-path.ts';
import { createServer } from '../../server/http/server.ts';
import { testApp } from '../support/app.ts';
import { compareOne, newSession, normalize, send, stopBoth, target as twin, type Sent, type Setup, type Target } from '../support/twins.ts';

/*
 * The hot path (server/http/hot-path.ts) must answer exactly as Express alone does. Two apps on two stores of the
 * same setup, one served with the hot path and one without, get the same recorded requests in the same order; every
 * answer must have the same status, headers (but Date and the request id) and body, and the log the same lines.
 */

/** Low enough to reach within the recorded requests, so the 429 and its headers are compared too. */
const STEPS_PER_MINUTE = 40;

const target = (name: string, hotPath: boolean, setup?: Setup, trustProxy = false) =>
  twin(name, hotPath, setup, { config: { STEPS_PER_MINUTE, TRUST_PROXY: trustProxy } });

const json = { 'content-type': 'application/json' };

/** The recorded requests, on the target's session `s`. */
function recorded(s: string): Sent[] {
  const event = (body: string | Buffer, headers: OutgoingHttpHeaders = json): Sent => ({ method: 'POST', path: `/api/sessions/${s}/events`, headers, body });
  return [
    // Success on each route, in their plain form.
    { method: 'GET', path: `/api/sessions/${s}` },
    { method: 'GET', path: `/s/${s}` },
    event('{"type":"OVER_A_MINUTE"}'),
    { method: 'GET', path: `/s/${s}` },
    { method: 'POST', path: `/api/sessions/${s}/back` },
    event('{"type":"UNDER_A_MINUTE"}', { 'content-type': 'application/json; charset=utf-8' }),
    { method: 'POST', path: `/api/sessions/${s}/back`, headers: { 'content-length': '0' } },
    // What the client says about itself: language, a cookie, its own request id, a proxy's headers.
    { method: 'GET', path: `/api/sessions/${s}`, headers: { 'accept-language': 'de-DE,de;q=0.9', cookie: 'lng=no' } },
    { method: 'GET', path: `/s/${s}`, headers: { 'accept-language': 'sv', cookie: 'lng=no; mh_login=abc' } },
    { method: 'GET', path: `/s/${s}`, headers: { 'x-request-id': 'ticket-4711', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } },
    // Every error code of these routes.
    { method: 'GET', path: '/api/sessions/no-such-session' },
    { method: 'GET', path: '/s/no-such-session' },
    { method: 'POST', path: '/api/sessions/no-such-session/events', headers: json, body: '{"type":"OVER_A_MINUTE"}' },
    { method: 'POST', path: '/api/sessions/no-such-session/back' },
    event('{"type":"NOPE"}'),
    event('{"type":1}'),
    event('{"type":""}'),
    event('{"type":"OVER_A_MINUTE","extra":1}'),
    event('{"type":"OVER_A_MINUTE","data":{"domain":"example.com"}}'),
    event('{"type":"CHECK","data":{"domain":"example.com"}}'),
    event('{"type":"CHECK"}'),
    event('{"type":'),
    event('[]'),
    event('null'),
    event('{}'),
    event(''),
    event('\uFEFF{"type":"OVER_A_MINUTE"}'),
    event(`{"type":"${'x'.repeat(101)}"}`),
    event(JSON.stringify({ type: 'OVER_A_MINUTE', pad: 'x'.repeat(20_000) })),
    event('{"type":"OVER_A_MINUTE"}', { 'content-type': 'text/plain' }),
    event('{"type":"OVER_A_MINUTE"}', { 'content-type': 'application/json; charset=latin1' }),
    event('{"type":"OVER_A_MINUTE"}', { 'content-type': 'Application/JSON' }),
    event('type=OVER_A_MINUTE', { 'content-type': 'application/x-www-form-urlencoded' }),
    event('{"type":"OVER_A_MINUTE"}', { ...json, 'transfer-encoding': 'chunked' }),
    event('{"type":"OVER_A_MINUTE"}', { ...json, 'content-encoding': 'gzip' }),
    event('{"type":"OVER_A_MINUTE"}', { ...json, expect: '100-continue' }),
    event('{"type":"UNDER_A_MINUTE"}'),
    { method: 'POST', path: `/api/sessions/${s}/back`, headers: { 'content-type': 'text/plain' }, body: 'x' },
    { method: 'POST', path: `/api/sessions/${s}/back`, headers: json, body: '{"a":1}' },
    { method: 'GET', path: `/api/sessions/${s}`, headers: { 'content-type': 'text/plain' }, body: 'x' },
    // Odd paths.
    { method: 'GET', path: '/api/sessions/%zz' },
    { method: 'GET', path: '/s/%zz' },
    { method: 'GET', path: `/api/sessions/${s}/` },
    { method: 'GET', path: `/s/${s}/` },
    { method: 'GET', path: `//api/sessions/${s}` },
    { method: 'GET', path: `/api//sessions/${s}` },
    { method: 'GET', path: `//s/${s}` },
    { method: 'GET', path: `/API/sessions/${s}` },
    { method: 'GET', path: `/S/${s}` },
    { method: 'POST', path: `/api/sessions/${s}/BACK` },
    { method: 'GET', path: `/api/sessions/${s}/events` },
    { method: 'GET', path: `/api/sessions/${s}/back` },
    { method: 'POST', path: `/api/sessions/${s}` },
    { method: 'POST', path: `/s/${s}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'back=1' },
    { method: 'GET', path: `/api/sessions/${'a'.repeat(65)}` },
    { method: 'GET', path: `/s/${'a'.repeat(65)}` },
    // Query strings.
    { method: 'GET', path: `/api/sessions/${s}?lng=de` },
    { method: 'GET', path: `/api/sessions/${s}?lng=xx` },
    { method: 'GET', path: `/api/sessions/${s}?` },
    { method: 'GET', path: `/s/${s}?lng=sv` },
    { method: 'GET', path: `/s/${s}?origin=https://example.com` },
    { method: 'POST', path: `/api/sessions/${s}/events?lng=de`, headers: json, body: '{"type":"OVER_A_MINUTE"}' },
    { method: 'POST', path: `/api/sessions/${s}/back?lng=no` },
    // Other methods, HEAD, conditional requests.
    { method: 'HEAD', path: `/api/sessions/${s}` },
    { method: 'HEAD', path: `/s/${s}` },
    { method: 'OPTIONS', path: `/api/sessions/${s}` },
    { method: 'PUT', path: `/api/sessions/${s}/events`, headers: json, body: '{"type":"OVER_A_MINUTE"}' },
    { method: 'DELETE', path: `/api/sessions/${s}` },
    { method: 'get', path: `/api/sessions/${s}` },
    { method: 'GET', path: `/api/sessions/${s}`, headers: { 'if-none-match': '"x"' } },
    { method: 'GET', path: `/s/${s}`, headers: { 'if-modified-since': new Date().toUTCString() } },
    { method: 'GET', path: `/s/${s}`, headers: { range: 'bytes=0-10' } },
    // Steps until the limit (STEPS_PER_MINUTE) answers 429, on both routes that count them.
    ...Array.from({ length: STEPS_PER_MINUTE }, (_, i): Sent => (i % 2 ? { method: 'POST', path: `/api/sessions/${s}/back` } : event('{"type":"OVER_A_MINUTE"}'))),
    { method: 'GET', path: `/api/sessions/${s}` },
  ];
}

/** Sends the recorded requests to both, one by one, and lists every difference. */
async function differences(a: Target, b: Target): Promise<string[]> {
  const sa = await newSession(a, 's');
  const sb = await newSession(b, 's');
  const ra = recorded(sa);
  const rb = recorded(sb);
  const found: string[] = [];
  for (let i = 0; i < ra.length; i++) found.push(...(await compareOne(a, b, ra[i]!, rb[i]!)));
  // The same log lines, but their ids and times.
  await new Promise((r) => setTimeout(r, 50));
  const log = (to: Target) => to.lines.filter((l) => l.msg === 'request').map(({ method, route, status }) => ({ method, route, status }));
  try {
    expect(log(a)).toEqual(log(b));
  } catch (e) {
    found.push(`log: ${(e as Error).message.slice(0, 2000)}`);
  }
  return found;
}

describe('the hot path answers as Express alone does', () => {
  let hot: Target;
  let plain: Target;
  beforeAll(async () => {
    hot = await target('hot path', true);
    plain = await target('express', false);
  });
  afterAll(async () => {
    await stopBoth(hot, plain);
  });

  it('the same status, headers, body and log line for every recorded request', async () => {
    expect(await differences(hot, plain)).toEqual([]);
    // The hot path did answer: the plain requests above (some 50) never reached Express on its side.
    expect(plain.viaExpress.count - hot.viaExpress.count).toBeGreaterThan(40);
    // The 429 was reached (the limits are compared, not only skipped), and nothing became a server error.
    const statuses = plain.lines.map((l) => l.status);
    expect(statuses).toContain(429);
    expect(statuses).not.toContain(500);
    expect([...hot.t.errors, ...plain.t.errors]).toEqual([]);
  });
});

describe('behind a proxy (TRUST_PROXY)', () => {
  it('the same answers: HSTS over X-Forwarded-Proto https, limits counted per X-Forwarded-For', async () => {
    const hot = await target('hot path', true, undefined, true);
    const plain = await target('express', false, undefined, true);
    try {
      expect(await differences(hot, plain)).toEqual([]);
      const s = await newSession(hot, 'p');
      const res = await send(hot.url, { method: 'GET', path: `/api/sessions/${s}`, headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers['strict-transport-security']).toBeDefined();
    } finally {
      await stopBoth(hot, plain);
    }
  });
});

describe('a layer the hot path does not know of', () => {
  /** A new global middleware, placed where a real one would go: before the routes. */
  const extraLayer: Setup = (t) => {
    t.app.use((_req, res, next) => {
      res.setHeader('x-new', '1');
      next();
    });
    const stack = (t.app as unknown as { router: { stack: unknown[] } }).router.stack;
    stack.splice(2, 0, stack.pop());
  };

  it('is a difference the comparison finds', async () => {
    const hot = await target('hot path', true, extraLayer);
    const plain = await target('express', false, extraLayer);
    try {
      const found = await differences(hot, plain);
      expect(found.length).toBeGreaterThan(0);
      expect(found.join('\n')).toContain('x-new');
    } finally {
      await stopBoth(hot, plain);
    }
  });

  it('so the server refuses to start the hot path on such an app', async () => {
    const t = testApp();
    try {
      extraLayer(t);
      expect(() => createServer(t.app)).toThrow(HotPathMismatch);
      // Express alone still serves it.
      expect(() => createServer(t.app, { hotPath: false })).not.toThrow();
    } finally {
      await t.close();
    }
  });
});
