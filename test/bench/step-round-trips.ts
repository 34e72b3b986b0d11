/**
 * The PostgreSQL step path's cost: 2,000 steps on a fresh schema, taken as the engine takes them (openSession, then
 * appendStep; a note on every fourth), counting the statements sent to the server and the time.
 *   TEST_DATABASE_URL=postgres://… npx tsx test/bench/step-round-trips.ts
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../server/store/postgres/index.ts';

const SESSIONS = 100;
const STEPS = 21; // START and 20 answers each: 2,000 steps

async function main() {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const store = openPostgresStore(url, { poolSize: 4, schema });
  await store.ping();
  let statements = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const snap = (value: string) => ({ value, context: {} });
  const sum = { openStatements: 0, appendStatements: 0, openMs: 0, appendMs: 0 };
  try {
    for (let s = 0; s < SESSIONS; s++) {
      const id = `s${s}`;
      await store.createSession(
        { id, ref: `R${s}`, flowId: 'f', flowVersion: 'v', lng: 'en', audience: 'participant', channel: 'api', origin: null, snapshot: snap('a') },
        { seq: 0, state: 'a', event: 'START', data: null, snapshot: snap('a') },
      );
      const path = [0];
      for (let seq = 1; seq < STEPS; seq++) {
        let [t, n] = [performance.now(), statements];
        const opened = await store.openSession(id);
        if (opened?.path.length !== path.length) throw new Error(`session ${id}: path of ${opened?.path.length}, not ${path.length}`);
        sum.openStatements += statements - n;
        sum.openMs += performance.now() - t;
        path.push(seq);
        [t, n] = [performance.now(), statements];
        await store.appendStep(
          id,
          { seq, state: `q${seq}`, event: 'NEXT', data: { n: seq }, snapshot: snap(`q${seq}`), prevState: `q${seq - 1}` },
          { snapshot: snap(`q${seq}`), status: 'active', outcome: null, flowVersion: 'v', path: [...path] },
          seq % 4 === 0 ? { seq: seq - 1, note: `note ${seq}` } : undefined,
        );
        sum.appendStatements += statements - n;
        sum.appendMs += performance.now() - t;
      }
    }
  } finally {
    pg.Client.prototype.query = query;
    await store.close();
    const admin = new pg.Client(url);
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
  const steps = SESSIONS * (STEPS - 1);
  const per = (x: number) => Math.round((x / steps) * 100) / 100;
  console.log(
    JSON.stringify({
      steps,
      statementsPerOpen: per(sum.openStatements),
      statementsPerAppend: per(sum.appendStatements),
      msPerOpen: per(sum.openMs),
      msPerAppend: per(sum.appendMs),
    }),
  );
}

await main();
