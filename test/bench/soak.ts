/**
 * `npm run soak`: 200 simulated participants walk the flows against the app (built and run as `npm start` runs
 * it) for a set time, with a short pause between answers. Prints requests per second and latency for each
 * window, then checks the database against every acknowledged step. Errors and lost steps must both be 0; the
 * exit code says whether they were. Not part of CI: it takes minutes.
 *
 *   SOAK_SECONDS=60 SOAK_PARTICIPANTS=200 SOAK_THINK_MS=50 SOAK_WINDOW_SECONDS=5 npm run soak
 *
 * With SOAK_DATABASE_URL (or else TEST_DATABASE_URL) the app runs on PostgreSQL instead: a fresh database on that
 * server, checked the same way and dropped afterwards. `SOAK_DATABASE_URL=` (empty) keeps SQLite.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/app.ts';
import { Participants, type Tracked } from '../support/participants.ts';
import { rssMb, startArgs, startServer, stopServer } from './load.ts';
import { benchServer, freshDatabase } from './postgres.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const PARTICIPANTS = Number(process.env.SOAK_PARTICIPANTS ?? 200);
const THINK_MS = Number(process.env.SOAK_THINK_MS ?? 50);
const WINDOW_MS = Number(process.env.SOAK_WINDOW_SECONDS ?? 5) * 1000;

interface Window {
  second: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  rssMb: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0);
const round = (n: number) => Math.round(n * 10) / 10;

const pgServer = benchServer(['SOAK_DATABASE_URL', 'TEST_DATABASE_URL']);
const tmp = tempDir('mailhelp-soak-');
const file = join(tmp.dir, 'soak.db');
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
if ('url' in pgServer) {
  database = await freshDatabase(pgServer.url);
  console.log(`on PostgreSQL: a fresh database ${database.name} on ${pgServer.shown}`);
} else console.log(`on SQLite (no PostgreSQL run: ${pgServer.skipped})`);
execSync('npm run build', { stdio: 'inherit' });
const server = await startServer(
  startArgs(),
  { PORT: '0', HOST: '127.0.0.1', DB_PATH: file, DATABASE_URL: database?.url, NODE_ENV: 'production', SESSIONS_PER_MINUTE: '1000000', STEPS_PER_MINUTE: '10000000' },
  '/healthz',
).catch(async (e: unknown) => {
  // Nothing to soak: leave no database behind.
  await database?.drop();
  tmp.remove();
  throw e;
});

let current: number[] = [];
let errors = 0;
let windowErrors = 0;
const windows: Window[] = [];
const people = new Participants((ms) => current.push(ms));
const t0 = performance.now();
const until = t0 + SECONDS * 1000;

console.log(`${PARTICIPANTS} participants for ${SECONDS} s, ${THINK_MS} ms average pause between answers\n`);
console.log('    s    req/s   p50 ms   p99 ms   max ms   errors   RSS MB');
const ticker = setInterval(() => {
  const sorted = current.sort((a, b) => a - b);
  current = [];
  const w: Window = {
    second: Math.round((performance.now() - t0) / 1000),
    requests: sorted.length,
    rps: Math.round(sorted.length / (WINDOW_MS / 1000)),
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
    errors: windowErrors,
    rssMb: rssMb(server.proc.pid!),
  };
  windowErrors = 0;
  windows.push(w);
  console.log([w.second, w.rps, w.p50, w.p99, w.max, w.errors, w.rssMb].map((v) => String(v).padStart(8)).join(' '));
}, WINDOW_MS);

const pause = () => new Promise((r) => setTimeout(r, Math.random() * 2 * THINK_MS));
await Promise.all(
  Array.from({ length: PARTICIPANTS }, async () => {
    let mine: Tracked | undefined;
    while (performance.now() < until) {
      const next = await people.act(server.url, mine);
      if (next === false) {
        // The server is up the whole time: no answer, or a wrong one, is an error. Start afresh.
        errors++;
        windowErrors++;
        mine = undefined;
      } else mine = next;
      await pause();
    }
  }),
);
clearInterval(ticker);

await stopServer(server.proc);
let lost: number;
try {
  lost = database ? await people.verifyStoredPostgres(database.url) : people.verifyStored(file);
} finally {
  await database?.drop();
  tmp.remove();
}

const all = windows.map((w) => w.p99);
console.log(`\nacknowledged steps: ${people.acknowledged} in ${people.sessions.length} sessions`);
console.log(`errors: ${errors}${people.unexpected.length ? ` (${people.unexpected.slice(0, 5).join('; ')})` : ''}`);
console.log(`lost steps: ${lost}`);
console.log(`p99 per window: ${all.length ? `${Math.min(...all)}–${Math.max(...all)} ms` : `none (the run was shorter than one ${WINDOW_MS / 1000} s window)`}`);
const out = process.env.SOAK_OUT ?? 'soak-results.json';
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, database: database ? 'postgres' : 'sqlite', participants: PARTICIPANTS, seconds: SECONDS, thinkMs: THINK_MS, acknowledged: people.acknowledged, errors, lost, unexpected: people.unexpected.slice(0, 50), windows }, null, 2) + '\n');
console.log(`figures written to ${out}`);
process.exitCode = errors === 0 && lost === 0 && people.unexpected.length === 0 ? 0 : 1;
