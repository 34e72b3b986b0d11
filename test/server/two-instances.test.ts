import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { retitled } from '../support/content.ts';

/*
 * Two server processes on one database file, as two instances behind a load balancer: what one publishes, the
 * other serves without a restart (it polls every FLOW_POLL_MS, 2 s by default), and publishes through both at the
 * same moment get numbers of their own.
 */

const TOKEN = 'two-instances-admin-token';
const dir = tempDir();
let a: ChildServer;
let b: ChildServer;

beforeAll(async () => {
  const env = { DB_PATH: join(dir.dir, 'shared.db'), ADMIN_TOKEN: TOKEN, SESSIONS_PER_MINUTE: '100000' };
  // One after the other: the first start fills the empty database, the second finds it filled.
  a = await startChildServer(env);
  b = await startChildServer(env);
}, 60_000);

afterAll(async () => {
  for (const server of [a, b]) if (server) (server.proc.kill('SIGTERM'), await server.exited);
  dir.remove();
});

const admin = (server: ChildServer, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });

/** The English title of the first step a new session of participant-no-email shows on `server`. */
async function firstTitle(server: ChildServer): Promise<string> {
  const res = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ flowId: 'participant-no-email', lng: 'en' }),
  });
  return ((await res.json()) as { step: { title: string } }).step.title;
}

describe('two instances on one database', () => {
  it('a version published through one is served by the other without a restart', { timeout: 10_000 }, async () => {
    const title = 'Published on instance A';
    expect(await firstTitle(b)).not.toBe(title);
    const draft = (await (await admin(a, '/api/admin/flows/participant-no-email/drafts', retitled(title))).json()) as { draft: { id: number } };
    const published = await admin(a, '/api/admin/flows/participant-no-email/publish', { draft: draft.draft.id, note: 'from A' });
    expect(published.status).toBe(201);
    expect(await firstTitle(a)).toBe(title);
    // No timing is asserted beyond the test's own timeout: B polls, and the title arrives.
    while ((await firstTitle(b)) !== title) await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('publishes through both at the same moment get distinct, consecutive numbers', { timeout: 20_000 }, async () => {
    const drafts = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = await admin(i % 2 ? a : b, '/api/admin/flows/participant-no-email/drafts', retitled(`Concurrent ${i}`));
        return { server: i % 2 ? a : b, id: ((await res.json()) as { draft: { id: number } }).draft.id };
      }),
    );
    const results = await Promise.all(drafts.map((d) => admin(d.server, '/api/admin/flows/participant-no-email/publish', { draft: d.id })));
    const bodies = (await Promise.all(results.map((r) => r.json()))) as { number: number }[];
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    const numbers = bodies.map((v) => v.number).sort((x, y) => x - y);
    expect(new Set(numbers).size).toBe(10);
    expect(numbers.at(-1)! - numbers[0]!).toBe(9);
  });
});
