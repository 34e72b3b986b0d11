import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';
import { startChildServer } from '../support/child-server.ts';

const tmp = tempDir('mailhelp-start-');
afterAll(() => tmp.remove());

describe('npm start', () => {
  it('builds the bundle, serves the app on a fresh SQLite file, and stops cleanly', { timeout: 60_000 }, async () => {
    const file = join(tmp.dir, 'fresh', 'mailhelp.db');
    // Its own process group, so the signal reaches node behind npm.
    const { url, proc, exited } = await startChildServer({ DB_PATH: file, LOG_LEVEL: 'warn' }, ['npm', 'start', '--silent'], true);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const page = await fetch(`${url}/?lng=sv`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html lang="sv">');
    expect(existsSync(file)).toBe(true);
    process.kill(-proc.pid!, 'SIGTERM');
    await exited;
  });
});
