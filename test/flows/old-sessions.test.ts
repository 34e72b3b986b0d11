import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.ts';
import { setFlowVersion } from '../support/store-sql.ts';

/*
 * A guide's version used to be a 12-character hash of its TypeScript machine; now it is its document's content
 * hash. Sessions stored before the change name a version no registry has: they go on where they are, because their
 * path still fits the guide (the engine restarts a session only when it does not).
 */
let t: TestApp;
beforeAll(() => {
  t = testApp();
});
afterAll(() => t.close());

const OLD_VERSION = 'Wm9sZFZlcnNp';

describe('a session stored under a version from before documents', () => {
  it('continues at its step, with its history, and goes on normally', async () => {
    const s = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'de' }).expect(201);
    const id = s.body.sessionId as string;
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await setFlowVersion(t.sql, id, OLD_VERSION);
    expect(t.app.locals.ctx.flows.version('participant-no-email', OLD_VERSION)).toBeUndefined();

    // The store is asked once whether it has that version; the answer (no) is remembered for later reads.
    const lookup = t.store.getVersionByHash.bind(t.store);
    let asked = 0;
    t.store.getVersionByHash = (...args) => (asked++, lookup(...args));
    for (let i = 0; i < 3; i++) await request(t.app).get(`/api/sessions/${id}`).expect(200);
    t.store.getVersionByHash = lookup;
    expect(asked).toBe(1);
    const again = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(again.body.notice).toBeUndefined();
    expect(again.body).toMatchObject({ step: { id: 'checkSpam' }, history: [{ stepId: 'howLongAgo' }] });
    const next = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    expect(next.body.step.id).toBe('sendLoginLink');
    expect((await t.store.listSteps(id)).map((r) => r.event)).not.toContain('RESTART');
    expect(t.errors).toEqual([]);
  });
});
