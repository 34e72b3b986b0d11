/**
 * `npx tsx test/bench/indexes.ts <file.db> [steps]`: the analytics queries on a large history and the cost of one
 * step's write there, to weigh an index change. Seeds `steps` (1,000,000) steps into <file.db> when it does not
 * exist yet; otherwise opens it as it is (migrating it to this code's schema), so one seeded file copied twice
 * compares two schemas on the same rows. Prints wall and CPU ms (median of 7) per analytics call and CPU µs per
 * step written in group commits of 50 (ONLY=write: that alone).
 */
import { existsSync, statSync } from 'node:fs';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { seedHistory } from '../../server/store/sqlite/seed.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import type { AnalyticsFilter } from '../../server/store/types.ts';

const [file, stepsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: indexes.ts <file.db> [steps]');
const flows = new FlowRegistry();
const seeding = !existsSync(file);
const { store, db } = openSqliteFile(file);
if (seeding) {
  const t0 = performance.now();
  const seeded = seedHistory(db, flows.list, { steps: Number(stepsArg ?? 1_000_000), days: 90 });
  console.log(`seeded ${seeded.steps} steps, ${seeded.sessions} sessions in ${Math.round(performance.now() - t0)} ms`);
}
console.log('indexes on sessions:', (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' ORDER BY name").pluck().all() as string[]).join(', '));

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const DAY = 86400000;
const now = Date.now();
const filter = (days: number, flowId?: string): AnalyticsFilter => ({ from: now - days * DAY, to: now + DAY, abandonedBefore: now - DAY, ...(flowId ? { flowId } : {}) });

async function timed(name: string, f: AnalyticsFilter) {
  const wall: number[] = [];
  const used: number[] = [];
  await store.analytics(f);
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const c0 = cpu();
    await store.analytics(f);
    used.push(cpu() - c0);
    wall.push(performance.now() - t0);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!.toFixed(1);
  console.log(`${name.padEnd(36)} wall ${mid(wall).padStart(7)} ms   cpu ${mid(used).padStart(7)} ms`);
}

if (process.env.ONLY !== 'write') {
  await timed('analytics: all guides, 30 days', filter(30));
  await timed('analytics: all guides, 90 days', filter(90));
  await timed('analytics: one guide, 30 days', filter(30, 'participant-no-email'));
  await timed('analytics: one guide, 90 days', filter(90, 'notification-sender-setup'));
}

// A step's write on this database: 50 active sessions from across the history answer at once (one group commit),
// 40 times a round. CPU µs per step, and pages written to the WAL per step (the index pages a step dirties).
const K = 50;
const picked = db
  .prepare(
    `SELECT id, state, flow_version, (SELECT max(seq) FROM steps WHERE session_id = sessions.id) AS last FROM sessions
     WHERE status = 'active' AND id LIKE 'seed%' ORDER BY (rowid * 7919) % 10007 LIMIT ${K}`,
  )
  .all() as { id: string; state: string; flow_version: string; last: number }[];
const walFile = `${file}-wal`;
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('wal_autocheckpoint = 0');
const pageSize = db.pragma('page_size', { simple: true }) as number;
const per: number[] = [];
let frames = 0;
let written = 0;
for (let round = 0; round < 6; round++) {
  const c0 = cpu();
  const w0 = statSync(walFile).size;
  for (let c = 0; c < 40; c++) {
    await Promise.all(
      picked.map((s) => {
        const seq = ++s.last;
        const snapshot = { value: s.state, context: {} };
        return store.appendStep(
          s.id,
          { seq, state: s.state, event: 'NEXT', data: null, snapshot, agentId: null, prevState: s.state },
          { snapshot, status: 'active', outcome: null, flowVersion: s.flow_version, path: [0, seq] },
        );
      }),
    );
  }
  if (round) {
    per.push(((cpu() - c0) * 1000) / (40 * K));
    frames += (statSync(walFile).size - w0) / (pageSize + 24);
    written += 40 * K;
  }
}
per.sort((a, b) => a - b);
console.log(`step write, group commit of ${K}`.padEnd(36), `cpu ${per[per.length >> 1]!.toFixed(1)} µs/step (min ${per[0]!.toFixed(1)}, max ${per.at(-1)!.toFixed(1)}), ${(frames / written).toFixed(2)} pages/step to the WAL`);
db.pragma('wal_checkpoint(TRUNCATE)');
await store.close();
