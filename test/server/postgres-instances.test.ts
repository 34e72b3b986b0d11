import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { runTool } from '../support/cli.ts';
import { killOnceBusy, Participants, type Tracked } from '../support/participants.ts';
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
      // Mid-load: once the two served a few steps to everyone (a fixed delay proved nothing on a loaded machine).
      void killOnceBusy(people, PARTICIPANTS * 4, () => a.proc.kill('SIGKILL'));
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

  it('the command-line tools work on the database the server uses', { timeout: 60_000 }, async () => {
    const db = await freshPostgres();
    try {
      const env = { ...process.env, DATABASE_URL: db.url };
      const added = await runTool('agent-cli', ['add', '--email', 'ops@example.com', '--name', 'Ops', '--role', 'admin'], { env, stdin: 'a long enough password\n' });
      expect(added.code, added.err).toBe(0);
      expect(added.err).toContain('database: postgres://');
      const listed = await runTool('flows', ['list'], { env });
      expect(listed.code, listed.err).toBe(0);
      expect(listed.out).toContain('participant-no-email');
      // What they did is in PostgreSQL, not in a SQLite file somewhere.
      const client = new pg.Client(db.url);
      await client.connect();
      try {
        expect((await client.query('SELECT name FROM agents WHERE email = $1', ['ops@example.com'])).rows).toEqual([{ name: 'Ops' }]);
        await client.query(
          `INSERT INTO sessions (id, ref, flow_id, flow_version, lng, audience, channel, snapshot, state, status, created_at, updated_at)
           VALUES ('old', 'OLD-001', 'participant-no-email', 'x', 'en', 'participant', 'api', '{}', 'howLongAgo', 'active', 1, 1)`,
        );
        const purged = await runTool('purge', ['--days', '0'], { env });
        expect(purged.code, purged.err).toBe(0);
        expect(purged.out).toMatch(/^Deleted 1 sessions/);
        expect((await client.query('SELECT count(*)::int AS n FROM sessions')).rows).toEqual([{ n: 0 }]);
      } finally {
        await client.end();
      }
    } finally {
      await db.drop();
    }
  });
});
