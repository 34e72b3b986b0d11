import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { MAX_STEPS_PER_SESSION } from '../../server/store/types.ts';

export interface Started {
  proc: ChildProcess;
  url: string;
  /** From spawn to the first answered /healthz (or the first "listening" line for the baseline). */
  startMs: number;
}

/**
 * The node arguments of `npm start` (its V8 flags and the bundle), read from package.json so that what is measured
 * is exactly what is shipped. `npm run build` must have run.
 */
export function startArgs(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start is "${start}", expected "node <flags> <script>"`);
  return args;
}

/**
 * Starts a server as a child process (plain node: `args` are node's arguments), and waits until it answers. `env`
 * adds to this process's environment; a variable given as undefined is left out (spawn skips it), so a DATABASE_URL
 * set here cannot turn a SQLite run into a PostgreSQL one.
 */
export async function startServer(args: string[], env: Record<string, string | undefined>, health?: string): Promise<Started> {
  const t0 = performance.now();
  const script = args.at(-1)!;
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /(?:listening on |localhost:)(\d+)/.exec(out);
      if (!m) return;
      // From here on stdout is the request log: drained unread, so the measuring process spends nothing on it.
      proc.stdout!.off('data', onData);
      proc.stdout!.resume();
      resolve(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  if (health) for (;;) {
    try {
      if ((await fetch(url + health)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { proc, url, startMs: Math.round(performance.now() - t0) };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's CPU time (user + system) per request, when its pid was given: unlike req/s, not shared with the load. */
  cpuUs?: number;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/** A process's CPU time so far (user + system), in µs, from /proc. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), counted from 3: utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** 50 connections for a fixed time after a warm-up, as autocannon reports it; with `pid`, that server's CPU per request. */
export async function load(options: autocannon.Options, seconds: number, pid?: number): Promise<LoadResult> {
  const run = (duration: number) =>
    new Promise<autocannon.Result>((resolve, reject) =>
      autocannon({ connections: 50, ...options, duration }, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await run(2);
  const cpu0 = pid ? cpuMicros(pid) : 0;
  const r = await run(seconds);
  const cpuUs = pid && r.requests.total ? Math.round((cpuMicros(pid) - cpu0) / r.requests.total) : undefined;
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, ...(cpuUs ? { cpuUs } : {}) };
}

/** Stops a started server and waits until it has exited (its database connections closed with it). */
export function stopServer(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

/** Sends `amount` session starts as fast as the server takes them. */
export function createMany(url: string, amount: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      { url, connections: 50, amount, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"flowId":"participant-no-email"}' },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
}

/** Starts `amount` sessions of the first flow through the API; their ids. */
export async function startSessions(url: string, amount: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < amount; i++) {
    const res = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"flowId":"participant-no-email"}' });
    ids.push(((await res.json()) as { sessionId: string }).sessionId);
  }
  return ids;
}

/** Answer-and-Back cycles one session takes in the load: two rows each, kept under the session's step cap. */
const CYCLES_PER_SESSION = Math.floor((MAX_STEPS_PER_SESSION - 1) / 2) - 10;

/**
 * The write load: each cycle takes a session nobody else holds, answers, goes Back, and returns it. autocannon
 * clears a connection's context at every cycle, so sessions come from a pool rather than from the connection: two
 * connections on one session would be measuring 409s. Give more sessions than connections. A session near its step
 * cap leaves the pool and a fresh one takes its place, so a long run measures steps, not 409 session_too_long.
 */
export function answerAndBack(url: string, ids: string[]): autocannon.Options {
  const free = [...ids];
  const cycles = new Map<string, number>();
  const replace = () =>
    startSessions(url, 1).then(
      ([id]) => void free.push(id!),
      () => undefined,
    );
  const done = (id: string) => {
    const n = (cycles.get(id) ?? 0) + 1;
    cycles.set(id, n);
    if (n < CYCLES_PER_SESSION) free.push(id);
    else void replace();
  };
  return {
    url,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, context) => {
          const ctx = context as { id?: string };
          ctx.id = free.shift();
          return { ...req, path: `/api/sessions/${ctx.id}/events`, headers: { 'content-type': 'application/json' }, body: '{"type":"OVER_A_MINUTE"}' };
        },
      },
      {
        method: 'POST',
        setupRequest: (req, context) => ({ ...req, path: `/api/sessions/${(context as { id?: string }).id}/back` }),
        onResponse: (status, _body, context) => {
          if (status === 200) done((context as { id: string }).id);
        },
      },
    ],
  };
}
