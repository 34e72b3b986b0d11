import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../server/store/sqlite.ts';
import { StepConflictError, type NewSession, type NewStep } from '../../server/store/types.ts';
import { tempDir } from '../support/app.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function file() {
  const d = tempDir();
  dirs.push(d);
  return join(d.dir, 'queue.db');
}

const snapshot = (value: string) => ({ value, context: {} });
const session = (i: number): NewSession => ({
  id: `s${i}`,
  ref: `R${i}`,
  flowId: 'participant-no-email',
  flowVersion: 'v1',
  lng: 'en',
  audience: 'participant',
  channel: 'api',
  origin: null,
  snapshot: snapshot('howLongAgo'),
  agentId: null,
  ticketRef: null,
});
const first: NewStep = { seq: 0, state: 'howLongAgo', event: 'START', data: null, snapshot: snapshot('howLongAgo') };
const step = (seq: number, state = 'checkSpam'): NewStep => ({ seq, state, event: 'OVER_A_MINUTE', data: null, snapshot: snapshot(state), prevState: 'howLongAgo' });
const change = (path: number[], state = 'checkSpam') => ({ snapshot: snapshot(state), status: 'active' as const, outcome: null, flowVersion: 'v1', path });

describe('group commit', () => {
  it('steps queued in the same turn are all stored, and a taken seq fails alone', async () => {
    const store = createSqliteStore(file());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.createSession(session(i), first)));
    // Twenty steps in the same turn, two of them racing for s0's seq 1 (as two tabs answering at once would).
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => store.appendStep(`s${i}`, step(1), change([0, 1]))),
      store.appendStep('s0', step(1, 'arrivedAfterWaiting'), change([0, 1], 'arrivedAfterWaiting')),
    ]);
    expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[20]).toMatchObject({ status: 'rejected', reason: expect.any(StepConflictError) });
    for (let i = 0; i < 20; i++) {
      const opened = (await store.openSession(`s${i}`))!;
      expect(opened.session.snapshot.value).toBe('checkSpam');
      expect(opened.path.map((r) => r.seq)).toEqual([0, 1]);
      expect(opened.session.lastSeq).toBe(1);
    }
    // The loser left nothing behind: its savepoint was rolled back, the rest of the batch was committed.
    const stats = store.db.prepare("SELECT sum(n) AS n FROM step_stats WHERE event = 'OVER_A_MINUTE'").get() as { n: number };
    expect(stats.n).toBe(20);
    await store.close();
  });

  it('answers only after the commit, and close() waits for queued writes', async () => {
    const path = file();
    const store = createSqliteStore(path);
    await store.createSession(session(1), first);
    let acknowledged = false;
    const pending = store.appendStep('s1', step(1), change([0, 1])).then(() => (acknowledged = true));
    // Nothing is acknowledged within the turn that queued it.
    expect(acknowledged).toBe(false);
    await store.close();
    await pending;
    expect(acknowledged).toBe(true);
    const reopened = createSqliteStore(path);
    expect((await reopened.openSession('s1'))!.path.map((r) => r.state)).toEqual(['howLongAgo', 'checkSpam']);
    await reopened.close();
  });
});
