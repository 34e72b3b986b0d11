/**
 * `npm run profile -- <events|html|api|embed>`: runs the built app under `node --cpu-prof` while autocannon drives
 * one step route (as `npm run bench` does), then prints where the server's time went: by package, by function
 * (self time) and by function including callees. The .cpuprofile is kept for Chrome DevTools.
 *
 *   PROFILE_SECONDS=6 npm run profile -- html
 */
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { tempDir } from '../support/app.ts';
import { answerAndBack, load, startArgs, startServer, startSessions } from './load.ts';

const route = process.argv[2] ?? 'events';
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 6);
const routes = ['events', 'html', 'api', 'embed'];
if (!routes.includes(route)) {
  console.error(`usage: npm run profile -- <${routes.join('|')}>`);
  process.exit(2);
}

const tmp = tempDir('mailhelp-profile-');
const profiles = join(tmp.dir, 'profiles');
execSync('npm run build', { stdio: 'inherit' });
const server = await startServer(
  ['--cpu-prof', `--cpu-prof-dir=${profiles}`, ...startArgs()],
  { PORT: '0', HOST: '127.0.0.1', DB_PATH: join(tmp.dir, 'p.db'), NODE_ENV: 'production', SESSIONS_PER_MINUTE: '1000000', STEPS_PER_MINUTE: '10000000' },
  '/healthz',
);

const ids = await startSessions(server.url, 100);
const options: Record<string, autocannon.Options> = {
  events: answerAndBack(server.url, ids),
  html: { url: `${server.url}/s/${ids[0]}` },
  api: { url: `${server.url}/api/sessions/${ids[0]}` },
  embed: { url: `${server.url}/embed/flows/participant-no-email?lng=de` },
};
const result = await load(options[route]!, SECONDS);
server.proc.kill('SIGINT');
await new Promise((r) => server.proc.once('exit', r));
console.log(`\n${route}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.errors} errors\n`);

// The main thread's profile is the largest one.
const file = readdirSync(profiles)
  .map((f) => join(profiles, f))
  .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const time = new Map<number, number>();
profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...time.values()].reduce((a, b) => a + b, 0);

const where = (url: string) =>
  url.includes('node_modules/') ? url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : url.includes('/dist/') ? 'app' : url || '(native)';
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
const bySelf = new Map<string, number>();
const byPackage = new Map<string, number>();
const byTotal = new Map<string, number>();
for (const [id, t] of time) {
  const node = byId.get(id)!;
  bySelf.set(label(node), (bySelf.get(label(node)) ?? 0) + t);
  byPackage.set(where(node.callFrame.url), (byPackage.get(where(node.callFrame.url)) ?? 0) + t);
  const seen = new Set<string>();
  for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
    const l = label(byId.get(up)!);
    if (!seen.has(l)) byTotal.set(l, (byTotal.get(l) ?? 0) + t);
    seen.add(l);
  }
}
const top = (title: string, m: Map<string, number>, n: number) => {
  console.log(title);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((v / total) * 100).toFixed(1).padStart(6)}%  ${k}`);
  console.log('');
};
top('self time by package', byPackage, 15);
top('self time by function', bySelf, 25);
top('time including callees', byTotal, 40);
console.log(`profile: ${file} (open in Chrome DevTools, Performance tab)`);
console.log('note: with autocannon on the same machine, samples taken while the server waits for a core land on whatever it was running; check a finding with a direct timing before acting on it.');
