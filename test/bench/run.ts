/**
 * `npm run bench`: measures what the project promises, on a temporary database, and prints each figure with its
 * target. Writes the same figures as JSON (bench-results.json, or BENCH_OUT) for comparing runs. Exits non-zero
 * only when the run itself failed, never because a target was missed: a missed target is a finding to report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listen, tempDir, testApp } from '../support/app.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: number;
  /** For targets that are ceilings: the figure must stay at or under the target. */
  within?: boolean;
}

const figures: Figure[] = [];
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
} finally {
  await server.stop();
  await app.close();
  tmp.remove();
}

const width = Math.max(...figures.map((f) => f.name.length));
for (const f of figures) {
  const verdict = f.target === undefined ? '' : `  target ${f.within ? '≤' : '≥'} ${f.target} ${f.unit}: ${(f.within ? f.value <= f.target : f.value >= f.target) ? 'met' : 'MISSED'}`;
  console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(8)} ${f.unit}${verdict}`);
}
const out = process.env.BENCH_OUT ?? 'bench-results.json';
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, figures }, null, 2) + '\n');
console.log(`\nfigures written to ${out}`);
