import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';
import { startChildServer } from '../support/child-server.ts';
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

describe('crash safety', () => {
  it(`${PARTICIPANTS} participants, ${KILLS} SIGKILLs at random moments: no acknowledged step is lost`, { timeout: 60_000 }, async () => {
    const file = join(tmp.dir, 'crash.db');
    const people = new Participants();
    let lost = 0;

    for (let round = 0; round <= KILLS; round++) {
      const { url, proc, exited } = await startChildServer({ DB_PATH: file, NODE_ENV: 'production', SESSIONS_PER_MINUTE: '1000000', STEPS_PER_MINUTE: '10000000' });
      // Everyone picks up where the server says they are: the step stored last, acknowledged or not.
      await people.resync(url);
      if (round === KILLS) {
        const after = await Promise.all(people.sessions.map((s) => people.act(url, s)));
        expect(after.every(Boolean)).toBe(true);
        proc.kill('SIGTERM');
        await exited;
        break;
      }
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
