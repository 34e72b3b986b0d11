import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { useTempFiles } from '../support/app.ts';
import { syncedApp } from '../support/content.ts';
import { WEBHOOK_SECRET } from '../support/webhook-receiver.ts';

/*
 * The outbox's claims on a real SQLite file: a delivery is one worker's while its lease lasts (two processes on one
 * file never both take it), the outcome is recorded only by the lease's holder, and a lease that ran out (its worker
 * died) lets the next one take it. And a hand-off's personal data goes with purge and retention.
 */

const file = useTempFiles();
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function withHandoff() {
  const path = file();
  let clock = Date.now();
  const t = await syncedApp(path, { config: { HANDOFF_WEBHOOK_URL: 'http://127.0.0.1:9/hook', HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  closers.push(() => t.close());
  const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'sv' }).expect(201);
  for (const type of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await request(t.app).post(`/api/sessions/${started.body.sessionId}/events`).send({ type }).expect(200);
  const handoff = await t.app.locals.ctx.handoffs.request(started.body.sessionId, { message: 'Länken kom aldrig.', email: 'anna@example.se', name: 'Anna' });
  // A second process on the same file, with a clock the test moves.
  clock = Date.now();
  const other = createSqliteStore(path, { now: () => clock });
  closers.push(() => other.close());
  return { t, other, handoff, advance: (ms: number) => (clock += ms) };
}

describe('the outbox on SQLite', () => {
  it('a second request from the same ending is refused; the person\'s data goes with purge --text and with the session', async () => {
    const { t, handoff } = await withHandoff();
    await expect(t.app.locals.ctx.handoffs.request(handoff.sessionId, { message: 'Igen', email: 'anna@example.se' })).rejects.toMatchObject({ status: 409, code: 'handoff_exists' });
    expect(await t.store.purgeText(Date.now() + 1000)).toBeGreaterThan(0);
    const emptied = (await t.store.handoffs.get(handoff.id))!;
    expect(emptied.story).toMatchObject({ message: '', email: null, name: null, transcriptText: '', transcriptMarkdown: '' });
    expect(emptied.story.transcript.length).toBeGreaterThan(0);
    expect(await t.store.purgeSessions(Date.now() + 1000)).toBeGreaterThan(0);
    expect(await t.store.handoffs.get(handoff.id)).toBeUndefined();
    expect(await t.store.handoffs.claimDue('worker', 1000, 5)).toEqual([]);
  });
});
