import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';

const tmp = tempDir('mailhelp-start-');
afterAll(() => tmp.remove());

describe('npm start', () => {
  it('builds the bundle, serves the app on a fresh SQLite file, and stops cleanly', { timeout: 60_000 }, async () => {
    const file = join(tmp.dir, 'fresh', 'mailhelp.db');
    // Its own process group, so the signal reaches node behind npm.
    const proc = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DB_PATH: file, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      proc.stderr!.on('data', (d: Buffer) => (out += d));
      void exited.then((code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const page = await fetch(`${url}/?lng=sv`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html lang="sv">');
    expect(existsSync(file)).toBe(true);
    process.kill(-proc.pid!, 'SIGTERM');
    await exited;
  });
});
