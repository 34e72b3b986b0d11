import { createHash } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent, hidden, PASSWORD, signIn } from '../support/agents.ts';
import { tempDir, testApp, type TestApp } from '../support/app.ts';
import { SIGN_IN_LIMITS } from '../../server/auth/sign-in.ts';
import { PICKUP_LIMITS } from '../../server/services/console.ts';
import { expireLogin } from '../support/store-sql.ts';

let t: TestApp;
beforeAll(async () => {
  t = testApp();
  await addAgent(t, 'agent@example.com', 'agent');
  await addAgent(t, 'admin@example.com', 'admin');
});
afterAll(() => t.close());

const setCookies = (res: request.Response): string[] => [res.headers['set-cookie'] ?? []].flat();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route the app serves, read from Express's own router, so a new console route cannot skip the check. */
function routes(app: Express): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push({ method: m.toUpperCase(), path: layer.route.path });
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

const guarded = () =>
  routes(t.app)
    .filter(({ path }) => /^\/(agent|admin)(\/|$)/.test(path) || path.includes('/transcript'))
    .filter(({ path }) => path !== '/agent/login')
    .map(({ method, path }) => ({ method, path: path.replace(/:\w+/g, 'participant-no-email') }));

describe('without a login', () => {
  it('finds the console routes to check', () => {
    const paths = guarded().map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /agent',
        'POST /agent/start',
        'POST /agent/pickup',
        'GET /agent/sessions',
        'GET /agent/s/participant-no-email',
        'POST /agent/s/participant-no-email',
        'GET /agent/s/participant-no-email/transcript',
        'GET /api/sessions/participant-no-email/transcript',
        'GET /admin',
        'GET /admin/flows/participant-no-email',
        'POST /agent/logout',
      ]),
    );
  });

  it('every console page redirects to the login, every other request gets 401', async () => {
    for (const { method, path } of guarded()) {
      const res = await request(t.app)[method.toLowerCase() as 'get' | 'post'](path).type('form').send({});
      if (path.startsWith('/api/')) {
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      } else if (method === 'GET') {
        expect(res.status, `${method} ${path}`).toBe(302);
        expect(res.headers.location).toBe(`/agent/login?next=${encodeURIComponent(path)}`);
      } else {
        expect(res.status, `${method} ${path}`).toBe(401);
      }
    }
    // Paths that are not routes are guarded too.
    await request(t.app).get('/agent/no-such-page').expect(302);
    await request(t.app).get('/admin/whatever').expect(302);
  });

  it('a forged or expired cookie is no login', async () => {
    await request(t.app).get('/agent').set('cookie', 'mh_login=forged').expect(302);
    const login = await loginCookie('agent@example.com');
    await request(t.app).get('/agent').set('cookie', login).expect(200);
    // The login's time runs out on the server, whatever the browser still keeps.
    const token = login.slice(login.indexOf('=') + 1);
    await expireLogin(t.sql, createHash('sha256').update(token).digest('base64url'), Date.now() - 1);
    await request(t.app).get('/agent').set('cookie', login).expect(302);
    await request(t.app).get('/api/sessions/no-such-session/transcript').set('cookie', login).expect(401);
  });
});

describe('signing in', () => {
  it('rejects a wrong password and an unknown email with the same clear message', async () => {
    const client = request.agent(t.app);
    const form = await client.get('/agent/login').expect(200);
    const csrf = hidden(form.text, '_csrf')!;
    const wrong = await client.post('/agent/login').type('form').send({ _csrf: csrf, email: 'agent@example.com', password: 'nope' }).expect(401);
    expect(wrong.text).toContain('That email and password do not match an account.');
    expect(setCookies(wrong).join()).not.toMatch(/mh_login=[^;]/);
    const unknown = await client.post('/agent/login').type('form').send({ _csrf: csrf, email: 'who@example.com', password: PASSWORD }).expect(401);
    expect(unknown.text).toContain('That email and password do not match an account.');
  });

  it('sets an httpOnly, SameSite=Lax cookie, Secure behind TLS', async () => {
    const client = request.agent(t.app);
    const form = await client.get('/agent/login').expect(200);
    const res = await client
      .post('/agent/login')
      .type('form')
      .send({ _csrf: hidden(form.text, '_csrf'), email: 'AGENT@example.com', password: PASSWORD, next: '/agent/sessions' })
      .expect(303)
      .expect('location', '/agent/sessions');
    const cookie = setCookies(res).find((c) => c.startsWith('mh_login='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const behindProxy = testApp(undefined, { config: { TRUST_PROXY: true } });
    await addAgent(behindProxy, 'tls@example.com');
    // supertest speaks plain HTTP and so keeps no Secure cookie: carry the pre-login cookie by hand.
    const tlsForm = await request(behindProxy.app).get('/agent/login').set('x-forwarded-proto', 'https').expect(200);
    const preLogin = tlsForm.headers['set-cookie']![0]!.split(';')[0]!;
    expect(tlsForm.headers['set-cookie']![0]).toMatch(/Secure/);
    const tlsRes = await request(behindProxy.app)
      .post('/agent/login')
      .set('x-forwarded-proto', 'https')
      .set('cookie', preLogin)
      .type('form')
      .send({ _csrf: hidden(tlsForm.text, '_csrf'), email: 'tls@example.com', password: PASSWORD })
      .expect(303);
    expect(setCookies(tlsRes).find((c) => c.startsWith('mh_login='))).toMatch(/Secure/);
    await behindProxy.close();
  });

  it('never redirects off-site after signing in', async () => {
    const client = request.agent(t.app);
    const form = await client.get('/agent/login').expect(200);
    await client
      .post('/agent/login')
      .type('form')
      .send({ _csrf: hidden(form.text, '_csrf'), email: 'agent@example.com', password: PASSWORD, next: '//evil.example/agent' })
      .expect(303)
      .expect('location', '/agent');
  });

  it('refuses a login form without its CSRF token', async () => {
    await request(t.app).post('/agent/login').type('form').send({ email: 'agent@example.com', password: PASSWORD }).expect(403);
  });

  it('stores passwords hashed with scrypt, never in clear text', async () => {
    const rows = (await t.sql.all('SELECT password_hash FROM agents')) as { password_hash: string }[];
    for (const { password_hash } of rows) {
      expect(password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
      expect(password_hash).not.toContain(PASSWORD);
    }
    // Two accounts with the same password get different hashes (salted).
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(rows.length);
    const tokens = await t.sql.all('SELECT token_hash FROM logins');
    expect(tokens.length).toBeGreaterThan(0);
  });

  it('limits failed sign-ins from one address', async () => {
    const limited = testApp();
    await addAgent(limited, 'x@example.com');
    const client = request.agent(limited.app);
    const form = await client.get('/agent/login').expect(200);
    const csrf = hidden(form.text, '_csrf');
    for (let i = 0; i < 5; i++)
      await client.post('/agent/login').type('form').send({ _csrf: csrf, email: 'x@example.com', password: `wrong${i}` }).expect(401);
    const blocked = await client.post('/agent/login').type('form').send({ _csrf: csrf, email: 'x@example.com', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await limited.close();
  });
});

describe('with a login', () => {
  it('refuses a state-changing form without the CSRF token', async () => {
    const { client, csrf } = await signIn(t, 'agent@example.com');
    await client.post('/agent/start').type('form').send({ flowId: 'participant-no-email', lng: 'sv' }).expect(403);
    await client.post('/agent/start').type('form').send({ _csrf: 'x'.repeat(csrf.length), flowId: 'participant-no-email', lng: 'sv' }).expect(403);
    await client.post('/agent/logout').type('form').send({}).expect(403);
    await client.post('/agent/start').type('form').send({ _csrf: csrf, flowId: 'participant-no-email', lng: 'sv' }).expect(303);
  });

  it('keeps admin pages for admins', async () => {
    const agent = await signIn(t, 'agent@example.com');
    await agent.client.get('/admin').expect(403);
    const admin = await signIn(t, 'admin@example.com');
    const page = await admin.client.get('/admin').expect(200);
    expect(page.text).toContain('agent@example.com');
    const flow = await admin.client.get('/admin/flows/participant-no-email').expect(200);
    expect(flow.text).toContain('<svg');
    expect(flow.text).toContain('data-state="sendLoginLink"');
    expect(flow.text).toContain('flowchart TD');
  });

  it('signing out ends the login on the server', async () => {
    const login = await loginCookie('agent@example.com');
    const home = await request(t.app).get('/agent').set('cookie', login).expect(200);
    // Signed in, a console API call gets past the login check (to a 404 for a session that does not exist).
    const transcript = '/api/sessions/no-such-session/transcript';
    await request(t.app).get(transcript).set('cookie', login).expect(404);
    await request(t.app).post('/agent/logout').set('cookie', login).type('form').send({ _csrf: hidden(home.text, '_csrf') }).expect(303);
    // The browser forgets the cookie, but a copy of it (another tab, a stolen one) must be worth nothing now.
    await request(t.app).get(transcript).set('cookie', login).expect(401);
    await request(t.app).get('/agent').set('cookie', login).expect(302);
  });
});

/** Signs in through the login form and returns the login cookie (`mh_login=…`) itself, to replay by hand. */
async function loginCookie(email: string): Promise<string> {
  const form = await request(t.app).get('/agent/login').expect(200);
  const res = await request(t.app)
    .post('/agent/login')
    .set('cookie', setCookies(form)[0]!.split(';')[0]!)
    .type('form')
    .send({ _csrf: hidden(form.text, '_csrf'), email, password: PASSWORD })
    .expect(303);
  return setCookies(res).find((c) => c.startsWith('mh_login='))!.split(';')[0]!;
}

/** A sign-in client: the login form's pre-login cookie and token, then as many posts as a test needs. */
async function loginForm(app: TestApp['app'], headers: Record<string, string> = {}) {
  const client = request.agent(app);
  const form = await client.get('/agent/login').set(headers).expect(200);
  const csrf = hidden(form.text, '_csrf')!;
  return (email: string, password: string, more: Record<string, string> = {}, extra: Record<string, string> = {}) =>
    client.post('/agent/login').set({ ...headers, ...extra }).type('form').send({ _csrf: csrf, email, password, ...more });
}

describe('where sign-in returns to', () => {
  const offSite = [
    '/agent/..//evil.example',
    '//evil.example/agent',
    '/\\evil.example',
    '/agent/%2e%2e//evil.example',
    '/agent/%2E%2E/%2e%2e//evil.example/',
    '/agent/%2F%2Fevil.example',
    '/agent/%5c%5cevil.example',
    '/agent/..%2f..%2f/evil.example',
    '/agent\t/x',
    'https://evil.example/agent',
    '/elsewhere',
  ];
  const kept = ['/agent/sessions?flow=participant-no-email&page=2', '/admin/analytics', '/agent/s/x'];

  it('only a console path, judged after resolving dot segments, backslashes and encodings', async () => {
    // The login page puts the judged value into its form; the sign-in judges what the form sends again.
    const carried = async (next: string) =>
      hidden((await request(t.app).get(`/agent/login?next=${encodeURIComponent(next)}`).expect(200)).text, 'next');
    for (const next of offSite) expect(await carried(next), next).toBe('/agent');
    const unescaped = (html?: string) => html?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    for (const next of kept) expect(unescaped(await carried(next)), next).toBe(next);
    expect(await carried('/agent/./s/x')).toBe('/agent/s/x');
  });

  it('after signing in, an off-site next goes to the console home', async () => {
    for (const [next, location] of [
      ['/agent/..//evil.example', '/agent'],
      ['/agent/%2e%2e//evil.example', '/agent'],
      [kept[0]!, kept[0]!],
    ]) {
      const post = await loginForm(t.app);
      const res = await post('agent@example.com', PASSWORD, { next: next! }).expect(303);
      expect(res.headers.location, next).toBe(location);
    }
  });
});

describe('sign-in limits', () => {
  it('count in the database: a restarted app still refuses, with a localized 429 and Retry-After', async () => {
    const dir = tempDir();
    const file = `${dir.dir}/mailhelp.db`;
    const first = testApp(file);
    await addAgent(first, 'kim@example.com');
    const post = await loginForm(first.app);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) await post('kim@example.com', `wrong${i}`).expect(401);
    await first.close();

    const second = testApp(file);
    const again = await loginForm(second.app);
    const blocked = await again('kim@example.com', PASSWORD, {}, { 'accept-language': 'sv' });
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowMs / 1000);
    expect(blocked.text).toContain('<html lang="sv">');
    expect(blocked.text).toContain('För många misslyckade inloggningar');
    expect(setCookies(blocked).join()).not.toMatch(/mh_login=[^;]/);
    await second.close();
    dir.remove();
  });

  it('count failures only: 30 people signing in at once all get in', async () => {
    const busy = testApp();
    await addAgent(busy, 'team@example.com');
    const post = await loginForm(busy.app);
    const results = await Promise.all(Array.from({ length: 30 }, () => post('team@example.com', PASSWORD)));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(303));
    await busy.close();
  });

  it('a burst of guesses gets no more tries than the limit, however many arrive at once', async () => {
    const app = testApp();
    await addAgent(app, 'target@example.com');
    const post = await loginForm(app.app);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post('target@example.com', `guess${i}`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_LIMITS.perAccount);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - SIGN_IN_LIMITS.perAccount);
    await app.close();
  });

  it('per account, across addresses: guessing one agent from many addresses stops', async () => {
    const proxied = testApp(undefined, { config: { TRUST_PROXY: true } });
    await addAgent(proxied, 'anna@example.com');
    await addAgent(proxied, 'bo@example.com');
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      const post = await loginForm(proxied.app, from(`203.0.113.${i + 1}`));
      await post('anna@example.com', 'wrong').expect(401);
    }
    const fresh = await loginForm(proxied.app, from('198.51.100.7'));
    // The right password from an address that never failed: the account is resting.
    await fresh('ANNA@example.com', PASSWORD).expect(429);
    // The address itself is not blocked: another account signs in from it.
    await fresh('bo@example.com', PASSWORD).expect(303);
    await proxied.close();
  });

  it('per address, across accounts: trying many accounts from one address stops', async () => {
    const app = testApp();
    await addAgent(app, 'real@example.com');
    const post = await loginForm(app.app);
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) await post(`user${i}@example.com`, 'wrong').expect(401);
    await post('real@example.com', PASSWORD).expect(429);
    await app.close();
  });

  it('picking sessions up by guessed codes is limited per agent', async () => {
    const app = testApp();
    await addAgent(app, 'guesser@example.com');
    await addAgent(app, 'other@example.com');
    const guesser = await signIn(app, 'guesser@example.com');
    const started = await request(app.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'en' }).expect(201);
    const pickup = (who: typeof guesser, ref: string) => who.client.post('/agent/pickup').type('form').send({ _csrf: who.csrf, ref });
    for (let i = 0; i < PICKUP_LIMITS.perAgent; i++) await pickup(guesser, 'ZZZ-ZZZ').expect(404);
    // Even a real code is refused now, on a page in the agent's language.
    const blocked = await pickup(guesser, started.body.ref).set('accept-language', 'de');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain('Zu viele Anfragen');
    // Another agent is not held back by it.
    const other = await signIn(app, 'other@example.com');
    await pickup(other, started.body.ref).expect(303);
    await app.close();
  });
});
