import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorFor } from '../../server/auth/editors.ts';
import { builtinDocuments } from '../../server/content/builtin.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { ERROR_CODES } from '../../server/http/errors.ts';
import { addAgent, signIn } from '../support/agents.ts';
import { listen, testApp, type TestApp } from '../support/app.ts';
import { compareOne, newSession, stopBoth, target, type Sent, type Target } from '../support/twins.ts';

/*
 * Property-based requests to every route: random ids, events, JSON and form bodies, query strings, headers and
 * content types, over-long and non-UTF-8 input. Whatever arrives, the answer is never a 5xx, never shows a stack
 * trace, and an error has the documented shape: `{"error":{"code","message"}}` from the API, a page in a
 * supported language otherwise.
 */

interface Route {
  method: 'GET' | 'POST';
  /** `:id`, `:flowId`, `:token` are filled with fuzzed or real values. */
  path: string;
}

/** Every route the app serves (a test below checks this list against the app's own router). */
const ROUTES: Route[] = [
  ...['', '/embed'].flatMap((base): Route[] => [
    { method: 'GET', path: base || '/' },
    { method: 'GET', path: `${base}/flows/:flowId` },
    { method: 'POST', path: `${base}/flows/:flowId` },
    { method: 'GET', path: `${base}/s/:id` },
    { method: 'POST', path: `${base}/s/:id` },
    { method: 'POST', path: `${base}/s/:id/feedback` },
    { method: 'POST', path: `${base}/s/:id/handoff` },
  ]),
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/widget.js' },
  { method: 'GET', path: '/demo/help-center' },
  { method: 'GET', path: '/assets/:id' },
  { method: 'GET', path: '/favicon.ico' },
  { method: 'GET', path: '/api/flows' },
  { method: 'GET', path: '/api/search' },
  { method: 'POST', path: '/api/sessions' },
  { method: 'GET', path: '/api/sessions/:id' },
  { method: 'POST', path: '/api/sessions/:id/events' },
  { method: 'POST', path: '/api/sessions/:id/back' },
  { method: 'POST', path: '/api/sessions/:id/restart' },
  { method: 'POST', path: '/api/sessions/:id/feedback' },
  { method: 'POST', path: '/api/sessions/:id/handoff' },
  { method: 'GET', path: '/api/sessions/:id/transcript' },
  { method: 'GET', path: '/api/checks/email-domain' },
  { method: 'POST', path: '/api/checks/headers' },
  { method: 'POST', path: '/api/checks/bounce' },
  { method: 'GET', path: '/api/checks/sender-ips' },
  { method: 'GET', path: '/api/analytics/flows/:flowId' },
  { method: 'GET', path: '/agent/login' },
  { method: 'POST', path: '/agent/login' },
  { method: 'POST', path: '/agent/logout' },
  { method: 'GET', path: '/agent' },
  { method: 'POST', path: '/agent/pickup' },
  { method: 'POST', path: '/agent/start' },
  { method: 'GET', path: '/agent/s/:id' },
  { method: 'POST', path: '/agent/s/:id' },
  { method: 'GET', path: '/agent/s/:id/transcript' },
  { method: 'GET', path: '/agent/sessions' },
  { method: 'GET', path: '/agent/inbox' },
  { method: 'GET', path: '/agent/inbox/:id' },
  { method: 'POST', path: '/agent/inbox/:id/claim' },
  { method: 'POST', path: '/agent/inbox/:id/state' },
  { method: 'POST', path: '/api/handoffs/:id/status' },
  { method: 'GET', path: '/admin' },
  { method: 'GET', path: '/admin/flows/:flowId' },
  { method: 'GET', path: '/admin/analytics' },
  { method: 'GET', path: '/admin/deliveries' },
  { method: 'POST', path: '/admin/deliveries/:id/retry' },
  { method: 'GET', path: '/admin/analytics/sessions.csv' },
  { method: 'GET', path: '/admin/analytics/steps.csv' },
  { method: 'GET', path: '/api/admin/flows' },
  { method: 'GET', path: '/api/admin/flows/:flowId' },
  { method: 'GET', path: '/api/admin/flows/:flowId/versions' },
  { method: 'GET', path: '/api/admin/flows/:flowId/versions/:id' },
  { method: 'POST', path: '/api/admin/flows/:flowId/drafts' },
  { method: 'POST', path: '/api/admin/flows/:flowId/publish' },
  { method: 'GET', path: '/api/admin/audit' },
  { method: 'GET', path: '/api/admin/translations/:lng' },
  { method: 'POST', path: '/api/admin/translations/:lng' },
  { method: 'GET', path: '/admin/studio' },
  { method: 'POST', path: '/admin/studio/guides' },
  { method: 'GET', path: '/admin/studio/guides/:flowId' },
  { method: 'POST', path: '/admin/studio/guides/:flowId/drafts' },
  { method: 'POST', path: '/admin/studio/guides/:flowId/rollback' },
  { method: 'GET', path: '/admin/studio/guides/:flowId/compare' },
  { method: 'GET', path: '/admin/studio/drafts/:id' },
  { method: 'POST', path: '/admin/studio/drafts/:id' },
  { method: 'GET', path: '/admin/studio/drafts/:id/steps/:step' },
  { method: 'POST', path: '/admin/studio/drafts/:id/steps/:step' },
  { method: 'GET', path: '/admin/studio/drafts/:id/facts' },
  { method: 'POST', path: '/admin/studio/drafts/:id/publish' },
  { method: 'POST', path: '/admin/studio/drafts/:id/discard' },
  { method: 'GET', path: '/preview/:token' },
  { method: 'GET', path: '/admin/studio/drafts/:id/preview' },
  { method: 'POST', path: '/admin/studio/drafts/:id/preview-link' },
  { method: 'GET', path: '/admin/studio/translate' },
  { method: 'GET', path: '/admin/studio/translate/:lng/:flowId' },
  { method: 'GET', path: '/admin/studio/translate/:lng/:flowId/:key' },
  { method: 'POST', path: '/admin/studio/translate/:lng/:flowId/:key' },
  { method: 'POST', path: '/admin/studio/translate/:lng/:flowId/:key/confirm' },
];

let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
const real = { sessionId: '', finishedId: '', ref: '', cookie: '', csrf: '', previewToken: '' };

beforeAll(async () => {
  t = testApp(undefined, { config: { CHECKS_PER_MINUTE: 10_000, DNS_SERVERS: '127.0.0.1:9', DNS_TIMEOUT_MS: 100 } });
  server = await listen(t.app);
  const start = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"flowId":"participant-no-email"}' });
  const body = (await start.json()) as { sessionId: string; ref: string };
  real.sessionId = body.sessionId;
  real.ref = body.ref;
  const done = (await (
    await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"flowId":"participant-no-email"}' })
  ).json()) as { sessionId: string };
  await fetch(`${server.url}/api/sessions/${done.sessionId}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"UNDER_A_MINUTE"}' });
  real.finishedId = done.sessionId;
  const admin = await addAgent(t, 'fuzz@example.com', 'admin');
  // A draft with a private preview link, so fuzzed paths reach the preview's walk.
  const draft = await t.app.locals.ctx.drafts.startNew(builtinDocuments()[0]!, editorFor(admin));
  real.previewToken = await t.app.locals.ctx.drafts.previewLink(draft.id);
  const signedIn = await signIn(t, 'fuzz@example.com');
  real.csrf = signedIn.csrf;
  const res = await signedIn.client.get('/agent');
  real.cookie = (res.request as unknown as { cookies: string }).cookies ?? '';
}, 30_000);
afterAll(async () => {
  await server.stop();
  await t.close();
});

/** Raw HTTP, so bodies can be any bytes and headers any value a client could send. */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer) {
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const url = new URL(server.url);
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FLOWS = new FlowRegistry().list.map((f) => f.id);
const EVENTS = ['OVER_A_MINUTE', 'UNDER_A_MINUTE', 'CHECK', 'CHECK_RESULT', 'SKIP_CHECK', 'RESTART', 'BACK', 'START', '__proto__', 'constructor'];

/** Header-safe text: what a real client can put in a header (tab, printable ASCII, Latin-1). */
const headerText = fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: 300 });

/** A path segment: real values, junk, long, percent-encoded Unicode, and broken escapes (`%ff` is not UTF-8). */
const segment = fc.oneof(
  fc.constantFrom(...FLOWS, 'checkSpf', 'app.css', 'console.js', '..', '.', '%', '%zz', '%ff%fe', '%00', '%2F', '%C0%AF', 'x'.repeat(5000)),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.base64String({ minLength: 20, maxLength: 24 }).map((s) => s.replace(/[+/=]/g, '_')),
);

const queryValue = fc.oneof(
  fc.constantFrom('sv', 'no', 'de', 'en', 'nb', 'xx', '', 'zz-ZZ', 'school.example', '127.0.0.1', 'a'.repeat(3000), '%ff', '2026-13-45', 'OVER_A_MINUTE.CHECK_RESULT~0', 'CHECK_RESULT~99', 'A.'.repeat(300)),
  fc.string({ maxLength: 60 }).map(encodeURIComponent),
);
const queryKey = fc.constantFrom('lng', 'q', 'step', 'origin', 'domain', 'include', 'from', 'to', 'flow', 'page', 'all', 'outcome', 'channel', 'format', 'v', 'next', 'audience', 'path', 'token', '__proto__', 'a[b]', 'x');
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 5 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

const jsonValue = fc.oneof(
  fc.constantFrom(...FLOWS, ...EVENTS, 'sv', 'de', 'agent', 'participant', 'widget', 'api', true, false, null, 0, -1, 1e308),
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);
/**
 * Shapes that break recursive code: nesting thousands deep (5,000 arrays in `data` overflowed JSON.stringify's stack
 * and were a 500) and objects and arrays thousands wide. All fit the 16 KB body limit or just miss it.
 */
const deepJson = fc
  .tuple(fc.integer({ min: 500, max: 7500 }), fc.constantFrom('array', 'object'))
  .map(([n, kind]) => (kind === 'array' ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n >> 1) + '1' + '}'.repeat(n >> 1)));
const wideJson = fc
  .tuple(fc.integer({ min: 100, max: 2500 }), fc.constantFrom('object', 'array'))
  .map(([n, kind]) => {
    const items = Array.from({ length: n }, (_, i) => (kind === 'object' ? `"k${i}":${i}` : String(i)));
    return kind === 'object' ? `{${items.join(',')}}` : `[${items.join(',')}]`;
  });
const hugeJson = fc.oneof(deepJson, wideJson);
/** A request body with a deep or wide value at the top, in a field, or as a check step's domain. */
const hugeBody = fc.oneof(
  hugeJson,
  fc
    .tuple(fc.constantFrom(...EVENTS), fc.constantFrom('data', 'comment', 'flowId', 'lng', 'audience', 'channel', 'startAt', 'helpful'), hugeJson)
    .map(([type, field, value]) => `{"type":"${type}","${field}":${value}}`),
  hugeJson.map((value) => `{"type":"CHECK","data":{"domain":${value}}}`),
  wideJson.map((value) => `{"type":"OVER_A_MINUTE","data":${value}}`),
);

/** Text shaped like pasted headers: header lines, folded ones, junk, a body after a blank line, a header block of 70 KB. */
const pastedHeaders = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc.constantFrom('Received: from a.example (a.example [192.0.2.1]) by b.example; Wed, 2 Dec 2026 09:00:00 +0000', 'Authentication-Results: x; spf=pass', ' folded', 'DKIM-Signature: v=1; d=a.example; s=s1; b=!!', 'X-Forefront-Antispam-Report: SCL:9;SFV:BLK', 'From: <@>', ''),
        fc.string({ maxLength: 80 }),
      ),
      { maxLength: 12 },
    )
    .map((lines) => lines.join('\n')),
  fc.constant(`Received: from a\n${'X-Pad: aaaaaaaaaa\n'.repeat(4000)}`),
);

/** Pasted bounces: junk made of the pieces the bounce reader looks for, so its patterns meet their worst cases. */
const bounceText = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc
    .array(fc.constantFrom('550', '550-', '5.1.1', '4.2.2', '5.7.26', ' ', '\n', '\n    ', 'Status: ', 'Diagnostic-Code: smtp; ', "returned '", "'", 'said: ', 'a@b.example', '@', '.', '#', 'SPF', 'x'), { maxLength: 3000 })
    .map((parts) => parts.join('')),
);
const jsonBody = fc.oneof(
  fc.record({ text: fc.oneof(jsonValue, bounceText) }).map((o) => JSON.stringify(o)),
  fc.record(
    {
      flowId: jsonValue,
      type: jsonValue,
      lng: jsonValue,
      audience: jsonValue,
      channel: jsonValue,
      startAt: jsonValue,
      data: fc.oneof(jsonValue, fc.record({ domain: jsonValue }), fc.record({ headers: fc.oneof(jsonValue, pastedHeaders) })),
      headers: fc.oneof(jsonValue, pastedHeaders),
      helpful: jsonValue,
      comment: jsonValue,
    },
    { requiredKeys: [] },
  ).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"flowId":', 'null', '[]', '"x"', '{"__proto__":{"x":1}}', `{"comment":"${'x'.repeat(20_000)}"}`),
);
const formBody = fc
  .array(fc.tuple(fc.constantFrom('event', 'domain', 'headers', 'back', 'restart', 'helpful', 'comment', 'step', 'origin', '_csrf', 'email', 'password', 'ref', 'note', 'flowId', 'lng', 'next'), queryValue), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const body = fc.oneof(
  jsonBody.map((s) => Buffer.from(s)),
  hugeBody.map((s) => Buffer.from(s)),
  formBody.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), // {"a":"<invalid UTF-8>"}
  fc.constant(Buffer.alloc(200_000, 0x61)),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  ';;;',
);
const accept = fc.constantFrom(undefined, 'text/html', 'application/json', '*/*', 'image/png', 'application/json;q=0, text/html;q=0');

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  otherMethod: fc.option(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'GET', 'POST', 'HEAD', 'OPTIONS'), { freq: 8 }),
  id: fc.oneof(segment, fc.constantFrom('real', 'finished')),
  flowId: segment,
  query,
  contentType,
  accept,
  acceptLanguage: fc.option(fc.oneof(fc.constantFrom('de', 'nb-NO,nb;q=0.9', 'sv-SE', 'en;q=abc', '*', ',,,'), headerText)),
  cookie: fc.option(fc.oneof(fc.constant('real'), fc.constantFrom('lng=de', 'lng=%ff', 'mailhelp_login=x', 'a'), headerText)),
  requestId: fc.option(headerText),
  body: fc.option(body, { freq: 2 }),
  csrf: fc.boolean(),
});

type FuzzRequest = typeof request extends fc.Arbitrary<infer R> ? R : never;
const route = (method: Route['method'], path: string) => ROUTES.find((r) => r.method === method && r.path === path)!;
const PLAIN: FuzzRequest = {
  route: route('GET', '/healthz'),
  otherMethod: null,
  id: 'real',
  flowId: FLOWS[0]!,
  query: '',
  contentType: undefined,
  accept: undefined,
  acceptLanguage: null,
  cookie: null,
  requestId: null,
  body: null,
  csrf: false,
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const MISTAKES: Partial<FuzzRequest>[] = [
  { route: route('GET', '/api/flows') },
  { route: route('POST', '/api/checks/bounce'), contentType: 'application/json', body: json({ text: '550 5.1.1 no such user' }) },
  { route: route('POST', '/api/checks/bounce'), contentType: 'application/json', body: json({ text: 'no code here' }) },
  { route: route('POST', '/api/checks/bounce'), contentType: 'application/json', body: json({ text: `550 5.1.1 ${'x'.repeat(70_000)}` }) },
  { route: route('POST', '/api/checks/bounce'), contentType: 'application/json', body: json({ text: '\u0000'.repeat(100_000) }) },
  { route: route('POST', '/api/sessions'), contentType: 'application/json', body: json({ flowId: 42 }) },
  { route: route('GET', '/api/sessions/:id'), id: 'no-such-session' },
  { route: route('POST', '/api/sessions/:id/events'), id: 'finished', contentType: 'application/json', body: json({ type: 'OVER_A_MINUTE' }) },
  { route: route('POST', '/api/sessions'), contentType: 'application/json', body: Buffer.alloc(200_000, 0x61) },
  { route: route('POST', '/api/sessions'), contentType: 'text/plain', body: Buffer.from('flowId') },
  { route: route('POST', '/api/checks/headers'), contentType: 'application/json', body: json({ headers: 'no headers here' }) },
  { route: route('POST', '/api/checks/headers'), contentType: 'application/json', body: json({ headers: `Received: x\n${'X-Pad: y\n'.repeat(9000)}` }) },
  { route: route('POST', '/api/checks/headers'), contentType: 'application/json', body: Buffer.alloc(300_000, 0x61) },
];

const STACK = /\bat .+\(.+:\d+:\d+\)|node_modules|\/work\/|\.ts:\d+|Error: /;
const CODES = new Set<string>(ERROR_CODES);

describe('fuzzed requests', () => {
  it('the route list covers every route the app has', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; name?: string };
    const found: string[] = [];
    const walk = (stack: Layer[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) for (const m of Object.keys(layer.route.methods)) found.push(`${m.toUpperCase()} ${prefix}${layer.route.path}`);
        else if (layer.handle?.stack) walk(layer.handle.stack, layer.handle.stack.some((l) => l.route?.path === '/sessions/:id') ? '/api' : prefix);
      }
    };
    walk((t.app as unknown as { router: { stack: Layer[] } }).router.stack, '');
    const listed = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const checkRoutes = ['GET /checks/email-domain', 'POST /checks/headers'];
    expect(found.filter((r) => !checkRoutes.includes(r) && !listed.has(r))).toEqual([]);
    expect(found.length).toBeGreaterThan(30);
  });

  it('never a 5xx, never a stack trace, always the documented error shape', { timeout: 120_000 }, async () => {
    let requests = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const method = r.otherMethod ?? r.route.method;
        const id = r.id === 'real' ? real.sessionId : r.id === 'finished' ? real.finishedId : r.id;
        const token = r.id === 'real' ? real.previewToken : id;
        const path = r.route.path.replace(':id', id).replace(':flowId', r.flowId).replace(':token', token) + r.query;
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.accept) headers.accept = r.accept;
        if (r.acceptLanguage !== null) headers['accept-language'] = r.acceptLanguage;
        if (r.cookie !== null) headers.cookie = r.cookie === 'real' ? real.cookie : r.cookie;
        if (r.requestId !== null) headers['x-request-id'] = r.requestId;
        // The admin API takes its CSRF token in a header; with it, fuzzed JSON reaches document validation.
        if (r.csrf) headers['x-csrf-token'] = real.csrf;
        let payload = r.body ?? undefined;
        // Some console forms carry the real CSRF token, so the fuzz reaches past the token check.
        if (r.csrf && payload && r.contentType?.startsWith('application/x-www-form-urlencoded'))
          payload = Buffer.concat([payload, Buffer.from(`&_csrf=${encodeURIComponent(real.csrf)}`)]);
        if (method === 'GET' || method === 'HEAD') payload = undefined;
        const res = await send(method, path, headers, payload);
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${method} ${path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).toBeLessThan(500);
        expect(res.text, where).not.toMatch(STACK);
        if (res.status >= 400 && method !== 'HEAD') {
          if (res.type.startsWith('application/json')) {
            const parsed = JSON.parse(res.text) as { error?: { code?: string; message?: string } };
            expect(Object.keys(parsed), where).toEqual(['error']);
            expect(CODES.has(parsed.error!.code!), where).toBe(true);
            expect(parsed.error!.message!.length, where).toBeGreaterThan(0);
          } else {
            expect(path.startsWith('/api/'), `${where}: the API answers errors in JSON`).toBe(false);
            expect(res.type, where).toMatch(/^text\/html/);
            expect(res.text, where).toMatch(/<html lang="(sv|no|de|en)">/);
          }
        }
      }),
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 3000),
        interruptAfterTimeLimit: 90_000,
        // One sure case of each mistake the assertion below expects to meet, so a run never misses one by chance.
        examples: MISTAKES.map((m) => [{ ...PLAIN, ...m }]),
      },
    );
    expect(requests).toBeGreaterThan(200);
    // The requests got past the first layer: some were answered, and each kind of client mistake was met.
    for (const status of [200, 400, 404, 409, 413, 415]) expect(statuses.get(status) ?? 0, `no ${status} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    expect(t.errors).toEqual([]);
  });

  it('deep and wide JSON on every JSON route is never a 5xx (Back and Start over read no body)', { timeout: 60_000 }, async () => {
    const routes = ROUTES.filter((r) => r.method === 'POST' && r.path.startsWith('/api/'));
    // A login of its own: the run above may have signed the shared one out (POST /agent/logout is fuzzed too).
    const admin = await signIn(t, 'fuzz@example.com');
    const cookie = ((await admin.client.get('/agent')).request as unknown as { cookies: string }).cookies;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom('real', 'finished'), hugeBody, async (route, which, json) => {
        const id = which === 'real' ? real.sessionId : real.finishedId;
        // Signed in as an administrator with the CSRF token: the admin API's documents are read, not refused at the door.
        const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': admin.csrf };
        const res = await send('POST', route.path.replace(':id', id).replace(':flowId', FLOWS[0]!), headers, Buffer.from(json));
        const where = `${route.path} ${json.slice(0, 60)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).toBeLessThan(500);
        if (res.status >= 400) expect(CODES.has((JSON.parse(res.text) as { error: { code: string } }).error.code), where).toBe(true);
        // Only Back and Start over, which take no body, go on; nothing deep or wide is ever taken as input.
        else expect(route.path, where).toMatch(/\/(back|restart)$/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) / 10 + 200 },
    );
    expect(t.errors).toEqual([]);
  });
});

/** The step routes the hot path answers (server/http/hot-path.ts), with the paths next to them it must leave alone. */
const STEP_PATHS = ['/api/sessions/:id', '/api/sessions/:id/events', '/api/sessions/:id/back', '/s/:id', '/api/sessions/:id/', '/s/:id/', '//s/:id', '/API/sessions/:id', '/api/sessions/:id/restart'];

const stepRequest = fc.record({
  method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST'), weight: 4 }, fc.constantFrom('HEAD', 'PUT', 'OPTIONS')),
  path: fc.oneof({ arbitrary: fc.constantFrom(...STEP_PATHS.slice(0, 4)), weight: 3 }, fc.constantFrom(...STEP_PATHS)),
  id: fc.oneof({ arbitrary: fc.constantFrom('real', 'real', 'real', 'finished'), weight: 4 }, segment),
  query: fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, query),
  contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 3 }, contentType),
  accept,
  acceptLanguage: fc.option(fc.oneof(fc.constantFrom('de', 'nb-NO,nb;q=0.9', 'sv-SE', 'en;q=abc', '*', ',,,'), headerText)),
  cookie: fc.option(fc.constantFrom('lng=de', 'lng=%ff', 'lng=sv; mh_login=x', 'a')),
  requestId: fc.option(headerText),
  // Mostly none: a request with one is Express's, and the plain ones are what the hot path must get right.
  conditional: fc.oneof(
    { arbitrary: fc.constant(null), weight: 5 },
    fc.constantFrom<[string, string]>(['if-none-match', '"x"'], ['if-modified-since', 'Wed, 21 Oct 2015 07:28:00 GMT'], ['range', 'bytes=0-1'], ['expect', '100-continue']),
  ),
  body: fc.option(
    fc.oneof(
      { arbitrary: fc.constantFrom(...EVENTS).map((type) => Buffer.from(JSON.stringify({ type }))), weight: 4 },
      fc.constantFrom(...EVENTS).map((type) => Buffer.from(` {"type" : "${type}"}\n`)),
      fc.tuple(fc.constantFrom(...EVENTS), fc.constantFrom('data', 'lng', 'x', 'type'), jsonValue).map(([type, key, value]) => Buffer.from(`{"type":"${type}","${key}":${JSON.stringify(value)}}`)),
      jsonBody.map((b) => Buffer.from(b)),
      body,
    ),
    { freq: 4 },
  ),
});

describe('the hot path, fuzzed', () => {
  let hot: Target;
  let plain: Target;
  const ids = { hot: { real: '', finished: '' }, plain: { real: '', finished: '' } };
  beforeAll(async () => {
    hot = await target('hot path', true);
    plain = await target('express', false);
    for (const [to, own] of [[hot, ids.hot], [plain, ids.plain]] as const) {
      own.real = await newSession(to, 'real');
      own.finished = await newSession(to, 'finished');
      await fetch(`${to.url}/api/sessions/${own.finished}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"UNDER_A_MINUTE"}' });
    }
  });
  afterAll(() => stopBoth(hot, plain));

  it('answers nothing Express alone would answer differently', { timeout: 120_000 }, async () => {
    const sent = (r: typeof stepRequest extends fc.Arbitrary<infer R> ? R : never, own: { real: string; finished: string }): Sent => {
      const id = r.id === 'real' ? own.real : r.id === 'finished' ? own.finished : r.id;
      const headers: Record<string, string> = {};
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.accept) headers.accept = r.accept;
      if (r.acceptLanguage !== null) headers['accept-language'] = r.acceptLanguage;
      if (r.cookie !== null) headers.cookie = r.cookie;
      if (r.requestId !== null) headers['x-request-id'] = r.requestId;
      if (r.conditional) headers[r.conditional[0]] = r.conditional[1];
      const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : (r.body ?? undefined);
      return { method: r.method, path: r.path.replace(':id', id) + r.query, headers, body };
    };
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(stepRequest, async (r) => {
        runs++;
        expect(await compareOne(hot, plain, sent(r, ids.hot), sent(r, ids.plain))).toEqual([]);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) / 5, interruptAfterTimeLimit: 90_000 },
    );
    // The hot path answered a good share of them itself.
    expect(plain.viaExpress.count - hot.viaExpress.count, `of ${runs}`).toBeGreaterThan(runs / 10);
    expect([...hot.t.errors, ...plain.t.errors]).toEqual([]);
  });
});
