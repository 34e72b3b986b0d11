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

// What the store does on purge is the shared store suite's (test/store/analytics.test.ts); here, the command.
describe('retention', () => {
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
