import { Writable } from 'node:stream';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/http/log.ts';
import { testApp, type TestApp } from '../support/app.ts';

/** A logger whose lines land in an array, as they would on stdout. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger('info', stream), lines, raw };
}

let t: TestApp | undefined;
afterEach(() => t?.close());
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('structured logs', () => {
  it('one JSON line per request with its id and route, and nothing personal', async () => {
    const { logger, lines, raw } = memoryLogger();
    t = testApp(undefined, { logger });
    const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'sv' });
    const id = started.body.sessionId as string;
    const res = await request(t.app)
      .post(`/api/sessions/${id}/events?note=anna@example.com`)
      .set('X-Request-Id', 'ticket-4711')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ type: 'OVER_A_MINUTE' });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('ticket-4711');
    await request(t.app).get('/?q=anna%40example.com');
    await settle();

    const line = lines.find((l) => l.reqId === 'ticket-4711')!;
    expect(line).toMatchObject({ level: 30, msg: 'request', method: 'POST', route: '/api/sessions/:id/events', status: 200 });
    expect(typeof line.ms).toBe('number');
    expect(typeof line.time).toBe('string');
    // A session id is a key to the session; an address or a search is personal. None of them is written.
    const all = raw.join('\n');
    expect(all).not.toContain(id);
    expect(all).not.toContain('anna');
    expect(all).not.toContain('203.0.113.9');
    expect(all).not.toContain('127.0.0.1');
    expect(lines.filter((l) => l.msg === 'request')).toHaveLength(3);
  });

  it('makes up an id when the caller sends none or a malformed one', async () => {
    const { logger, lines } = memoryLogger();
    t = testApp(undefined, { logger });
    const plain = await request(t.app).get('/healthz');
    const odd = await request(t.app).get('/healthz').set('X-Request-Id', 'x'.repeat(65));
    expect(plain.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await settle();
    expect(lines.map((l) => l.reqId)).toEqual([plain.headers['x-request-id'], odd.headers['x-request-id']]);
  });

  it('logs an unexpected error with the request id, and the client gets neither stack nor details', async () => {
    const { logger, lines } = memoryLogger();
    // The test app collects errors itself; here the app's own logging is under test.
    t = testApp(undefined, { logger, log: undefined });
    t.store.openSession = async () => {
      throw new Error('disk I/O error at /var/lib/secret');
    };
    const res = await request(t.app).get('/api/sessions/AAAAAAAAAAAAAAAAAAAAAA').set('X-Request-Id', 'r-500');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toContain('secret');
    await settle();
    const error = lines.find((l) => l.level === 50)!;
    expect(error).toMatchObject({ reqId: 'r-500', route: '/api/sessions/:id', msg: 'request failed' });
    expect((error.err as { stack: string }).stack).toContain('disk I/O error');
  });
});

describe('caching of personal pages', () => {
  it('session JSON and pages are no-store without an ETag; assets stay cacheable', async () => {
    t = testApp();
    const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email' });
    for (const path of [`/api/sessions/${started.body.sessionId}`, `/s/${started.body.sessionId}`]) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBeUndefined();
    }
    const css = await request(t.app).get('/assets/app.css').expect(200);
    expect(css.headers['cache-control']).toMatch(/immutable/);
  });
});
