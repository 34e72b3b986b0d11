import { expect, it } from 'vitest';
import type { HandoffStory } from '../../server/handoff/story.ts';
import { HandoffExistsError, type NewHandoff } from '../../server/store/types.ts';
import { newSession, START } from '../support/store-records.ts';
import { describeStores, T0 } from '../support/stores.ts';

const MINUTE = 60_000;
const story = (message: string) => ({ message, email: 'anna@example.se', name: 'Anna' }) as unknown as HandoffStory;
const newHandoff = (id: string, sessionId: string, stepSeq = 3, channels: ('webhook' | 'email')[] = ['webhook', 'email']): NewHandoff => ({
  id,
  sessionId,
  stepSeq,
  flowId: 'participant-no-email',
  lng: 'sv',
  story: story(`message ${id}`),
  deliveries: channels.map((channel) => ({ id: `${id}-${channel[0]}`, channel })),
});

describeStores('hand-offs and their outbox', (kind) => {
  it('stores, lists, claims and closes hand-offs, and refuses a second from one ending', async () => {
    const { store, tick } = await kind.open();
    const [a1, a2] = [
      await store.createAgent({ email: 'a1@example.com', name: 'A1', role: 'agent', passwordHash: 'x' }),
      await store.createAgent({ email: 'a2@example.com', name: 'A2', role: 'agent', passwordHash: 'x' }),
    ];
    await store.createSession(newSession('s1'), START);
    await store.createSession(newSession('s2'), START);
    const h1 = await store.handoffs.create(newHandoff('h1', 's1'));
    expect(h1).toMatchObject({ status: 'open', createdAt: T0, claimedBy: null, story: story('message h1') });
    expect(h1.deliveries.map((d) => [d.channel, d.status, d.attempts, d.nextAt])).toEqual([
      ['email', 'pending', 0, T0],
      ['webhook', 'pending', 0, T0],
    ]);
    tick(1000);
    await store.handoffs.create(newHandoff('h2', 's1', 5));
    await store.handoffs.create(newHandoff('h3', 's2'));
    await expect(store.handoffs.create(newHandoff('h4', 's1'))).rejects.toBeInstanceOf(HandoffExistsError);
    expect(await store.handoffs.get('h4')).toBeUndefined();
    expect([await store.handoffs.claim('h1', a1.id), await store.handoffs.claim('h1', a1.id), await store.handoffs.claim('h1', a2.id), await store.handoffs.claim('nope', a1.id)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(await store.handoffs.get('h1')).toMatchObject({ status: 'claimed', claimedBy: a1.id, claimedAt: T0 + 1000 });
    expect([
      await store.handoffs.setStatus('h2', 'solved'),
      await store.handoffs.setStatus('h2', 'done'),
      await store.handoffs.setStatus('h3', 'done'),
      await store.handoffs.setStatus('nope', 'open'),
    ]).toEqual([true, true, true, false]);
    expect(await store.handoffs.countByStatus()).toEqual({ open: 0, claimed: 1, done: 1, solved: 1 });
    expect((await store.handoffs.list({ limit: 10, offset: 0 })).map((h) => h.id)).toEqual(['h2', 'h3', 'h1']);
    expect((await store.handoffs.list({ status: 'solved', limit: 10, offset: 0 })).map((h) => h.id)).toEqual(['h2']);
    expect((await store.handoffs.list({ limit: 1, offset: 1 })).map((h) => h.id)).toEqual(['h3']);
    expect((await store.handoffs.forSession('s1')).map((h) => h.id)).toEqual(['h2', 'h1']);
  });

  it('runs a delivery through its attempts: failed and tried again, failed for good, retried by an administrator, sent', async () => {
    const { store, tick } = await kind.open();
    await store.createSession(newSession('s1'), START);
    expect(await store.handoffs.nextDue()).toBeUndefined();
    await store.handoffs.create(newHandoff('h1', 's1', 3, ['webhook']));
    expect(await store.handoffs.nextDue()).toBe(T0);
    const [due] = await store.handoffs.claimDue('w', MINUTE, 5);
    expect(due).toMatchObject({ id: 'h1-w', handoffId: 'h1', story: story('message h1') });
    expect(await store.handoffs.attemptFailed('h1-w', 'w', 'timeout', T0 + 5 * MINUTE)).toBe(true);
    expect(await store.handoffs.nextDue()).toBe(T0 + 5 * MINUTE);
    expect(await store.handoffs.claimDue('w', MINUTE, 5)).toEqual([]);
    tick(5 * MINUTE);
    expect((await store.handoffs.claimDue('w', MINUTE, 5)).map((d) => [d.id, d.attempts])).toEqual([['h1-w', 1]]);
    expect(await store.handoffs.retry('h1-w')).toBe(false); // not failed yet
    expect(await store.handoffs.attemptFailed('h1-w', 'w', 'gone', null)).toBe(true);
    expect(await store.handoffs.nextDue()).toBeUndefined();
    expect((await store.handoffs.failed(10)).map((d) => [d.id, d.status, d.attempts, d.lastError, d.flowId, d.ref])).toEqual([
      ['h1-w', 'failed', 2, 'gone', 'participant-no-email', 'REF-s1'],
    ]);
    expect([await store.handoffs.retry('h1-w'), await store.handoffs.retry('h1-w')]).toEqual([true, false]);
    const [again] = await store.handoffs.claimDue('w2', MINUTE, 5);
    expect(again).toMatchObject({ id: 'h1-w', attempts: 0, status: 'pending' });
    expect(await store.handoffs.delivered('h1-w', 'w2', { externalId: '42', externalUrl: 'https://desk.example.com/42' })).toBe(true);
    expect((await store.handoffs.get('h1'))!.deliveries).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 1, externalId: '42', externalUrl: 'https://desk.example.com/42', sentAt: T0 + 5 * MINUTE }),
    ]);
    expect(await store.handoffs.failed(10)).toEqual([]);
  });

  it("a leased delivery is one instance's; its outcome is recorded by its holder only; an expired lease passes on", async () => {
    const { store: a, another, tick } = await kind.open();
    const b = another();
    await a.createSession(newSession('s1'), START);
    await a.handoffs.create(newHandoff('h1', 's1', 3, ['webhook']));
    const [mine] = await a.handoffs.claimDue('worker-a', MINUTE, 5);
    expect(mine?.id).toBe('h1-w');
    expect(await b.handoffs.claimDue('worker-b', MINUTE, 5)).toEqual([]);
    expect(await b.handoffs.delivered('h1-w', 'worker-b', {})).toBe(false);
    expect(await b.handoffs.attemptFailed('h1-w', 'worker-b', 'not mine', null)).toBe(false);
    // Worker A dies; a minute later B takes the delivery over, and A's late word no longer counts.
    tick(MINUTE + 1000);
    const [taken] = await b.handoffs.claimDue('worker-b', MINUTE, 5);
    expect(taken?.id).toBe('h1-w');
    expect(await a.handoffs.delivered('h1-w', 'worker-a', {})).toBe(false);
    expect(await b.handoffs.delivered('h1-w', 'worker-b', { externalId: '42' })).toBe(true);
    expect((await a.handoffs.get('h1'))!.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1, externalId: '42' });
    // Sent is final: nothing is due again.
    tick(3_600_000);
    expect(await b.handoffs.claimDue('worker-c', MINUTE, 5)).toEqual([]);
  });

  it('workers of two instances claiming at the same moment never get the same delivery, and together get them all', async () => {
    const { store, another } = await kind.open();
    const instances = [store, another()];
    await store.createSession(newSession('s1'), START);
    for (let i = 0; i < 20; i++) await store.handoffs.create(newHandoff(`h${i}`, 's1', i));
    const claimed = await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        const got: string[] = [];
        for (let batch; (batch = await instances[w % 2]!.handoffs.claimDue(`worker-${w}`, MINUTE, 3)).length; ) got.push(...batch.map((d) => d.id));
        return got;
      }),
    );
    const all = claimed.flat();
    expect(all.length).toBe(40);
    expect(new Set(all).size).toBe(40);
  });
});
