/**
 * `npm run bench`: measures what the project promises, on a temporary database, and prints each figure with its
 * target. Writes the same figures as JSON (bench-results.json, or BENCH_OUT) for comparing runs. Exits non-zero
 * only when the run itself failed, never because a target was missed: a missed target is a finding to report.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { hashPassword } from '../../server/auth/password.ts';
import { seedHistory } from '../../server/store/sqlite/seed.ts';
import { listen, tempDir, testApp } from '../support/app.ts';
import { answerAndBack, createMany, load, rssMb, startArgs, startServer, startSessions, stopServer, type Started } from './load.ts';
import { benchServer, freshDatabase } from './postgres.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: number;
  /** For targets that are ceilings: the figure must stay at or under the target. */
  within?: boolean;
}

const figures: Figure[] = [];

/** Signs in through the login form; returns the cookie header for later requests. */
async function login(base: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${base}/agent/login`);
  const pre = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${base}/agent/login`, {
    method: 'POST',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }),
    redirect: 'manual',
  });
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
const tmp = tempDir('mailhelp-bench-');
const app = testApp(join(tmp.dir, 'bench.db'));
const server = await listen(app.app);

try {
  const gz = async (path: string, init?: RequestInit) => {
    const res = await fetch(server.url + path, init);
    if (!res.ok && res.status !== 303) throw new Error(`${path}: ${res.status}`);
    return { res, bytes: gzipSync(Buffer.from(await res.arrayBuffer()), { level: 9 }).length };
  };

  // The loader a host page downloads.
  const loader = await gz('/widget.js');
  figures.push({ name: 'widget.js (gzip)', value: loader.bytes, unit: 'B', target: 2048, within: true });

  // The embedded first step: start a guide as the frame does, then everything that page loads.
  const start = await fetch(`${server.url}/embed/flows/participant-no-email?lng=de`, { redirect: 'manual' });
  const flowPage = gzipSync(Buffer.from(await start.arrayBuffer()), { level: 9 }).length;
  const posted = await fetch(`${server.url}/embed/flows/participant-no-email`, {
    method: 'POST',
    body: new URLSearchParams({}),
    redirect: 'manual',
  });
  const stepUrl = posted.headers.get('location')!;
  const step = await gz(stepUrl);
  const html = await (await fetch(server.url + stepUrl)).text();
  const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  let assetBytes = 0;
  for (const a of assets) assetBytes += (await gz(a)).bytes;
  figures.push({ name: 'embed: guide page HTML (gzip)', value: flowPage, unit: 'B' });
  figures.push({ name: `embed: first step HTML + ${assets.length} assets (gzip)`, value: step.bytes + assetBytes, unit: 'B', target: 15 * 1024, within: true });

  // Analytics on a large history: 1,000,000 steps of random walks through the real flows over 90 days.
  const steps = Number(process.env.BENCH_HISTORY_STEPS ?? 1_000_000);
  let t0 = performance.now();
  const seeded = seedHistory(app.sqliteDb!, app.app.locals.ctx.flows.list, { steps, days: 90 });
  figures.push({ name: `seed ${seeded.steps} steps (${seeded.sessions} sessions)`, value: Math.round(performance.now() - t0), unit: 'ms' });
  await app.store.createAgent({ email: 'bench@example.com', name: 'Bench', role: 'admin', passwordHash: await hashPassword('bench-password-1') });
  const token = await login(server.url, 'bench@example.com', 'bench-password-1');
  const timed = async (name: string, path: string) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const res = await fetch(server.url + path, { headers: { cookie: token } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    figures.push({ name, value: Math.round(times[2]!), unit: 'ms', target: 1000, within: true });
  };
  const today = new Date().toISOString().slice(0, 10);
  const ninety = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
  await timed('analytics JSON, one guide, 30 days (median of 5)', '/api/analytics/flows/participant-no-email');
  await timed('analytics JSON, one guide, 90 days', `/api/analytics/flows/participant-no-email?from=${ninety}&to=${today}`);
  await timed('dashboard page, all guides, 30 days', '/admin/analytics');
  await timed('dashboard page, one guide with diagram, 90 days', `/admin/analytics?flow=notification-sender-setup&from=${ninety}&to=${today}`);

  // Whether sessions cost memory once they are stored: the JS heap after a full GC, before and after 100,000 more.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heapMb = () => {
    gc();
    return Math.round(process.memoryUsage().heapUsed / 1048576);
  };
  const before = heapMb();
  const engine = app.app.locals.ctx.engine;
  for (let i = 0; i < 100_000; i += 50)
    await Promise.all(Array.from({ length: 50 }, () => engine.start({ flowId: 'participant-no-email', lng: 'en', channel: 'api' })));
  figures.push({ name: 'JS heap used, before → after 100,000 sessions', value: heapMb(), unit: `MB (before: ${before} MB)` });
} finally {
  await server.stop();
  await app.close();
}

// Throughput: the app as a real process next to a bare Express route, measured in the same run: on SQLite, then on
// PostgreSQL when a server is given, both against the one baseline.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const pgServer = benchServer(['BENCH_DATABASE_URL', 'TEST_DATABASE_URL']);
if ('skipped' in pgServer) console.log(`PostgreSQL run skipped: ${pgServer.skipped}.`);
type Result = Awaited<ReturnType<typeof load>>;

/**
 * One route's figures, its ratios taken to the baseline (bare Express) and, for the step routes, to the floor (the
 * same work on bare node:http, test/bench/floor-server.ts); the app's step routes carry the project's targets.
 */
function report(into: Figure[], name: string, r: Result, base: Result, step: boolean, floor?: Result) {
  const ratio = (x: number, y: number) => Math.round((x / Math.max(1, y)) * 100) / 100;
  into.push({ name: `${name}: req/s`, value: r.rps, unit: '' });
  into.push({ name: `${name}: p50 / p99 ms`, value: r.p99, unit: `ms (p50 ${r.p50})` });
  if (r.cpuUs !== undefined) into.push({ name: `${name}: server CPU per request`, value: r.cpuUs, unit: 'µs' });
  into.push({ name: `${name}: req/s ratio to baseline`, value: ratio(r.rps, base.rps), unit: '×', ...(step ? { target: 0.6 } : {}) });
  into.push({ name: `${name}: p99 ratio to baseline`, value: ratio(r.p99, base.p99), unit: '×', ...(step ? { target: 2, within: true } : {}) });
  if (floor) {
    into.push({ name: `${name}: req/s ratio to floor`, value: ratio(r.rps, floor.rps), unit: '×' });
    if (r.cpuUs !== undefined && floor.cpuUs !== undefined) into.push({ name: `${name}: CPU per request ratio to floor`, value: ratio(r.cpuUs, floor.cpuUs), unit: '×' });
  }
  if (r.errors) into.push({ name: `${name}: errors`, value: r.errors, unit: '' });
}

/** The step routes under load on a started server: answer + Back, the HTML step, the JSON step. */
async function stepLoads(server: Started): Promise<[string, Result][]> {
  // More sessions than connections, so a free one is always there.
  const ids = await startSessions(server.url, 100);
  const pid = server.proc.pid!;
  return [
    ['POST events (+ back)', await load(answerAndBack(server.url, ids), SECONDS, pid)],
    ['GET /s/:id (HTML step)', await load({ url: `${server.url}/s/${ids[0]}` }, SECONDS, pid)],
    ['GET /api/sessions/:id', await load({ url: `${server.url}/api/sessions/${ids[0]}` }, SECONDS, pid)],
  ];
}

const SERVER_ENV = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', SESSIONS_PER_MINUTE: '1000000', STEPS_PER_MINUTE: '10000000' };

/** The floor's bundle, built as the app's is and run with the same node flags. */
const FLOOR_BUNDLE = 'dist/bench-floor.mjs';
const floorArgs = () => [...startArgs().slice(0, -1), FLOOR_BUNDLE];

/** Starts a server, runs `measure` on it, and stops it. */
async function withServer<T>(args: string[], env: Record<string, string | undefined>, measure: (server: Started) => Promise<T>): Promise<T> {
  const server = await startServer(args, { ...SERVER_ENV, ...env }, '/healthz');
  try {
    return await measure(server);
  } finally {
    await stopServer(server.proc);
  }
}

/**
 * The built app as `npm start` runs it, on the database `env` names: its start, memory and routes under load; its
 * step routes also with Express alone (HOT_PATH=false), and on the floor server, each on a database of its own.
 */
async function measureApp(env: (variant: string) => Promise<Record<string, string | undefined>>, base: Result): Promise<Figure[]> {
  const into: Figure[] = [];
  const floor = new Map(await withServer(floorArgs(), await env('floor'), stepLoads));
  for (const [name, r] of floor) report(into, `floor: ${name}`, r, base, false);
  const alone = await withServer(startArgs(), { ...(await env('express')), HOT_PATH: 'false' }, stepLoads);
  for (const [name, r] of alone) report(into, `Express alone: ${name}`, r, base, false, floor.get(name));
  await withServer(startArgs(), await env('app'), async (real) => {
    into.push({ name: 'start to first /healthz', value: real.startMs, unit: 'ms', target: 1000, within: true });
    into.push({ name: 'server RSS at start', value: rssMb(real.proc.pid!), unit: 'MB' });
    for (const [name, r] of await stepLoads(real)) report(into, name, r, base, true, floor.get(name));
    report(into, 'GET embed page', await load({ url: `${real.url}/embed/flows/participant-no-email?lng=de` }, SECONDS), base, false);
    // Memory after 100,000 sessions.
    await createMany(`${real.url}/api/sessions`, 100_000);
    into.push({ name: 'server RSS after 100,000 sessions', value: rssMb(real.proc.pid!), unit: 'MB', target: 150, within: true });
  });
  return into;
}

let baseline: Awaited<ReturnType<typeof startServer>> | undefined;
let postgres: { server: string; figures: Figure[] } | { skipped: string } = { skipped: 'skipped' in pgServer ? pgServer.skipped : 'the run did not finish' };
try {
  baseline = await startServer(['test/bench/baseline-server.mjs'], {});
  // The app as `npm start` runs it: the bundle from `npm run build`, on plain node with the same V8 flags.
  execSync('npm run build', { stdio: 'inherit' });
  execSync(`npx esbuild test/bench/floor-server.ts --bundle --platform=node --format=esm --packages=external --outfile=${FLOOR_BUNDLE} --log-level=warning`, {
    stdio: 'inherit',
  });
  const base = await load({ url: `${baseline.url}/` }, SECONDS);
  report(figures, 'baseline res.send', base, base, false);
  figures.push(...(await measureApp(async (variant) => ({ DB_PATH: join(tmp.dir, `load-${variant}.db`), DATABASE_URL: undefined }), base)));
  if ('url' in pgServer) {
    const databases: Awaited<ReturnType<typeof freshDatabase>>[] = [];
    try {
      const pgFigures = await measureApp(async () => {
        databases.push(await freshDatabase(pgServer.url));
        return { DATABASE_URL: databases.at(-1)!.url };
      }, base);
      postgres = { server: pgServer.shown, figures: pgFigures };
    } finally {
      for (const database of databases) await database.drop();
    }
  }
} finally {
  if (baseline) await stopServer(baseline.proc);
  tmp.remove();
}

const verdict = (f: Figure) =>
  f.target === undefined ? '' : `  target ${f.within ? '≤' : '≥'} ${f.target} ${f.unit}: ${(f.within ? f.value <= f.target : f.value >= f.target) ? 'met' : 'MISSED'}`;
const width = Math.max(...figures.map((f) => f.name.length));
for (const f of figures) console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(8)} ${f.unit}${verdict(f)}`);
if ('figures' in postgres) {
  // Each PostgreSQL figure beside the SQLite one of the same name; the ratios are to the one baseline above.
  const sqlite = new Map(figures.map((f) => [f.name, f]));
  const cell = (f: Figure | undefined) => (f ? `${f.value} ${f.unit}` : '').padEnd(26);
  console.log(`\nPostgreSQL (${postgres.server}, a fresh database) beside SQLite, against the same baseline:`);
  console.log(`${''.padEnd(width)}  ${'SQLite'.padEnd(26)}${'PostgreSQL'.padEnd(26)}`);
  for (const f of postgres.figures) console.log(`${f.name.padEnd(width)}  ${cell(sqlite.get(f.name))}${cell(f)}${verdict(f)}`);
} else console.log(`\nPostgreSQL run skipped: ${postgres.skipped}.`);
const out = process.env.BENCH_OUT ?? 'bench-results.json';
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, figures, postgres }, null, 2) + '\n');
console.log(`\nfigures written to ${out}`);
