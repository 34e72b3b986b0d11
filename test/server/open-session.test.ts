import { describe, expect, it } from 'vitest';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import { useTempFiles } from '../support/app.ts';
import { change as recordChange, newSession, START, step as recordStep } from '../support/store-records.ts';

const file = useTempFiles('open.db');

const session = newSession('s1', { ref: 'R1', lng: 'de', channel: 'api' });
const step = (seq: number, state: string, event: string, data: unknown = null) => recordStep(seq, 'x', event, state, { data });
const change = (path: number[], state: string) => recordChange(state, path);

/*
 * openSession reads the session and its path in one statement; getSession and listPath read them apart. Both must
 * give the same records, for a path with a Back, data (a check's report, with nested values and odd text), a note
 * and an agent, and for a session from before paths were kept (its path worked out from its rows).
 */
describe('openSession (one statement)', () => {
  it('gives the session and its path as getSession and listPath do', async () => {
    const { store, db } = openSqliteFile(file());
    await store.createSession(session, START);
    const report = { domain: 'exämple.se', spf: { status: 'ok', record: 'v=spf1 "quoted" \\ ~all' }, n: [1, 2.5, null], flag: true };
    await store.appendStep('s1', step(1, 'checkSpam', 'OVER_A_MINUTE'), change([0, 1], 'checkSpam'));
    await store.appendStep('s1', step(2, 'notInSpam', 'NOT_IN_SPAM'), change([0, 1, 2], 'notInSpam'));
    await store.appendStep('s1', step(3, 'checkSpam', 'BACK'), change([0, 1], 'checkSpam'));
    await store.appendStep('s1', { ...step(4, 'checked', 'CHECK_RESULT', report), agentId: null }, change([0, 1, 4], 'checked'), {
      seq: 1,
      note: 'Rief an – “Spam” geprüft',
      agentId: null,
    });
    const opened = (await store.openSession('s1'))!;
    expect(opened.path.map((r) => r.seq)).toEqual([0, 1, 4]);
    expect(opened.path[2]!.data).toEqual(report);
    expect(opened.path[1]!.note).toBe('Rief an – “Spam” geprüft');
    expect(opened).toEqual({ session: await store.getSession('s1'), path: await store.listPath('s1') });

    // From before paths were kept.
    db.prepare('UPDATE sessions SET path = NULL').run();
    const legacy = (await store.openSession('s1'))!;
    expect(legacy.path.map((r) => r.seq)).toEqual([0, 1, 4]);
    expect(legacy).toEqual({ session: await store.getSession('s1'), path: await store.listPath('s1') });

    expect(await store.openSession('nope')).toBeUndefined();
    await store.close();
  });
});
