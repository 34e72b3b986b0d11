import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStore, openSqliteFile } from '../../server/store/sqlite/index.ts';
import { StepConflictError, type NewSession, type NewStep } from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';

const file = useTempFiles('queue.db');

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
    const { store, db } = openSqliteFile(file());
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
    const stats = db.prepare("SELECT sum(n) AS n FROM step_stats WHERE event = 'OVER_A_MINUTE'").get() as { n: number };
    expect(stats.n).toBe(20);
    await store.close();
  });

  it('steps queued in the same turn commit as one transaction, answered after it; close() waits for queued writes', async () => {
    const path = file();
    const { store, db } = openSqliteFile(path);
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.createSession(session(i), first)));
    // A second connection sees only what is committed. Each step's insert calls back into the test (through a
    // trigger on the store's own connection) and looks at the batch from there, while the batch is being written.
    const reader = new Database(path, { readonly: true });
    const committed = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM steps WHERE seq = 1');
    const seenDuringBatch: number[] = [];
    db.function('seen_by_reader', () => (seenDuringBatch.push(committed.get()!.n), null));
    db.exec('CREATE TEMP TRIGGER observe AFTER INSERT ON steps WHEN NEW.seq = 1 BEGIN SELECT seen_by_reader(); END');

    const acknowledged: number[] = [];
    const pending = Array.from({ length: 5 }, (_, i) =>
      store.appendStep(`s${i}`, step(1), change([0, 1])).then(() => acknowledged.push(committed.get()!.n)),
    );
    await Promise.all(pending);
    // While any step of the batch was being written, none of them was committed; each was answered after all were.
    expect(seenDuringBatch).toEqual([0, 0, 0, 0, 0]);
    expect(acknowledged).toEqual([5, 5, 5, 5, 5]);
    reader.close();

    // Queued and not yet written when close() is called: close() writes it first.
    db.exec('DROP TRIGGER observe');
    const late = store.appendStep('s1', step(2, 'arrivedAfterWaiting'), change([0, 1, 2], 'arrivedAfterWaiting'));
    await store.close();
    await late;
    const reopened = createSqliteStore(path);
    expect((await reopened.openSession('s1'))!.path.map((r) => r.state)).toEqual(['howLongAgo', 'checkSpam', 'arrivedAfterWaiting']);
    await reopened.close();
  });
});
