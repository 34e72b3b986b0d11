import { describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { Participants, type Tracked } from '../support/participants.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

/*
 * Two server processes on one PostgreSQL database, as a load balancer would use them: participants step through
 * guides on both alternately; one instance is SIGKILLed mid-load; every acknowledged step is in the database and
 * every session goes on on the other instance. And a rate limit of N a minute holds across both.
 */

const PARTICIPANTS = 12;

describe.skipIf(!POSTGRES)(`two instances on one PostgreSQL${SKIP_REASON}`, () => {
  it('participants alternate between them; one is killed; nothing acknowledged is lost, everyone goes on', { timeout: 60_000 }, async () => {
    const db = await freshPostgres();
    const servers: ChildServer[] = [];
    try {
      const env = { DATABASE_URL: db.url, SESSIONS_PER_MINUTE: '1000000', STEPS_PER_MINUTE: '10000000' };
      // One at a time: the second start finds the schema migrated (and two starting together is the migration test's).
      servers.push(await startChildServer(env));
      servers.push(await startChildServer(env));
      const [a, b] = servers as [ChildServer, ChildServer];
      const people = new Participants();
      setTimeout(() => a.proc.kill('SIGKILL'), 800);
      await Promise.all(
        Array.from({ length: PARTICIPANTS }, async (_, i) => {
          let current: Tracked | false | undefined;
          // Each participant's requests go to one instance and then the other, until the first one dies.
          for (let n = i; ; n++) {
            current = await people.act(n % 2 ? a.url : b.url, current || undefined);
            if (current === false) break;
          }
        }),
      );
      await a.exited;
      expect(await people.verifyStoredPostgres(db.url)).toBe(0);
      // The survivor serves every session from where the database says it is.
      await people.resync(b.url);
      const after = await Promise.all(people.sessions.map((s) => people.act(b.url, s)));
      expect(after.every(Boolean)).toBe(true);
      expect(await people.verifyStoredPostgres(db.url)).toBe(0);
      expect(people.unexpected.filter((u) => !u.includes('fetch failed'))).toEqual([]);
      expect(people.acknowledged).toBeGreaterThan(PARTICIPANTS * 3);
    } finally {
      for (const s of servers) {
        s.proc.kill('SIGTERM');
        await s.exited;
      }
      await db.drop();
    }
  });

  it('a limit of 5 new sessions a minute holds across both instances', { timeout: 60_000 }, async () => {
    const db = await freshPostgres();
    const servers: ChildServer[] = [];
    try {
      const env = { DATABASE_URL: db.url, SESSIONS_PER_MINUTE: '5' };
      servers.push(await startChildServer(env));
      servers.push(await startChildServer(env));
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${servers[i % 2]!.url}/api/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ flowId: 'participant-no-email' }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    } finally {
      for (const s of servers) {
        s.proc.kill('SIGTERM');
        await s.exited;
      }
      await db.drop();
    }
  });
});
