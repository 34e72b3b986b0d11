import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateDocument } from '../../server/content/document.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { ask, end, rewrittenDocument } from '../fixtures/documents.ts';
import { testApp, useTempFiles } from '../support/app.ts';
import { startChildServer } from '../support/child-server.ts';
import { forgetPath } from '../support/store-sql.ts';

const FLOW = 'participant-no-email';
const dbFile = useTempFiles('mailhelp.db');

/** The same flow id with another definition, as after a release that rewrote the flow. */
function changedFlow(states: Record<string, StateDocument>, initial: string): FlowRegistry {
  return new FlowRegistry([rewrittenDocument(FLOW, initial, states)]);
}

/** A release that kept the first two steps but dropped `sendLoginLink` and what follows it. */
const shorterFlow = () =>
  changedFlow(
    {
      howLongAgo: ask({ OVER_A_MINUTE: 'checkSpam', UNDER_A_MINUTE: 'arrivedAfterWaiting' }),
      checkSpam: ask({ FOUND_IN_SPAM: 'markedAsSpamBefore', NOT_IN_SPAM: 'contactSupport' }),
      markedAsSpamBefore: end('resolved'),
      arrivedAfterWaiting: end('resolved'),
      contactSupport: end('escalated'),
    },
    'howLongAgo',
  );

describe('a session survives the app closing', () => {
  it('continues where it was on a new app over the same file', async () => {
    const file = dbFile();
    const first = testApp(file);
    const s = await request(first.app).post('/api/sessions').send({ flowId: FLOW, lng: 'sv' }).expect(201);
    const id = s.body.sessionId;
    await request(first.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await request(first.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    await first.store.close();

    const second = testApp(file);
    const again = await request(second.app).get(`/api/sessions/${id}`).expect(200);
    expect(again.body).toMatchObject({ sessionId: id, ref: s.body.ref, lng: 'sv', step: { id: 'sendLoginLink' } });
    expect(again.body.history.map((h: { stepId: string }) => h.stepId)).toEqual(['howLongAgo', 'checkSpam']);
    const done = await request(second.app).post(`/api/sessions/${id}/events`).send({ type: 'LINK_WORKED' }).expect(200);
    expect(done.body.step.id).toBe('preventRepeat');
    await request(second.app).post(`/api/sessions/${id}/back`).expect(200);
    expect((await second.store.listSteps(id)).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    await second.close();
  });

  it('continues on a changed flow whose states still hold the path', async () => {
    const file = dbFile();
    const first = testApp(file);
    const s = await request(first.app).post('/api/sessions').send({ flowId: FLOW, lng: 'en' }).expect(201);
    const id = s.body.sessionId;
    await request(first.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await first.store.close();

    const flowsAfter = shorterFlow();
    const second = testApp(file, { flows: flowsAfter });
    const res = await request(second.app).get(`/api/sessions/${id}`).expect(200);
    expect(res.body.notice).toBeUndefined();
    expect(res.body.step.id).toBe('checkSpam');
    const next = await request(second.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    expect(next.body.outcome).toBe('escalated');
    expect((await second.store.getSession(id))!.flowVersion).toBe(flowsAfter.get(FLOW)!.version);
    await second.close();
  });

  it('restarts with a notice when the stored state no longer exists', async () => {
    const file = dbFile();
    const first = testApp(file);
    const s = await request(first.app).post('/api/sessions').send({ flowId: FLOW, lng: 'de' }).expect(201);
    const id = s.body.sessionId;
    await request(first.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await request(first.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    await first.store.close();

    const flowsAfter = shorterFlow();
    const second = testApp(file, { flows: flowsAfter });
    const page = await request(second.app).get(`/s/${id}`).expect(200);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('class="notice"');
    expect(page.text).toContain('value="OVER_A_MINUTE"');
    const res = await request(second.app).get(`/api/sessions/${id}`).expect(200);
    expect(res.body.step.id).toBe('howLongAgo');
    expect(res.body.history).toEqual([]);
    const rows = await second.store.listSteps(id);
    expect(rows.at(-1)).toMatchObject({ event: 'RESTART', data: { reason: 'flow_changed' } });
    // The restart is recorded once, and the session goes on normally.
    await request(second.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    expect((await second.store.listSteps(id)).filter((r) => r.event === 'RESTART')).toHaveLength(1);
    expect(second.errors).toEqual([]);
    await second.close();
  });

  it('an event sent to a restarted session answers with the notice, not a 409', async () => {
    const file = dbFile();
    const first = testApp(file);
    const s = await request(first.app).post('/api/sessions').send({ flowId: FLOW }).expect(201);
    const id = s.body.sessionId;
    await request(first.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await first.store.close();
    const second = testApp(file, {
      flows: changedFlow({ start: ask({ GO: 'done' }), done: end('informational') }, 'start'),
    });
    const res = await request(second.app).post(`/api/sessions/${id}/events`).send({ type: 'NOT_IN_SPAM' }).expect(200);
    expect(res.body).toMatchObject({ notice: 'flow_changed', step: { id: 'start' } });
    await second.close();
  });
});

describe('a killed server loses no acknowledged step', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  /** Tracks the running child, so a failing test does not leave it behind. */
  async function startServer(file: string) {
    const started = await startChildServer({ DB_PATH: file });
    child = started.proc;
    return started;
  }

  it('SIGKILL right after answers: every answered step is there after a restart', async () => {
    const file = dbFile();
    let { url, proc, exited } = await startServer(file);
    const post = (path: string, body?: object) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const started = await Promise.all([1, 2, 3, 4].map(() => post('/api/sessions', { flowId: FLOW })));
    const ids = started.map((s) => s.body.sessionId as string);
    await Promise.all(ids.map((id) => post(`/api/sessions/${id}/events`, { type: 'OVER_A_MINUTE' })));
    const last = await Promise.all(ids.map((id) => post(`/api/sessions/${id}/events`, { type: 'FOUND_IN_SPAM' })));
    expect(last.every((r) => r.status === 200)).toBe(true);
    proc.kill('SIGKILL');
    await exited;

    ({ url, proc, exited } = await startServer(file));
    for (const id of ids) {
      const res = await fetch(`${url}/api/sessions/${id}`).then((r) => r.json() as Promise<any>);
      expect(res.step.id).toBe('whyInSpam');
      expect(res.history).toHaveLength(2);
    }
    const next = await post(`/api/sessions/${ids[0]}/events`, { type: 'MANY_AT_ONCE' });
    expect(next.body.step.id).toBe('allowList');
  });
});

describe('a step reads the path, not the whole transcript', () => {
  it('after many Back and forth, loads only the rows on the current path', async () => {
    const t = testApp(dbFile());
    const s = await request(t.app).post('/api/sessions').send({ flowId: FLOW }).expect(201);
    const id = s.body.sessionId;
    for (let i = 0; i < 40; i++) {
      await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
      await request(t.app).post(`/api/sessions/${id}/back`).expect(200);
    }
    const last = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    expect(last.body.history).toHaveLength(1);
    expect(await t.store.listSteps(id)).toHaveLength(82);
    expect((await t.store.listPath(id)).map((r) => r.seq)).toEqual([0, 81]);
    await t.close();
  });

  it('a session stored before paths were kept is read whole once, then by its path', async () => {
    const t = testApp(dbFile());
    const s = await request(t.app).post('/api/sessions').send({ flowId: FLOW }).expect(201);
    const id = s.body.sessionId;
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/back`).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'UNDER_A_MINUTE' }).expect(200);
    await forgetPath(t.sql, id);
    const before = await request(t.app).get(`/api/sessions/${id}`).expect(200);
    expect(before.body.step.id).toBe('waitAMinute');
    expect(before.body.history.map((h: { stepId: string }) => h.stepId)).toEqual(['howLongAgo']);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'ARRIVED' }).expect(200);
    expect((await t.store.listPath(id)).map((r) => r.state)).toEqual(['howLongAgo', 'waitAMinute', 'arrivedAfterWaiting']);
    await t.close();
  });
});
