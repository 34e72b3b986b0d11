import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';
import { startChildServer } from '../support/child-server.ts';

const tmp = tempDir('mailhelp-shutdown-');
afterAll(() => tmp.remove());

describe('graceful shutdown', () => {
  it('on SIGTERM: refuses new connections, finishes the request in flight, closes the database, exits 0', { timeout: 30_000 }, async () => {
    // A resolver that never answers, so a domain check stays in flight until DNS_TIMEOUT_MS.
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const file = join(tmp.dir, 'shutdown.db');
    const { url, proc, exited } = await startChildServer({
      DB_PATH: file,
      DNS_SERVERS: `127.0.0.1:${silent.address().port}`,
      DNS_TIMEOUT_MS: '1500',
    });
    const started = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"flowId":"participant-no-email"}' });
    expect(started.status).toBe(201);
    expect(existsSync(`${file}-wal`)).toBe(true);

    const t0 = Date.now();
    const inFlight = fetch(`${url}/api/checks/email-domain?domain=school.se`);
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
