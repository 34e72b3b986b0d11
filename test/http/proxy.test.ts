import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.ts';

const setCookies = (res: request.Response): string[] => [res.headers['set-cookie'] ?? []].flat();

/** The cookies a visitor gets: the language they chose, and the sign-in form's CSRF cookie. */
async function cookiesAndHeaders(t: TestApp, proto?: string) {
  const withProto = (r: request.Test) => (proto ? r.set('x-forwarded-proto', proto) : r);
  const home = await withProto(request(t.app).get('/?lng=sv')).expect(200);
  const login = await withProto(request(t.app).get('/agent/login')).expect(200);
  const health = await withProto(request(t.app).get('/healthz')).expect(200);
  const cookies = [...setCookies(home), ...setCookies(login)];
  expect(cookies.map((c) => c.split('=')[0])).toEqual(['lng', 'mh_csrf']);
  return { cookies, hsts: [home, login, health].map((r) => r.headers['strict-transport-security']) };
}

describe('TRUST_PROXY=true: the proxy says whether the request came over HTTPS', () => {
  let t: TestApp;
  beforeAll(() => {
    t = testApp(undefined, { config: { TRUST_PROXY: true, SESSIONS_PER_MINUTE: 1 } });
  });
  afterAll(() => t.close());

  it('over HTTPS: every cookie is Secure and every response carries HSTS', async () => {
    const { cookies, hsts } = await cookiesAndHeaders(t, 'https');
    for (const c of cookies) expect(c).toMatch(/; Secure/);
    expect(hsts).toEqual(Array(3).fill('max-age=31536000; includeSubDomains'));
  });

  it('over plain HTTP: no cookie is Secure (the browser would drop it) and no HSTS', async () => {
    for (const proto of ['http', undefined]) {
      const { cookies, hsts } = await cookiesAndHeaders(t, proto);
      for (const c of cookies) expect(c).not.toMatch(/Secure/);
      expect(hsts).toEqual([undefined, undefined, undefined]);
    }
  });

  it('the client address is the one the proxy gives: limits count per client, not per proxy', async () => {
    const start = (ip: string) => request(t.app).post('/api/sessions').set('x-forwarded-for', ip).send({ flowId: 'participant-no-email' });
    expect((await start('203.0.113.1')).status).toBe(201);
    expect((await start('203.0.113.1')).status).toBe(429);
    expect((await start('203.0.113.2')).status).toBe(201);
  });
});

describe('TRUST_PROXY=false: forwarded headers are anyone\'s to forge, so none is believed', () => {
  let t: TestApp;
  beforeAll(() => {
    t = testApp(undefined, { config: { TRUST_PROXY: false, SESSIONS_PER_MINUTE: 1 } });
  });
  afterAll(() => t.close());

  it('X-Forwarded-Proto: https makes no cookie Secure and sends no HSTS', async () => {
    const { cookies, hsts } = await cookiesAndHeaders(t, 'https');
    for (const c of cookies) expect(c).not.toMatch(/Secure/);
    expect(hsts).toEqual([undefined, undefined, undefined]);
  });

  it('X-Forwarded-For does not escape the per-address limit', async () => {
    const start = (ip: string) => request(t.app).post('/api/sessions').set('x-forwarded-for', ip).send({ flowId: 'participant-no-email' });
    expect((await start('203.0.113.1')).status).toBe(201);
    expect((await start('203.0.113.2')).status).toBe(429);
  });
});
