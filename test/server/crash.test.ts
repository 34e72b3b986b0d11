import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';
import { Participants, type Tracked } from '../support/participants.ts';

/*
 * Many participants step through every flow while the server is killed with SIGKILL at random moments and
 * restarted on the same file. Whatever a participant was told (a 2xx) must be in the database afterwards, and
 * every session must carry on from there.
 */

const PARTICIPANTS = 24;
const KILLS = 5;
const tmp = tempDir('mailhelp-crash-');
afterAll(() => tmp.remove());

function start(file: string): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DB_PATH: file, NODE_ENV: 'production', LOG_LEVEL: 'silent', SESSIONS_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, proc });
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d));
    proc.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening: ${out}`)));
  });
}

describe('crash safety', () => {
  it(`${PARTICIPANTS} participants, ${KILLS} SIGKILLs at random moments: no acknowledged step is lost`, { timeout: 60_000 }, async () => {
    const file = join(tmp.dir, 'crash.db');
    const people = new Participants();
    let lost = 0;

    for (let round = 0; round <= KILLS; round++) {
      const { url, proc } = await start(file);
      // Everyone picks up where the server says they are: the step stored last, acknowledged or not.
      await people.resync(url);
      if (round === KILLS) {
        const after = await Promise.all(people.sessions.map((s) => people.act(url, s)));
        expect(after.every(Boolean)).toBe(true);
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
        break;
      }
      const exited = new Promise((r) => proc.once('exit', r));
      setTimeout(() => proc.kill('SIGKILL'), 300 + Math.random() * 700);
      const mine = [...people.sessions];
      await Promise.all(
        Array.from({ length: PARTICIPANTS }, async (_, i) => {
          let current: Tracked | false | undefined = mine[i];
          while ((current = await people.act(url, current || undefined)) !== false);
        }),
      );
      await exited;
      lost += people.verifyStored(file);
    }
    lost += people.verifyStored(file);
    expect(lost).toBe(0);
    expect(people.unexpected).toEqual([]);
    // The run did real work: hundreds of acknowledged steps across the crashes.
    expect(people.acknowledged).toBeGreaterThan(KILLS * PARTICIPANTS);
  });
});
