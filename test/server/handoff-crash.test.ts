import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { tempDir } from '../support/app.ts';
import { startChildServer } from '../support/child-server.ts';
import { startWebhookReceiver, WEBHOOK_SECRET } from '../support/webhook-receiver.ts';

/*
 * A hand-off acknowledged (202) is delivered even when the server is killed with SIGKILL right after: the delivery
 * was written with the hand-off, and the restarted server's outbox sends it, once.
 */

const tmp = tempDir('mailhelp-handoff-crash-');
afterAll(() => tmp.remove());

const json = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

describe('hand-offs survive a crash', () => {
  it('SIGKILL after the 202: the restarted server delivers the webhook, once', { timeout: 60_000 }, async () => {
    // The receiver is down (503) while the first server runs: it can only fail to deliver before it dies.
    const hook = await startWebhookReceiver(WEBHOOK_SECRET, { down: true });
    const env = {
      DB_PATH: join(tmp.dir, 'handoff.db'),
      HANDOFF_WEBHOOK_URL: hook.url,
      HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET,
      HANDOFF_RETRY_BASE_MS: '200',
    };

    const first = await startChildServer(env);
    const started = await json(`${first.url}/api/sessions`, { flowId: 'participant-no-email', lng: 'de' });
    for (const type of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED']) await json(`${first.url}/api/sessions/${started.body.sessionId}/events`, { type });
    const sent = await json(`${first.url}/api/sessions/${started.body.sessionId}/handoff`, { message: 'Der Link kam nie an.', email: 'anna@example.de' });
    expect(sent.status).toBe(202);
    // Killed once its first attempt has failed (the receiver is not up) and the delivery waits for its next: not
    // mid-attempt, where the lease would hold it for two minutes (that case: test/server/handoff-store.test.ts).
    const watcher = createSqliteStore(env.DB_PATH);
    try {
      for (let i = 0; i < 400; i++) {
        const d = (await watcher.handoffs.get(sent.body.handoff.id))?.deliveries[0];
        if (d && d.attempts >= 1) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      first.proc.kill('SIGKILL');
      await first.exited;
      expect((await watcher.handoffs.get(sent.body.handoff.id))?.deliveries[0]).toMatchObject({ status: 'pending', sentAt: null });
    } finally {
      await watcher.close();
    }

    const refused = hook.requests;
    hook.up();
    const second = await startChildServer(env);
    try {
      const end = Date.now() + 20_000;
      while (hook.received.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(hook.received).toHaveLength(1);
      expect((hook.received[0]!.body as { handoff: { id: string } }).handoff.id).toBe(sent.body.handoff.id);
      // Given time to send it again, it does not.
      await new Promise((r) => setTimeout(r, 700));
      expect(hook.requests - refused).toBe(1);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
      await hook.close();
    }
    const store = createSqliteStore(env.DB_PATH);
    try {
      const handoff = await store.handoffs.get(sent.body.handoff.id);
      expect(handoff?.deliveries.map((d) => d.status)).toEqual(['sent']);
    } finally {
      await store.close();
    }
  });
});
