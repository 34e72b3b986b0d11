import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import de from '../../locales/de/common.json' with { type: 'json' };
import type { AppOptions } from '../../server/http/app.ts';
import type { TestApp } from '../support/app.ts';
import { useTempFiles } from '../support/app.ts';
import { syncedApp } from '../support/content.ts';
import { parseMail, startSmtp } from '../support/mail.ts';
import { startWebhookReceiver, WEBHOOK_SECRET } from '../support/webhook-receiver.ts';

/*
 * A hand-off end to end, with real peers on 127.0.0.1: a German participant reaches an escalated ending and asks
 * support for help; the outbox delivers the email through a real SMTP server and the signed webhook to a real HTTP
 * receiver that verifies it; a receiver that is down is tried again until it takes the delivery, once.
 */

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
const file = useTempFiles();

async function app(config: NonNullable<AppOptions['config']>): Promise<TestApp> {
  // Short waits: a failed attempt is tried again after about 50 ms instead of 30 s.
  const t = await syncedApp(file(), { config: { HANDOFF_RETRY_BASE_MS: 100, ...config }, outbox: { pollMs: 50, random: () => 0 } });
  t.app.locals.ctx.outbox.start();
  closers.push(async () => {
    await t.app.locals.ctx.outbox.stop();
    await t.close();
  });
  return t;
}

/** A German session of participant-no-email at its escalated ending (the login link failed), through the API. */
async function escalated(t: TestApp): Promise<{ id: string; ref: string }> {
  const started = await request(t.app).post('/api/sessions').send({ flowId: 'participant-no-email', lng: 'de' }).expect(201);
  for (const type of ['OVER_A_MINUTE', 'NOT_IN_SPAM', 'LINK_FAILED'])
    await request(t.app).post(`/api/sessions/${started.body.sessionId}/events`).send({ type }).expect(200);
  return { id: started.body.sessionId, ref: started.body.ref };
}

const until = async (done: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('a hand-off is delivered', () => {
  it('by email and signed webhook, written in the support team\'s language, with the ref and a reply address', async () => {
    const smtp = await startSmtp();
    closers.push(smtp.close);
    const hook = await startWebhookReceiver(WEBHOOK_SECRET);
    closers.push(hook.close);
    const t = await app({
      SMTP_URL: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}`,
      HANDOFF_EMAIL_TO: 'support@example.com',
      HANDOFF_EMAIL_FROM: 'Mailhelp <noreply@example.com>',
      HANDOFF_WEBHOOK_URL: hook.url,
      HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET,
      HANDOFF_LANGUAGE: 'de',
      PUBLIC_URL: 'https://help.example.com',
    });
    const session = await escalated(t);
    const handoff = await t.app.locals.ctx.handoffs.request(session.id, { message: 'Der Link kam nie an.', email: 'anna@example.de', name: 'Anna Beispiel' });
    await until(() => smtp.received.length === 1 && hook.received.length === 1);

    const mail = parseMail(smtp.received[0]!.raw);
    expect(mail.headers.get('subject')).toContain(`[${session.ref}]`);
    expect(mail.headers.get('reply-to')).toBe('Anna Beispiel <anna@example.de>');
    // The transcript in German, with the agents' wording of the steps the person took.
    expect(mail.text).toContain(de.handoff.email.transcript);
    expect(mail.text).toContain(handoff.story.transcript[0]!.title);
    expect(mail.text).toContain('Der Link kam nie an.');
    expect(mail.html).toContain(`https://help.example.com/agent/s/${session.id}`);

    const body = hook.received[0]!.body as { type: string; handoff: Record<string, unknown> };
    expect(body.type).toBe('handoff.created');
    expect(body.handoff).toMatchObject({ id: handoff.id, sessionId: session.id, ref: session.ref, lng: 'de', outcome: 'escalated', email: 'anna@example.de' });
    expect(hook.received[0]!.id).toBe(`msg_${handoff.deliveries.find((d) => d.channel === 'webhook')!.id}`);

    // Both recorded as sent; nothing is sent again.
    await until(() => false, 300).catch(() => undefined);
    const stored = (await t.store.handoffs.get(handoff.id))!;
    expect(stored.deliveries.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['email', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
    expect(smtp.received).toHaveLength(1);
    expect(hook.requests).toBe(1);
  });

  it('to a receiver that is down for the first two attempts: once, on the third', async () => {
    const hook = await startWebhookReceiver(WEBHOOK_SECRET, { failFirst: 2 });
    closers.push(hook.close);
    const t = await app({ HANDOFF_WEBHOOK_URL: hook.url, HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const session = await escalated(t);
    const handoff = await t.app.locals.ctx.handoffs.request(session.id, { message: 'Hilfe', email: 'anna@example.de' });
    await until(() => hook.received.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.requests).toBe(3);
    expect(hook.received).toHaveLength(1);
    const [delivery] = (await t.store.handoffs.get(handoff.id))!.deliveries;
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('fails for good after its last attempt, shows why, and goes once an administrator retries it', async () => {
    const hook = await startWebhookReceiver(WEBHOOK_SECRET, { failFirst: 2 });
    closers.push(hook.close);
    const t = await app({ HANDOFF_WEBHOOK_URL: hook.url, HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET, HANDOFF_MAX_ATTEMPTS: 2 });
    const session = await escalated(t);
    const handoff = await t.app.locals.ctx.handoffs.request(session.id, { message: 'Hilfe', email: 'anna@example.de' });
    await until(() => hook.requests === 2);
    await new Promise((r) => setTimeout(r, 200));
    const [failed] = await t.store.handoffs.failed(10);
    expect(failed).toMatchObject({ handoffId: handoff.id, channel: 'webhook', status: 'failed', attempts: 2, ref: session.ref });
    expect(failed!.lastError).toMatch(/503/);
    expect(hook.received).toHaveLength(0);

    expect(await t.store.handoffs.retry(failed!.id)).toBe(true);
    t.app.locals.ctx.outbox.kick();
    await until(() => hook.received.length === 1);
    expect((await t.store.handoffs.failed(10)).length).toBe(0);
  });
});
