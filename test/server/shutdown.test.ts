import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';

const tmp = tempDir('mailhelp-shutdown-');
afterAll(() => tmp.remove());

describe('graceful shutdown', () => {
  it('on SIGTERM: refuses new connections, finishes the request in flight, closes the database, exits 0', { timeout: 30_000 }, async () => {
    // A resolver that never answers, so a domain check stays in flight until DNS_TIMEOUT_MS.
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const file = join(tmp.dir, 'shutdown.db');
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DB_PATH: file, LOG_LEVEL: 'silent', DNS_SERVERS: `127.0.0.1:${silent.address().port}`, DNS_TIMEOUT_MS: '1500' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const started = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"flowId":"participant-no-email"}' });
    expect(started.status).toBe(201);
    expect(existsSync(`${file}-wal`)).toBe(true);

    const t0 = Date.now();
    const inFlight = fetch(`${url}/api/checks/email-domain?domain=school.example`);
    await new Promise((r) => setTimeout(r, 300));
    proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // The listener is closed: a new connection is refused while the old request is still being worked on.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { spf: { status: string } }).spf.status).toBe('error');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(await exited).toBe(0);
    // A cleanly closed SQLite database has folded its write-ahead log back into the file.
    expect(existsSync(`${file}-wal`)).toBe(false);
    silent.close();
  });
});
