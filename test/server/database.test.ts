import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { seedHistory } from '../../server/store/sqlite/seed.ts';
import { BUSY_TIMEOUT_MS, openSqliteFile } from '../../server/store/sqlite/index.ts';
import { tempDir, testApp, type TestApp } from '../support/app.ts';
import { SOURCE } from '../support/child-server.ts';

const tmp = tempDir('mailhelp-db-');
// Opened to everyone: the read-only case runs the server as another user when the tests run as root.
chmodSync(tmp.dir, 0o777);
afterAll(() => tmp.remove());

/**
 * Starts the server on `file` and waits for it to end by itself. As root, file permissions bind no one, so the
 * server then runs as `nobody`, for whom a 0444 file is read-only as it is for any operator's service account.
 */
async function startOn(file: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const proc = spawn(SOURCE[0]!, SOURCE.slice(1), {
    env: { ...process.env, DB_PATH: file, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asNobody,
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    // A server that starts is a failure here; stop it rather than wait for the test's timeout.
    if (stdout.includes('listening')) proc.kill('SIGTERM');
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stderr, stdout };
}

/** A stopped server's database with a few thousand steps in it, so it spans many pages. */
async function databaseWithHistory(name: string): Promise<string> {
  const file = join(tmp.dir, name);
  const { store, db } = openSqliteFile(file);
  seedHistory(db, new FlowRegistry().list, { steps: 3000, days: 3 });
  await store.close();
  return file;
}

const expectClearFailure = (run: { code: number | null; stderr: string; stdout: string }, file: string, cause: RegExp) => {
  expect(run.stdout).not.toContain('listening');
  expect(run.code).not.toBe(0);
  expect(run.code).not.toBeNull();
  expect(run.stderr).toContain(`DB_PATH=${file}`);
  expect(run.stderr).toMatch(cause);
  // One line an operator can act on: no stack trace.
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
};

describe('a database the server cannot use stops the start with a clear message', () => {
  it('a file that is not SQLite', async () => {
    const file = join(tmp.dir, 'notes.db');
    writeFileSync(file, 'These are my notes, not a database.\n'.repeat(200));
    expectClearFailure(await startOn(file), file, /not a SQLite database/);
  });

  it('a read-only file', async () => {
    const file = await databaseWithHistory('read-only.db');
    chmodSync(file, 0o444);
    expectClearFailure(await startOn(file), file, /read-only/);
  });

  it('a file damaged in the middle, found by PRAGMA quick_check', async () => {
    const file = await databaseWithHistory('damaged.db');
    // Garbage over one page well past the schema: the file opens, only reading that page would fail.
    const pages = statSync(file).size / 4096;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages * 0.6) * 4096);
    closeSync(fd);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM sqlite_schema').get()).toMatchObject({ n: expect.any(Number) });
    db.close();
    expectClearFailure(await startOn(file), file, /damaged: PRAGMA quick_check found/);
  });
});

describe('a busy or unreadable database at run time', () => {
  let t: TestApp;
  let other: Database.Database | undefined;
  afterEach(async () => {
    if (other?.open) other.close();
    await t.close();
  });

  it('a write lock held by another process: steps answer 503 with Retry-After, and go through once it is released', async () => {
    t = testApp();
    // Waiting on a lock blocks the event loop, so the wait is short.
    expect(t.sqliteDb!.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(BUSY_TIMEOUT_MS).toBeLessThanOrEqual(250);
    const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'sv' }).expect(201);
    const id = started.body.sessionId as string;

    other = new Database(t.file);
    other.exec('BEGIN IMMEDIATE');
    const refused = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.error.code).toBe('unavailable');
    // The page says so in the session's language.
    const page = await request(t.app).post(`/s/${id}`).type('form').send({ event: 'OVER_A_MINUTE' });
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toBe('1');
    expect(page.text).toContain('Upptaget för tillfället');
    // Reading goes on meanwhile (WAL), and the health check still reads.
    await request(t.app).get(`/api/sessions/${id}`).expect(200);
    await request(t.app).get('/healthz').expect(200);

    other.exec('ROLLBACK');
    const done = await request(t.app).post(`/api/sessions/${id}/events`).send({ type: 'OVER_A_MINUTE' }).expect(200);
    expect(done.body.history).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });

  it('/healthz answers 503 when the database cannot be read', async () => {
    t = testApp();
    expect((await request(t.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    t.sqliteDb!.close();
    const res = await request(t.app).get('/healthz').expect(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.headers['retry-after']).toBe('1');
    // The cause is logged for the operator.
    expect(t.errors).toHaveLength(1);
  });
});
