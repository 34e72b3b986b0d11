import { expect, it } from 'vitest';
import type { AnalyticsFilter, Store } from '../../server/store/types.ts';
import { change, newSession, START, step } from '../support/store-records.ts';
import { describeStores, T0, type Opened } from '../support/stores.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const period = (extra: Partial<AnalyticsFilter> = {}): AnalyticsFilter => ({ from: T0 - DAY, to: T0 + 100 * DAY, abandonedBefore: T0 + 100 * DAY, ...extra });

/**
 * Three sessions a day apart, each with an answer (and a note on its first step) and feedback: one resolved, one
 * escalated, one left at its second step. Returns their ids, oldest first.
 */
async function history({ store, tick }: Opened): Promise<string[]> {
  const ids = ['old', 'mid', 'new'];
  for (const [i, id] of ids.entries()) {
    await store.createSession(newSession(id, { lng: i === 1 ? 'sv' : 'en', channel: i === 2 ? 'widget' : 'self' }), START);
    tick(MINUTE);
    await store.appendStep(id, step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [0, 1]), { seq: 0, note: `note ${id}` });
    tick(MINUTE);
    if (i === 0) await store.appendStep(id, step(2, 'waitAMinute', 'ARRIVED', 'arrivedAfterWaiting'), change('arrivedAfterWaiting', [0, 1, 2], 'resolved'));
    if (i === 1) await store.appendStep(id, step(2, 'waitAMinute', 'NOT_ARRIVED', 'contactSupport'), change('contactSupport', [0, 1, 2], 'escalated'));
    await store.addFeedback(id, { helpful: i === 0, comment: `comment ${id}`, state: 'waitAMinute' });
    tick(DAY - 2 * MINUTE);
  }
  return ids;
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const sessionCount = async (store: Store) => (await store.listSessions({ limit: 100, offset: 0 })).total;

describeStores('figures, exports and retention', (kind) => {
  it('counts sessions, outcomes, abandonment and feedback for a period, narrowed by language and channel', async () => {
    const opened = await kind.open();
    await history(opened);
    const figures = await opened.store.analytics(period({ abandonedBefore: T0 + 2 * DAY + 3 * MINUTE }));
    expect(figures).toMatchObject({
      started: 3,
      finished: 2,
      outcomes: { resolved: 1, escalated: 1 },
      abandoned: 1,
      inProgress: 0,
      resolutionRate: 0.5,
      feedback: { yes: 1, no: 2 },
      medianSecondsToOutcome: 120,
    });
    expect(figures.perDay.map((d) => [d.day, d.started, d.finished])).toEqual([
      ['2026-03-01', 1, 1],
      ['2026-03-02', 1, 1],
      ['2026-03-03', 1, 0],
    ]);
    expect(figures.comments.map((c) => c.comment).sort()).toEqual(['comment mid', 'comment new', 'comment old']);
    expect((await opened.store.analytics(period({ lng: 'sv' }))).started).toBe(1);
    expect((await opened.store.analytics(period({ channel: 'widget' }))).started).toBe(1);
    expect((await opened.store.analytics(period({ from: T0 + 1 }))).started).toBe(2);
    const one = await opened.store.analytics(period({ flowId: 'participant-no-email' }));
    expect(one.steps).toMatchObject({ howLongAgo: { reached: 3 }, waitAMinute: { reached: 3 }, arrivedAfterWaiting: { reached: 1 } });
    expect(one.transitions).toContainEqual({ from: 'howLongAgo', event: 'UNDER_A_MINUTE', to: 'waitAMinute', count: 3 });
  });

  it('exports stream one row a session and one a step, oldest first, as async iterables', async () => {
    const opened = await kind.open();
    const ids = await history(opened);
    const sessions = opened.store.exportSessions(period());
    expect(typeof sessions[Symbol.asyncIterator]).toBe('function');
    const rows = await all(sessions);
    expect(rows.map((r) => [r.id, r.status, r.outcome, Number(r.steps), Number(r.created_at)])).toEqual([
      [ids[0], 'finished', 'resolved', 3, T0],
      [ids[1], 'finished', 'escalated', 3, T0 + DAY],
      [ids[2], 'active', null, 2, T0 + 2 * DAY],
    ]);
    const steps = await all(opened.store.exportSteps(period({ lng: 'en' })));
    expect(steps.map((r) => [r.session_id, Number(r.seq), r.event, r.note])).toEqual([
      ['old', 0, 'START', 'note old'],
      ['old', 1, 'UNDER_A_MINUTE', null],
      ['old', 2, 'ARRIVED', null],
      ['new', 0, 'START', 'note new'],
      ['new', 1, 'UNDER_A_MINUTE', null],
    ]);
    // Stopping early is allowed: the rest is not read, and the store goes on serving.
    for await (const _ of opened.store.exportSteps(period())) break;
    expect(await all(opened.store.exportSessions(period({ from: T0 + 10 * DAY })))).toEqual([]);
  });

  it('purgeText empties comments and notes of sessions before the cut-off, and leaves the figures alone', async () => {
    const opened = await kind.open();
    const { store } = opened;
    await history(opened);
    const before = await store.analytics(period());
    expect(await store.purgeText(T0 + DAY + 1)).toBeGreaterThanOrEqual(4);
    expect(await store.purgeText(T0 + DAY + 1)).toBe(0);
    expect((await store.listSteps('old'))[0]!.note).toBeNull();
    expect(await store.listNotes('mid', 10)).toEqual([]);
    expect((await store.listNotes('new', 10)).map((n) => n.text)).toEqual(['note new']);
    expect((await store.listFeedback('old')).map((f) => [f.helpful, f.comment])).toEqual([[true, null]]);
    expect((await store.listFeedback('new')).map((f) => f.comment)).toEqual(['comment new']);
    const after = await store.analytics(period());
    expect({ ...after, comments: [] }).toEqual({ ...before, comments: [] });
    expect(after.comments.map((c) => c.comment)).toEqual(['comment new']);
  });

  it('purgeSessions deletes exactly the sessions created before the cut-off, with their steps, notes, feedback and hand-offs', async () => {
    const opened = await kind.open();
    const { store } = opened;
    await history(opened);
    await store.handoffs.create({ id: 'h1', sessionId: 'old', stepSeq: 2, flowId: 'participant-no-email', lng: 'en', story: {} as never, deliveries: [{ id: 'd1', channel: 'webhook' }] });
    expect(await store.purgeSessions(T0 + DAY + 1)).toBe(2);
    expect((await store.listSessions({ limit: 10, offset: 0 })).sessions.map((s) => s.id)).toEqual(['new']);
    expect(await store.listSteps('old')).toEqual([]);
    expect(await store.listFeedback('mid')).toEqual([]);
    expect(await store.listNotes('mid', 10)).toEqual([]);
    expect(await store.handoffs.get('h1')).toBeUndefined();
    expect(await store.handoffs.claimDue('w', MINUTE, 5)).toEqual([]);
    expect(await store.purgeSessions(T0 + DAY + 1)).toBe(0);
    expect(await sessionCount(store)).toBe(1);
  });
});
