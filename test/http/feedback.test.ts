import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import { FeedbackGivenError } from '../../server/store/types.ts';
import { tempDir, useTestApp } from '../support/app.ts';

/* "Did this help?" takes one answer per outcome a session reaches, however often or however fast it is sent. */
const t = useTestApp();

/** A session at the outcome `arrivedAfterWaiting`. */
async function atOutcome(lng = 'en') {
  const res = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng }).expect(201);
  const id = res.body.sessionId as string;
  await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'UNDER_A_MINUTE' }).expect(200);
  const end = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'ARRIVED' }).expect(200);
  expect(end.body.step.final).toBe(true);
  return id;
}
const feedback = (id: string, helpful = true) => request(t.app).post(`/api/sessions/${id}/feedback`).send({ helpful });

describe('one answer per outcome', () => {
  it('a second answer to the same outcome is 409 feedback_given, and the first one stands', async () => {
    const id = await atOutcome();
    await feedback(id, true).expect(204);
    const again = await feedback(id, false).expect(409);
    expect(again.body.error).toEqual({ code: 'feedback_given', message: expect.any(String) });
    expect((await t.store.listFeedback(id)).map((f) => f.helpful)).toEqual([true]);
  });

  it('concurrent posts for one outcome store exactly one answer', async () => {
    const id = await atOutcome();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => feedback(id, i % 2 === 0)));
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
    expect(await t.store.listFeedback(id)).toHaveLength(1);
  });

  it('another outcome of the same session, reached after Back, takes its own answer', async () => {
    const id = await atOutcome();
    await feedback(id).expect(204);
    await request(t.app).post(`/api/sessions/${id}/back`).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'STILL_MISSING' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'FOUND_IN_SPAM' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'MARKED_SIMILAR_AS_SPAM' }).expect(200);
    await feedback(id).expect(204);
    // Back at the first outcome again: it has its answer already.
    await request(t.app).post(`/api/sessions/${id}/restart`).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'UNDER_A_MINUTE' }).expect(200);
    await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'ARRIVED' }).expect(200);
    await feedback(id).expect(409);
    expect((await t.store.listFeedback(id)).map((f) => f.state)).toEqual(['arrivedAfterWaiting', 'markedAsSpamBefore']);
  });

  it('on the page, a second answer (a double click, another tab) is a friendly page in the session language', async () => {
    const id = await atOutcome('de');
    await request(t.app).post(`/s/${id}/feedback`).type('form').send({ helpful: 'yes' }).expect(303);
    const again = await request(t.app).post(`/s/${id}/feedback`).set('Accept-Language', 'en').type('form').send({ helpful: 'no' }).expect(409);
    expect(again.text).toContain('<html lang="de">');
    expect(again.text).toContain('Vielen Dank, Ihre Antwort liegt uns bereits vor');
    expect(again.text).toContain(`href="/s/${id}"`);
    const page = await request(t.app).get(`/s/${id}`).expect(200);
    expect(page.text).toContain('Vielen Dank für Ihr Feedback!');
    expect(await t.store.listFeedback(id)).toHaveLength(1);
  });
});

describe('upgrading a database that holds duplicate answers', () => {
  it('keeps the earliest answer per outcome, then refuses a second one', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'old.db');
    // The schema as the release before this one left it, with what a double post used to store.
    const old = new Database(file);
    for (const sql of migrations.slice(0, 5)) old.exec(sql);
    old.pragma('user_version = 5');
    old.exec(`INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, created_at, updated_at)
              VALUES ('s1', 'AAA-AAA', 'participant-no-email', 'v', 'en', 'participant', 'self', '{"value":"arrivedAfterWaiting","context":{}}', 'arrivedAfterWaiting', 'finished', 1, 1)`);
    const add = old.prepare('INSERT INTO feedback (session_id, state, helpful, comment, at) VALUES (?, ?, ?, ?, ?)');
    add.run('s1', 'arrivedAfterWaiting', 1, 'first', 10);
    add.run('s1', 'arrivedAfterWaiting', 0, 'second', 11);
    add.run('s1', 'arrivedAfterWaiting', 1, null, 12);
    add.run('s1', 'markedAsSpamBefore', 0, 'other outcome', 13);
    old.close();

    const { store, db } = openSqliteFile(file);
    try {
      expect(await store.listFeedback('s1')).toEqual([
        { state: 'arrivedAfterWaiting', helpful: true, comment: 'first', at: 10 },
        { state: 'markedAsSpamBefore', helpful: false, comment: 'other outcome', at: 13 },
      ]);
      await expect(store.addFeedback('s1', { state: 'arrivedAfterWaiting', helpful: false, comment: null })).rejects.toBeInstanceOf(FeedbackGivenError);
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    } finally {
      await store.close();
      tmp.remove();
    }
  });
});
