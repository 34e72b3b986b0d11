import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { startDnsServer } from '../support/dns-server.ts';

/* Rate limits per client address: new sessions on every surface, and domain checks wherever they run. */
let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
const apps: TestApp[] = [];
beforeAll(async () => {
  dnsServer = await startDnsServer({
    'school.se': [
      { type: 'TXT', value: 'v=spf1 include:amazonses.com ~all' },
      { type: 'MX', value: '10 mx.school.se' },
    ],
    '_dmarc.school.se': [{ type: 'TXT', value: 'v=DMARC1; p=reject' }],
    'amazonses.com': [{ type: 'TXT', value: 'v=spf1 ip4:198.51.100.0/24 -all' }],
  });
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  dnsServer.close();
});

function app(config: { SESSIONS_PER_MINUTE?: number; CHECKS_PER_MINUTE?: number }) {
  const t = testApp(undefined, { dns: createDns({ servers: [dnsServer.server], timeoutMs: 500 }), config });
  apps.push(t);
  return t;
}

describe('session starts per minute', () => {
  it('the API, the pages and the widget share one budget; then 429 with Retry-After, sessions already started go on', async () => {
    const t = app({ SESSIONS_PER_MINUTE: 3 });
    const first = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email' }).expect(201);
    await request(t.app).post('/flows/participant-no-email').type('form').send({}).expect(303);
    await request(t.app).post('/embed/flows/participant-no-email').type('form').send({}).expect(303);

    const api = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email' }).expect(429);
    expect(api.body).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/new sessions/) } });
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(api.headers['retry-after'])).toBeLessThanOrEqual(60);

    const page = await request(t.app).post('/flows/participant-no-email').set('Accept-Language', 'de').type('form').send({}).expect(429);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Zu viele Anfragen');

    // Answering is not starting: the session begun before the limit carries on.
    await request(t.app).post(`/api/sessions/${first.body.sessionId}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
  });
});

describe('domain checks per minute', () => {
  it('a check step and the check API count together; ordinary answers do not count', async () => {
    const t = app({ CHECKS_PER_MINUTE: 2 });
    const atCheck = async () =>
      (await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', startAt: 'checkSpf' }).expect(201)).body
        .sessionId as string;
    const a = await atCheck();
    const b = await atCheck();
    const c = await atCheck();

    // Many ordinary answers first: none of them uses up the check budget.
    const other = (await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email' })).body.sessionId as string;
    for (let i = 0; i < 4; i++) {
      await request(t.app).post(`/api/sessions/${other}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
      await request(t.app).post(`/api/sessions/${other}/back`).expect(200);
    }

    await request(t.app).post(`/api/sessions/${a}/events`).send({ type: 'CHECK', data: { domain: 'school.se' } }).expect(200);
    await request(t.app).get('/api/checks/email-domain?domain=school.se').expect(200);
    const limited = await request(t.app).post(`/api/sessions/${b}/events`).send({ type: 'CHECK', data: { domain: 'school.se' } }).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    await request(t.app).get('/api/checks/email-domain?domain=school.se').expect(429);
    // The page form is the same step by another route, and is limited the same way.
    await request(t.app).post(`/s/${c}`).type('form').send({ event: 'CHECK', domain: 'school.se' }).expect(429);
    // The participant can still skip the check and go on.
    await request(t.app).post(`/api/sessions/${b}/events`).send({ type: 'SKIP_CHECK' }).expect(200);
  });
});
