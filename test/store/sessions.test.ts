import { expect, it } from 'vitest';
import { FeedbackGivenError, MAX_STEPS_PER_SESSION, RefTakenError, StepConflictError, type SessionFilter } from '../../server/store/types.ts';
import { change, newSession, START, step } from '../support/store-records.ts';
import { describeStores, T0 } from '../support/stores.ts';

const MINUTE = 60_000;
const seqs = (rows: { seq: number }[]) => rows.map((r) => r.seq);

describeStores('sessions and their steps', (kind) => {
  it('creates a session with its first row, opens it with its path, and finds it by ref', async () => {
    const { store } = await kind.open();
    const created = await store.createSession(newSession('s1', { origin: 'https://help.example.com', ticketRef: 'T-1' }), START);
    expect(created).toMatchObject({ id: 's1', ref: 'REF-s1', status: 'active', outcome: null, lastSeq: 0, createdAt: T0, ticketRef: 'T-1' });
    expect(await store.getSession('s1')).toEqual(created);
    expect(await store.getSessionByRef('REF-s1')).toEqual(created);
    const opened = await store.openSession('s1');
    expect(opened?.session).toEqual(created);
    expect(opened?.path).toEqual([{ sessionId: 's1', seq: 0, state: 'howLongAgo', event: 'START', data: null, snapshot: START.snapshot, note: null, agentId: null, at: T0 }]);
    await expect(store.createSession(newSession('s2', { ref: 'REF-s1' }), START)).rejects.toBeInstanceOf(RefTakenError);
    expect([await store.getSession('s2'), await store.getSessionByRef('NOPE'), await store.openSession('s2')]).toEqual([undefined, undefined, undefined]);
    expect(await store.listPath('nope')).toEqual([]);
  });

  it('a step is one transaction: the row, the session, the note left behind and the agent taking over, or none of them', async () => {
    const { store, tick } = await kind.open();
    const agent = await store.createAgent({ email: 'a@example.com', name: 'A', role: 'agent', passwordHash: 'x' });
    await store.createSession(newSession('s1'), START);
    tick(MINUTE);
    await store.appendStep(
      's1',
      step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute', { data: { x: 1 }, agentId: agent.id }),
      change('waitAMinute', [0, 1], null, { takenBy: agent.id }),
      { seq: 0, note: 'said under a minute', agentId: agent.id },
    );
    const after = await store.getSession('s1');
    expect(after).toMatchObject({ lastSeq: 1, agentId: agent.id, takenOverAt: T0 + MINUTE, updatedAt: T0 + MINUTE, snapshot: { value: 'waitAMinute' } });
    expect((await store.listNotes('s1', 10)).map((n) => [n.seq, n.text, n.agentId])).toEqual([[0, 'said under a minute', agent.id]]);

    // The same seq again (a second tab): refused, and its note, agent and session change are not stored either.
    const other = await store.createAgent({ email: 'b@example.com', name: 'B', role: 'agent', passwordHash: 'x' });
    tick(MINUTE);
    await expect(
      store.appendStep('s1', step(1, 'howLongAgo', 'OVER_A_MINUTE', 'checkSpam'), change('checkSpam', [0, 1], null, { takenBy: other.id }), {
        seq: 0,
        note: 'the loser',
        agentId: other.id,
      }),
    ).rejects.toBeInstanceOf(StepConflictError);
    expect(await store.getSession('s1')).toEqual(after);
    expect((await store.listNotes('s1', 10)).map((n) => n.text)).toEqual(['said under a minute']);
    expect((await store.listSteps('s1')).map((s) => [s.seq, s.event, s.data, s.agentId])).toEqual([
      [0, 'START', null, null],
      [1, 'UNDER_A_MINUTE', { x: 1 }, agent.id],
    ]);

    await store.appendStep('s1', step(2, 'waitAMinute', 'ARRIVED', 'arrivedAfterWaiting'), change('arrivedAfterWaiting', [0, 1, 2], 'resolved'));
    expect(await store.getSession('s1')).toMatchObject({ status: 'finished', outcome: 'resolved', lastSeq: 2 });
    expect(seqs(await store.listSteps('s1', 2))).toEqual([0, 1]);
  });

  it('the path a step reads follows Back and Start over, and holds at most the last MAX_STEPS_PER_SESSION rows', async () => {
    const { store, tick } = await kind.open();
    await store.createSession(newSession('s1'), START);
    const walk = [
      [step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [0, 1])],
      [step(2, 'waitAMinute', 'BACK', 'howLongAgo'), change('howLongAgo', [0])],
      [step(3, 'howLongAgo', 'OVER_A_MINUTE', 'checkSpam'), change('checkSpam', [0, 3])],
      [step(4, 'checkSpam', 'RESTART', 'howLongAgo'), change('howLongAgo', [4])],
    ] as const;
    const paths: number[][] = [];
    for (const [s, c] of walk) {
      tick(1000);
      await store.appendStep('s1', s, c);
      paths.push(seqs(await store.listPath('s1')));
    }
    expect(paths).toEqual([[0, 1], [0], [0, 3], [4]]);
    expect(seqs((await store.openSession('s1'))!.path)).toEqual([4]);
    // A path one longer than the cap is read from its end: seq 3 (its first) is left out; seqs without rows are skipped.
    const filler = Array.from({ length: MAX_STEPS_PER_SESSION - 2 }, (_, i) => 1000 + i);
    await store.appendStep('s1', step(5, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [3, 4, ...filler, 5]));
    expect(seqs(await store.listPath('s1'))).toEqual([4, 5]);
    expect(seqs((await store.openSession('s1'))!.path)).toEqual([4, 5]);
    await store.appendStep('s1', step(6, 'waitAMinute', 'BACK', 'howLongAgo'), change('howLongAgo', [4, 5, 6, ...filler.slice(1)]));
    // Exactly at the cap: all of it.
    expect(seqs(await store.listPath('s1'))).toEqual([4, 5, 6]);
    expect(seqs((await store.openSession('s1'))!.path)).toEqual([4, 5, 6]);
  });

  it('lists sessions by every filter, newest first (ids by their bytes), with the total and a page', async () => {
    const { store, tick } = await kind.open();
    const agent = await store.createAgent({ email: 'a@example.com', name: 'A', role: 'agent', passwordHash: 'x' });
    await store.createSession(newSession('b1', { lng: 'sv', channel: 'widget' }), START);
    await store.createSession(newSession('a2', { agentId: agent.id, channel: 'agent', audience: 'agent' }), START);
    await store.createSession(newSession('B1', { flowId: 'missing-email' }), START);
    tick(MINUTE);
    await store.createSession(newSession('c3', { lng: 'de' }), START);
    await store.appendStep('c3', step(1, 'howLongAgo', 'UNDER_A_MINUTE', 'waitAMinute'), change('waitAMinute', [0, 1], 'resolved'));
    const ids = async (filter: Partial<SessionFilter>) => {
      const { sessions, total } = await store.listSessions({ limit: 10, offset: 0, ...filter });
      return [sessions.map((s) => s.id), total];
    };
    // At one moment the id decides, byte by byte ('B' < 'a' < 'b'), whatever collation the database has.
    expect(await ids({})).toEqual([['c3', 'B1', 'a2', 'b1'], 4]);
    expect(await ids({ agentId: agent.id })).toEqual([['a2'], 1]);
    expect(await ids({ flowId: 'missing-email' })).toEqual([['B1'], 1]);
    expect(await ids({ outcome: 'resolved' })).toEqual([['c3'], 1]);
    expect(await ids({ status: 'finished' })).toEqual([['c3'], 1]);
    expect((await ids({ status: 'active' }))[1]).toBe(3);
    expect(await ids({ lng: 'sv' })).toEqual([['b1'], 1]);
    expect(await ids({ channel: 'agent' })).toEqual([['a2'], 1]);
    expect(await ids({ from: T0 + 1 })).toEqual([['c3'], 1]);
    expect((await ids({ to: T0 + 1 }))[1]).toBe(3);
    expect(await ids({ flowId: 'participant-no-email', to: T0 + 1, lng: 'en' })).toEqual([['a2'], 1]);
    expect(await ids({ limit: 2, offset: 1 })).toEqual([['B1', 'a2'], 4]);
    expect(await ids({ limit: 2, offset: 10 })).toEqual([[], 4]);
  });

  it('agents take sessions over, the language changes, and each outcome takes one feedback', async () => {
    const { store, tick } = await kind.open();
    const [a, b] = [
      await store.createAgent({ email: 'a@example.com', name: 'A', role: 'agent', passwordHash: 'x' }),
      await store.createAgent({ email: 'b@example.com', name: 'B', role: 'agent', passwordHash: 'x' }),
    ];
    await store.createSession(newSession('s1'), START);
    tick(1000);
    await store.assignAgent('s1', a.id);
    const first = await store.getSession('s1');
    expect(first).toMatchObject({ agentId: a.id, takenOverAt: T0 + 1000 });
    tick(1000);
    await store.assignAgent('s1', a.id); // the same agent again changes nothing
    expect(await store.getSession('s1')).toEqual(first);
    await store.assignAgent('s1', b.id);
    await store.setLanguage('s1', 'no');
    expect(await store.getSession('s1')).toMatchObject({ agentId: b.id, takenOverAt: T0 + 2000, lng: 'no' });

    await store.addFeedback('s1', { helpful: true, comment: 'thanks', state: 'arrivedAfterWaiting' });
    await expect(store.addFeedback('s1', { helpful: false, comment: null, state: 'arrivedAfterWaiting' })).rejects.toBeInstanceOf(FeedbackGivenError);
    tick(1000);
    await store.addFeedback('s1', { helpful: false, comment: null, state: 'contactSupport' });
    expect(await store.listFeedback('s1')).toEqual([
      { helpful: true, comment: 'thanks', state: 'arrivedAfterWaiting', at: T0 + 2000 },
      { helpful: false, comment: null, state: 'contactSupport', at: T0 + 3000 },
    ]);
  });

  it('notes: a changed note is a new version under its author, the same text again is none, the newest few on request', async () => {
    const { store, tick } = await kind.open();
    const a = await store.createAgent({ email: 'a@example.com', name: 'A', role: 'agent', passwordHash: 'x' });
    await store.createSession(newSession('s1'), START);
    await store.setNote('s1', { seq: 0, note: 'one', agentId: null });
    tick(1000);
    await store.setNote('s1', { seq: 0, note: 'one', agentId: a.id });
    tick(1000);
    await store.setNote('s1', { seq: 0, note: 'two', agentId: a.id });
    await store.setNote('s1', { seq: 9, note: 'no such step', agentId: null });
    expect((await store.listNotes('s1', 10)).map((n) => [n.seq, n.version, n.text, n.agentId])).toEqual([
      [0, 1, 'one', null],
      [0, 2, 'two', a.id],
    ]);
    expect((await store.listNotes('s1', 1)).map((n) => n.text)).toEqual(['two']);
    expect((await store.listSteps('s1'))[0]!.note).toBe('two');
  });

  it('two instances answering the same step at once: one stores it, the other gets StepConflictError', async () => {
    const { store, another } = await kind.open();
    const second = another();
    await store.createSession(newSession('s1'), START);
    for (let seq = 1; seq <= 5; seq++) {
      const results = await Promise.allSettled(
        [store, second].map((s, i) =>
          s.appendStep('s1', step(seq, 'howLongAgo', `E${i}`, 'waitAMinute'), change('waitAMinute', [0, seq]), { seq: seq - 1, note: `n${seq}` }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(StepConflictError);
    }
    expect(seqs(await second.listSteps('s1'))).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await store.listNotes('s1', 100)).map((n) => n.version)).toEqual([1, 1, 1, 1, 1]);
  });
});

