import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../server/store/sqlite/migrations.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import type { AttemptLimit, NewSession, NewStep } from '../../server/store/types.ts';
import { useTempFiles } from '../support/app.ts';

const file = useTempFiles('console.db');

const MINUTE = 60_000;
/** A store on a clock the test moves. */
function clocked() {
  let time = Date.UTC(2026, 2, 1, 12);
  const store = createSqliteStore(file(), { now: () => time });
  return { store, tick: (ms: number) => (time += ms) };
}

const limit = (key: string, n: number): AttemptLimit => ({ key, limit: n, windowMs: 15 * MINUTE });


const snapshot = (value: string) => ({ value, context: {} });
const session: NewSession = {
  id: 's1',
  ref: 'ABC-DEF',
  flowId: 'participant-no-email',
  flowVersion: 'v1',
  lng: 'en',
  audience: 'agent',
  channel: 'agent',
  origin: null,
  snapshot: snapshot('howLongAgo'),
  agentId: null,
  ticketRef: null,
};
const first: NewStep = { seq: 0, state: 'howLongAgo', event: 'START', data: null, snapshot: snapshot('howLongAgo') };

describe('notes', () => {
  it('notes written before their authors were kept become the first version of each', async () => {
    const path = file();
    // A database as the release before this one left it, with a note on a step.
    const before = migrations.findIndex((sql) => sql.includes('CREATE TABLE notes'));
    const old = new Database(path);
    for (const sql of migrations.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    old.prepare(
      `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, created_at, updated_at)
       VALUES ('s1', 'ABC-DEF', 'participant-no-email', 'v1', 'en', 'agent', 'agent', '{"value":"howLongAgo","context":{}}', 'howLongAgo', 'active', 1, 1)`,
    ).run();
    old.prepare(`INSERT INTO steps (session_id, seq, state, event, snapshot, note, at) VALUES ('s1', 0, 'howLongAgo', 'START', '{}', 'Old note', 5)`).run();
    old.close();
    const store = createSqliteStore(path);
    expect(await store.listNotes('s1', 10)).toEqual([{ seq: 0, version: 1, text: 'Old note', agentId: null, at: 5 }]);
    await store.close();
  });

  it('emptying free text removes every version of the notes', async () => {
    const { store, tick } = clocked();
    await store.createSession(session, first);
    await store.setNote('s1', { seq: 0, note: 'one', agentId: null });
    await store.setNote('s1', { seq: 0, note: 'two', agentId: null });
    expect((await store.listNotes('s1', 10)).map((n) => n.text)).toEqual(['one', 'two']);
    tick(MINUTE);
    await store.purgeText(Date.UTC(2026, 2, 1, 12) + 1);
    expect(await store.listNotes('s1', 10)).toEqual([]);
    expect((await store.listSteps('s1'))[0]!.note).toBeNull();
    await store.close();
  });
});
