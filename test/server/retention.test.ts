import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { tempDir } from '../support/app.ts';

const DAY = 24 * 3600 * 1000;
const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** Sessions 100, 40, 31, 29 and 1 days old, each with steps, a note and feedback. */
async function history() {
  const tmp = tempDir();
  dirs.push(tmp);
  const file = join(tmp.dir, 'retention.db');
  let clock = 0;
  const store = createSqliteStore(file, { now: () => clock });
  const engine = new Engine(store, new FlowRegistry(), new StepRenderer(createI18n()), { emailDomain: () => Promise.reject(new Error('unused')), headers: () => Promise.reject(new Error('unused')), bounce: () => Promise.reject(new Error('unused')) });
  const ids = new Map<number, string>();
  for (const age of [100, 40, 31, 29, 1]) {
    clock = Date.now() - age * DAY;
    const { session } = await engine.start({ flowId: 'participant-no-email', lng: 'en' });
    await engine.send(session.id, 'UNDER_A_MINUTE', undefined, { note: `note ${age}` });
    await engine.send(session.id, 'ARRIVED', undefined);
    await engine.feedback(session.id, true, `comment ${age}`);
    ids.set(age, session.id);
  }
  return { store, file, ids };
}

const count = (store: Awaited<ReturnType<typeof history>>['store'], table: string) =>
  (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention', () => {
  it('deletes exactly the sessions older than the cut-off, with their steps and feedback', async () => {
    const { store, ids } = await history();
    expect(await store.purgeSessions(Date.now() - 30 * DAY)).toBe(3);
    const left = (store.db.prepare('SELECT id FROM sessions ORDER BY created_at').all() as { id: string }[]).map((r) => r.id);
    expect(left).toEqual([ids.get(29), ids.get(1)]);
    expect(count(store, 'steps')).toBe(2 * 3);
    expect(count(store, 'feedback')).toBe(2);
    await store.close();
  });

  it('empties free text without touching the figures', async () => {
    const { store } = await history();
    expect(await store.purgeText(Date.now() - 30 * DAY)).toBe(6);
    expect(count(store, 'sessions')).toBe(5);
    const notes = store.db.prepare('SELECT note FROM steps WHERE note IS NOT NULL ORDER BY note').all();
    expect(notes).toEqual([{ note: 'note 1' }, { note: 'note 29' }]);
    const comments = store.db.prepare('SELECT comment FROM feedback WHERE comment IS NOT NULL ORDER BY comment').all();
    expect(comments).toEqual([{ comment: 'comment 1' }, { comment: 'comment 29' }]);
    expect(count(store, 'feedback')).toBe(5);
    await store.close();
  });

  it('npm run purge deletes by RETENTION_DAYS or --days', async () => {
    const { store, file } = await history();
    await store.close();
    const run = (args: string[], env: Record<string, string> = {}) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'server/tools/purge.ts', ...args], {
        env: { ...process.env, DB_PATH: file, ...env },
        encoding: 'utf8',
      });
    expect(run([], { RETENTION_DAYS: '50' })).toMatch(/^Deleted 1 sessions/);
    expect(run(['--days', '30'])).toMatch(/^Deleted 2 sessions/);
    expect(run(['--text', '--days', '0'])).toMatch(/^Emptied 4 comments, notes and hand-off requests/);
    expect(() => run([], { RETENTION_DAYS: '' })).toThrow();
  });
});
