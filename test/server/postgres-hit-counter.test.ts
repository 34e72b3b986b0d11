import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLimits } from '../../server/http/limits.ts';
import { postgresHitCounter } from '../../server/store/postgres/hit-counter.ts';
import { postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { freshPostgres, POSTGRES, SKIP_REASON } from '../support/postgres.ts';

/*
 * Rate limits two instances share: two pools on one PostgreSQL database (two processes, as far as the database can
 * tell) count one client's requests together, so N a minute holds across both.
 */

describe.skipIf(!POSTGRES)(`rate limits across instances on PostgreSQL${SKIP_REASON}`, () => {
  let database: Awaited<ReturnType<typeof freshPostgres>>;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = new pg.Pool({ connectionString: database.url, max: 4 });
    // Dropping the database ends idle connections; that is no error of the test's.
    p.on('error', () => {});
    pools.push(p);
    return p;
  };
  beforeAll(async () => {
    database = await freshPostgres();
    const p = pool();
    for (const sql of postgresMigrations) await p.query(sql);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await database.drop();
  });

  it('counts hits of one key from two pools together, atomically, and starts a new window when one ends', async () => {
    let clock = 1_000_000;
    const a = postgresHitCounter(pool(), () => clock);
    const b = postgresHitCounter(pool(), () => clock);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).increment('steps:10.0.0.1', 60_000)));
    expect(results.map((r) => r.hits).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.resetAt))).toEqual(new Set([1_060_000]));
    await a.decrement('steps:10.0.0.1');
    expect((await b.increment('steps:10.0.0.1', 60_000)).hits).toBe(20);
    clock += 60_001;
    expect(await a.increment('steps:10.0.0.1', 60_000)).toEqual({ hits: 1, resetAt: clock + 60_000 });
  });

  it('a limit of 3 a minute holds across two app instances', async () => {
    const appOf = () => {
      const limits = createLimits({ sessionsPerMinute: 3, stepsPerMinute: 100, checksPerMinute: 100, handoffsPerHour: 10, counter: postgresHitCounter(pool()) });
      const app = express();
      app.post('/go', limits.sessions, (_req, res) => void res.sendStatus(204));
      app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.sendStatus(err.status ?? 500));
      return app;
    };
    const [one, two] = [appOf(), appOf()];
    const statuses = [];
    for (const app of [one, two, one, two, one]) statuses.push((await request(app).post('/go')).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
  });
});
