import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';
import { startChildServer } from '../support/child-server.ts';
import { killOnceBusy, Participants, type Tracked } from '../support/participants.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

/*
 * Many participants step through every flow while the server is killed with SIGKILL at random moments and
 * restarted on the same database. Whatever a participant was told (a 2xx) must be in the database afterwards, and
 * every session must carry on from there. On SQLite (a file) and on PostgreSQL (a fresh database).
 */

const PARTICIPANTS = 24;
const tmp = tempDir('mailhelp-crash-');
afterAll(() => tmp.remove());

interface Database {
  /** What the server is started with to use it. */
  env: Record<string, string>;
  /** Acknowledged steps missing from it (see Participants). */
  lost(people: Participants): Promise<number>;
  drop(): Promise<void>;
}

const sqlite = async (): Promise<Database> => {
  const file = join(tmp.dir, 'crash.db');
  return { env: { DB_PATH: file }, lost: async (people) => people.verifyStored(file), drop: async () => {} };
};
const postgres = async (): Promise<Database> => {
  const db = await freshPostgres();
  return { env: { DATABASE_URL: db.url }, lost: (people) => people.verifyStoredPostgres(db.url), drop: db.drop };
};

// Fewer kills on PostgreSQL (2, not 5): each round is mostly a server start, and two keep it near 25 s here.
const RUNS = [
  { name: 'SQLite', kills: 5, open: sqlite, skip: '' },
  { name: 'PostgreSQL', kills: 2, open: postgres, skip: SKIP_REASON },
];

for (const run of RUNS) {
  (run.skip ? describe.skip : describe)(`crash safety on ${run.name}${run.skip}`, () => {
    it(`${PARTICIPANTS} participants, ${run.kills} SIGKILLs at random moments: no acknowledged step is lost`, { timeout: 90_000 }, async () => {
      const database = await run.open();
      const people = new Participants();
      let lost = 0;
      try {
        for (let round = 0; round <= run.kills; round++) {
          const { url, proc, exited } = await startChildServer({
            ...database.env,
            NODE_ENV: 'production',
            SESSIONS_PER_MINUTE: '1000000',
            STEPS_PER_MINUTE: '10000000',
          });
          // Everyone picks up where the server says they are: the step stored last, acknowledged or not.
          await people.resync(url);
          if (round === run.kills) {
            const after = await Promise.all(people.sessions.map((s) => people.act(url, s)));
            expect(after.every(Boolean)).toBe(true);
            proc.kill('SIGTERM');
            await exited;
            break;
          }
          // At a random moment once every participant, on average, had a step acknowledged this round.
          void killOnceBusy(people, PARTICIPANTS, () => proc.kill('SIGKILL'));
          const mine = [...people.sessions];
          await Promise.all(
            Array.from({ length: PARTICIPANTS }, async (_, i) => {
              let current: Tracked | false | undefined = mine[i];
              while ((current = await people.act(url, current || undefined)) !== false);
            }),
          );
          await exited;
          lost += await database.lost(people);
        }
        lost += await database.lost(people);
      } finally {
        await database.drop();
      }
      expect(lost).toBe(0);
      expect(people.unexpected).toEqual([]);
      // The run did real work: many acknowledged steps across the crashes.
      expect(people.acknowledged).toBeGreaterThan(run.kills * PARTICIPANTS);
    });
  });
}
