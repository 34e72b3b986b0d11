import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { emailChannel } from '../../server/handoff/channels/email.ts';
import { freshdeskChannel } from '../../server/handoff/channels/freshdesk.ts';
import { channelsFromConfig } from '../../server/handoff/channels/index.ts';
import { retryAfterMs } from '../../server/handoff/channels/http.ts';
import { verifyWebhook, webhookChannel } from '../../server/handoff/channels/webhook.ts';
import { zendeskChannel } from '../../server/handoff/channels/zendesk.ts';
import { handoffConfigSchema } from '../../server/handoff/config.ts';
import { DeliveryError } from '../../server/handoff/story.ts';
import { handoffStory, handoffT } from '../support/handoff-story.ts';
import { parseMail, startSmtp as startSmtpServer } from '../support/mail.ts';
import type { SMTPServerOptions } from 'smtp-server';

const t = handoffT();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** What a failed delivery threw, for assertions on `permanent` and `retryAfterMs`. */
async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

// ---------------------------------------------------------------- SMTP

async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const smtp = await startSmtpServer(options);
  closers.push(smtp.close);
  return smtp;
}

describe('email channel', () => {
  it('sends the hand-off to the support team through a real SMTP server: ref in the subject, replies to the person', async () => {
    const { port, received } = await startSmtp();
    const channel = emailChannel({ url: `smtp://mailer:s3cret@127.0.0.1:${port}`, to: 'support@example.com', from: 'Mailhelp <noreply@example.com>' }, t);
    const story = handoffStory();
    expect(await channel.deliver(story, { id: 'dlv_1', attempt: 1 })).toEqual({});

    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['support@example.com']);
    expect(received[0]!.from).toBe('noreply@example.com');
    const mail = parseMail(received[0]!.raw);
    expect(mail.headers.get('subject')).toBe('[K7Q-4M2] I did not get the email');
    expect(mail.headers.get('reply-to')).toBe('Anna Schmidt <anna@example.de>');
    expect(mail.headers.get('message-id')).toBe('<dlv_1@mailhelp>');

    expect(mail.text).toContain('> Still nothing after two days.');
    expect(mail.text).toContain('Reply to: Anna Schmidt <anna@example.de>');
    expect(mail.text).toContain('Language: German');
    expect(mail.text).toContain('Outcome: Handed to support — Contact support');
    expect(mail.text).toContain('Answer: Checked example.de');
    expect(mail.text).toContain('- example.de: include_missing');
    expect(mail.text).toContain('Open in the console: https://help.example.com/agent/sessions/ses_7d1c9e0b');

    expect(mail.html).toContain('Still nothing after two days.');
    expect(mail.html).toContain('<li>Answer: Checked example.de</li>');
    expect(mail.html).toContain('href="https://help.example.com/agent/sessions/ses_7d1c9e0b"');
    // The person's markup arrives as text, never as markup.
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(mail.html).not.toContain('<script');
  });

  it('writes its labels in the story language, and the same Message-ID on every attempt of one delivery', async () => {
    const { port, received } = await startSmtp({ authOptional: true });
    const channel = emailChannel({ url: `smtp://127.0.0.1:${port}`, to: 'support@example.com', from: 'noreply@example.com' }, t);
    const story = handoffStory({ storyLng: 'de', email: null, name: null, checks: [], consoleUrl: null, flowTitle: 'Keine E-Mail – was tun?' });
    await channel.deliver(story, { id: 'dlv_2', attempt: 1 });
    await channel.deliver(story, { id: 'dlv_2', attempt: 2 });
    const [first, second] = received.map((r) => parseMail(r.raw));
    expect(first!.headers.get('subject')).toBe('[K7Q-4M2] Keine E-Mail – was tun?');
    expect(second!.headers.get('message-id')).toBe(first!.headers.get('message-id'));
    expect(first!.headers.has('reply-to')).toBe(false);
    // Labels in German, from the locales; no checks and no console link when the story has none.
    const de = (key: string) => t(key, { lng: 'de' });
    expect(first!.text).toContain(`${de('handoff.email.language')}: Deutsch`);
    expect(first!.text).toContain('An den Support übergeben');
    expect(first!.text).not.toContain(de('handoff.email.checks'));
    expect(first!.text).not.toContain(de('handoff.email.console'));
  });

  it('a name with line breaks cannot add a header or a recipient', async () => {
    const { port, received } = await startSmtp({ authOptional: true });
    const channel = emailChannel({ url: `smtp://127.0.0.1:${port}`, to: 'support@example.com', from: 'noreply@example.com' }, t);
    await channel.deliver(handoffStory({ name: 'Anna\r\nBcc: evil@example.com', flowTitle: 'Title\r\nX-Evil: 1' }), { id: 'd', attempt: 1 });
    expect(received[0]!.to).toEqual(['support@example.com']);
    const mail = parseMail(received[0]!.raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(mail.headers.get('reply-to')).toBe('"Anna Bcc: evil@example.com" <anna@example.de>');
  });

  it('a 4xx reply is worth another try, a 5xx reply is final, and so are wrong credentials', async () => {
    const later = await startSmtp({
      authOptional: true,
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => cb(Object.assign(new Error('Try again later'), { responseCode: 451 })));
      },
    });
    const never = await startSmtp({
      authOptional: true,
      onRcptTo(_a, _s, cb) {
        cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
      },
    });
    const send = (url: string) => emailChannel({ url, to: 'support@example.com', from: 'noreply@example.com' }, t).deliver(handoffStory(), { id: 'd', attempt: 1 });

    const temporary = await failure(send(`smtp://127.0.0.1:${later.port}`));
    expect(temporary.options.permanent).toBeFalsy();
    expect(temporary.message).toMatch(/451/);

    const rejected = await failure(send(`smtp://127.0.0.1:${never.port}`));
    expect(rejected.options.permanent).toBe(true);
    expect(rejected.message).toMatch(/550|No such user/);

    const badLogin = await failure(send(`smtp://mailer:wrong@127.0.0.1:${later.port}`));
    expect(badLogin.options.permanent).toBe(true);
  });

  it('a server that is not there is worth another try', async () => {
    const gone = await startSmtp({ authOptional: true });
    const url = `smtp://127.0.0.1:${gone.port}`;
    await closers.pop()!();
    const err = await failure(emailChannel({ url, to: 'support@example.com', from: 'noreply@example.com' }, t).deliver(handoffStory(), { id: 'd', attempt: 1 }));
    expect(err.options.permanent).toBeFalsy();
  });
});

// ---------------------------------------------------------------- HTTP receivers

interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 answering each request with `answer` (or leaving it hanging when it returns null). */
async function startReceiver(answer: (hit: Hit, res: ServerResponse) => void | null) {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      answer(hit, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const SECRET = `whsec_${Buffer.from('a-test-secret-of-32-bytes-length').toString('base64')}`;

describe('webhook channel', () => {
  it('POSTs the documented body, signed per Standard Webhooks, with the same webhook-id on every attempt', async () => {
    const receiver = await startReceiver((_hit, res) => json(res, 204, {}));
    const channel = webhookChannel({ url: `${receiver.url}/hooks/handoff`, secret: SECRET });
    const story = handoffStory();
    expect(await channel.deliver(story, { id: 'dlv_7', attempt: 1 })).toEqual({});
    await channel.deliver(story, { id: 'dlv_7', attempt: 2 });

    const [first, second] = receiver.hits;
    expect(first!.method).toBe('POST');
    expect(first!.url).toBe('/hooks/handoff');
    expect(first!.headers['content-type']).toBe('application/json');
    const payload = new Webhook(SECRET).verify(first!.body, first!.headers as Record<string, string>);
    expect(payload).toEqual({
      type: 'handoff.created',
      handoff: {
        id: story.id,
        sessionId: story.sessionId,
        ref: 'K7Q-4M2',
        flowId: 'participant-no-email',
        flowVersion: story.flowVersion,
        lng: 'de',
        outcome: 'escalated',
        stepId: 'contactSupport',
        message: story.message,
        email: 'anna@example.de',
        name: 'Anna Schmidt',
        createdAt: story.createdAt,
        transcript: story.transcript,
        checks: story.checks,
        consoleUrl: story.consoleUrl,
      },
    });
    expect(first!.headers['webhook-id']).toBe('msg_dlv_7');
    expect(second!.headers['webhook-id']).toBe('msg_dlv_7');
    expect(second!.body).toBe(first!.body);

    // The wrapper for status callbacks accepts this signature and refuses a tampered body or another secret.
    expect(verifyWebhook(SECRET, first!.headers, first!.body)).toEqual(payload);
    expect(() => verifyWebhook(SECRET, first!.headers, first!.body.replace('K7Q-4M2', 'K7Q-4M3'))).toThrow();
    const other = `whsec_${Buffer.from('another-secret-of-32-bytes-lengt').toString('base64')}`;
    expect(() => verifyWebhook(other, first!.headers, first!.body)).toThrow();
  });

  it('500 and 429 are retried (Retry-After honoured), any other 4xx is final', async () => {
    const answers: [number, Record<string, string>][] = [
      [500, {}],
      [429, { 'retry-after': '7' }],
      [400, {}],
      [503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }],
    ];
    const receiver = await startReceiver((_hit, res) => {
      const [status, headers] = answers.shift()!;
      json(res, status, { error: 'nope' }, headers);
    });
    const deliver = () => webhookChannel({ url: receiver.url, secret: SECRET }).deliver(handoffStory(), { id: 'd', attempt: 1 });

    const serverError = await failure(deliver());
    expect(serverError.options).toEqual({});
    expect(serverError.message).toContain('HTTP 500');

    const limited = await failure(deliver());
    expect(limited.options).toEqual({ retryAfterMs: 7000 });

    const bad = await failure(deliver());
    expect(bad.options.permanent).toBe(true);

    const unavailable = await failure(deliver());
    expect(unavailable.options.retryAfterMs).toBeGreaterThan(50_000);
    expect(unavailable.options.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('a receiver that never answers is a failure to retry once the timeout passes', async () => {
    const receiver = await startReceiver(() => null);
    const started = Date.now();
    const err = await failure(webhookChannel({ url: receiver.url, secret: SECRET, timeoutMs: 300 }).deliver(handoffStory(), { id: 'd', attempt: 1 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.options.permanent).toBeFalsy();
    expect(err.message).toContain('no answer within 300 ms');
  });

  it('a redirect is not followed: the URL is for the administrator to fix', async () => {
    const receiver = await startReceiver((_hit, res) => {
      res.writeHead(301, { location: 'https://elsewhere.example/hook' });
      res.end();
    });
    const err = await failure(webhookChannel({ url: receiver.url, secret: SECRET }).deliver(handoffStory(), { id: 'd', attempt: 1 }));
    expect(err.options.permanent).toBe(true);
    expect(receiver.hits).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- Zendesk

describe('Zendesk channel', () => {
  const auth = `Basic ${Buffer.from('agent@example.com/token:zd-token').toString('base64')}`;

  /** Answers as Zendesk's Create Ticket does, after checking the request has the documented shape. */
  async function fakeZendesk(plan: ((hit: Hit, res: ServerResponse) => boolean)[] = []) {
    return startReceiver((hit, res) => {
      if (hit.method !== 'POST' || hit.url !== '/api/v2/tickets.json') return json(res, 404, { error: 'InvalidEndpoint' });
      if (hit.headers.authorization !== auth) return json(res, 401, { error: "Couldn't authenticate you" });
      if (hit.headers['content-type'] !== 'application/json') return json(res, 415, { error: 'Unsupported media type' });
      const step = plan.shift();
      if (step && step(hit, res)) return;
      const { ticket } = JSON.parse(hit.body) as { ticket: Record<string, unknown> };
      if (!ticket.subject || !(ticket.comment as { html_body?: string })?.html_body)
        return json(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description: 'Comment: cannot be blank' }] } });
      json(res, 201, { ticket: { id: 35436, url: 'https://acme.zendesk.com/api/v2/tickets/35436.json', ...ticket } }, { location: 'https://acme.zendesk.com/api/v2/tickets/35436.json' });
    });
  }
  const channel = (baseUrl: string, apiToken = 'zd-token') => zendeskChannel({ subdomain: 'acme', email: 'agent@example.com', apiToken, baseUrl }, t);

  it('creates a ticket with the requester, tags, transcript as the first comment and the delivery id as Idempotency-Key', async () => {
    const zendesk = await fakeZendesk();
    const story = handoffStory();
    const result = await channel(zendesk.url).deliver(story, { id: 'dlv_z1', attempt: 1 });
    expect(result).toEqual({ externalId: '35436', externalUrl: 'https://acme.zendesk.com/agent/tickets/35436' });

    const hit = zendesk.hits[0]!;
    expect(hit.headers['idempotency-key']).toBe('dlv_z1');
    const { ticket } = JSON.parse(hit.body) as { ticket: Record<string, unknown> & { comment: { html_body: string } } };
    expect(ticket.subject).toBe('[K7Q-4M2] I did not get the email');
    expect(ticket.requester).toEqual({ email: 'anna@example.de', name: 'Anna Schmidt' });
    expect(ticket.tags).toEqual(['mailhelp', 'participant-no-email']);
    expect(ticket.external_id).toBe(story.id);
    expect(ticket.comment.html_body).toContain('<li>Answer: Checked example.de</li>');
    expect(ticket.comment.html_body).toContain('&lt;script&gt;');
    expect(ticket.comment.html_body).not.toContain('<script');
  });

  it('without an address the ticket has no requester of its own (Zendesk makes the API user the requester)', async () => {
    const zendesk = await fakeZendesk();
    await channel(zendesk.url).deliver(handoffStory({ email: null, name: null }), { id: 'd', attempt: 1 });
    const { ticket } = JSON.parse(zendesk.hits[0]!.body) as { ticket: Record<string, unknown> };
    expect(ticket).not.toHaveProperty('requester');
  });

  it('429 waits for Retry-After; 422, 401 and 403 are final and say why', async () => {
    const zendesk = await fakeZendesk([
      (_h, res) => (json(res, 429, { error: 'TooManyRequests' }, { 'retry-after': '93' }), true),
      (_h, res) => (json(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { requester: [{ description: 'Requester: Email is invalid' }] } }), true),
      (_h, res) => (json(res, 403, { error: 'Forbidden', description: 'You do not have access to this page.' }), true),
      (_h, res) => (json(res, 409, { error: 'ConflictError' }), true),
    ]);
    const deliver = (apiToken?: string) => channel(zendesk.url, apiToken).deliver(handoffStory(), { id: 'd', attempt: 1 });

    expect((await failure(deliver())).options).toEqual({ retryAfterMs: 93_000 });
    const invalid = await failure(deliver());
    expect(invalid.options.permanent).toBe(true);
    expect(invalid.message).toContain('Requester: Email is invalid');
    expect((await failure(deliver())).options.permanent).toBe(true);
    // Another attempt with the same key still running: not final.
    expect((await failure(deliver())).options.permanent).toBeFalsy();
    const unauthorised = await failure(deliver('wrong'));
    expect(unauthorised.options.permanent).toBe(true);
    expect(unauthorised.message).toContain("HTTP 401: Couldn't authenticate you");
  });
});

// ---------------------------------------------------------------- Freshdesk

describe('Freshdesk channel', () => {
  const auth = `Basic ${Buffer.from('fd-key:X').toString('base64')}`;

  /** Answers as Freshdesk's Create a Ticket does, after checking the request has the documented shape. */
  async function fakeFreshdesk(plan: ((hit: Hit, res: ServerResponse) => boolean)[] = []) {
    return startReceiver((hit, res) => {
      if (hit.method !== 'POST' || hit.url !== '/api/v2/tickets') return json(res, 404, { code: 'invalid_url' });
      if (hit.headers.authorization !== auth) return json(res, 401, { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' });
      const step = plan.shift();
      if (step && step(hit, res)) return;
      const ticket = JSON.parse(hit.body) as Record<string, unknown>;
      const errors: { field: string; message: string; code: string }[] = [];
      if (!ticket.email && !ticket.phone && !ticket.requester_id && !ticket.unique_external_id)
        errors.push({ field: 'requester_id', message: 'Please fill at least 1 of email, mobile, phone, requester_id, twitter_id, unique_external_id fields.', code: 'missing_field' });
      if (typeof ticket.description !== 'string') errors.push({ field: 'description', message: 'It should be a/an String', code: 'missing_field' });
      if (errors.length) return json(res, 400, { description: 'Validation failed', errors });
      json(res, 201, { id: 1042, ...ticket, created_at: '2026-12-02T10:16:00Z' });
    });
  }
  const channel = (baseUrl: string, apiKey = 'fd-key') => freshdeskChannel({ domain: 'acme', apiKey, baseUrl }, t);

  it('creates an open ticket for the person, tagged, the whole story as its description', async () => {
    const freshdesk = await fakeFreshdesk();
    const result = await channel(freshdesk.url).deliver(handoffStory(), { id: 'dlv_f1', attempt: 1 });
    expect(result).toEqual({ externalId: '1042', externalUrl: 'https://acme.freshdesk.com/a/tickets/1042' });
    const ticket = JSON.parse(freshdesk.hits[0]!.body) as Record<string, unknown>;
    expect(ticket).toMatchObject({
      subject: '[K7Q-4M2] I did not get the email',
      email: 'anna@example.de',
      name: 'Anna Schmidt',
      status: 2,
      priority: 1,
      tags: ['mailhelp', 'participant-no-email'],
    });
    expect(ticket.description).toContain('<li>Answer: Checked example.de</li>');
    expect(ticket.description).not.toContain('<script');
  });

  it('without an address the session is the contact (unique_external_id), so Freshdesk accepts the ticket', async () => {
    const freshdesk = await fakeFreshdesk();
    await channel(freshdesk.url).deliver(handoffStory({ email: null, name: null }), { id: 'd', attempt: 1 });
    const ticket = JSON.parse(freshdesk.hits[0]!.body) as Record<string, unknown>;
    expect(ticket).toMatchObject({ unique_external_id: 'mailhelp-ses_7d1c9e0b', name: 'mailhelp K7Q-4M2' });
    expect(ticket).not.toHaveProperty('email');
  });

  it('429 waits for Retry-After; a validation error and bad credentials are final and say why', async () => {
    const freshdesk = await fakeFreshdesk([
      (_h, res) => (json(res, 429, { message: 'You have exceeded the limit of requests per hour' }, { 'retry-after': '60' }), true),
      (_h, res) => (json(res, 400, { description: 'Validation failed', errors: [{ field: 'email', message: 'It should be a valid email address', code: 'invalid_value' }] }), true),
    ]);
    const deliver = (apiKey?: string) => channel(freshdesk.url, apiKey).deliver(handoffStory(), { id: 'd', attempt: 1 });
    expect((await failure(deliver())).options).toEqual({ retryAfterMs: 60_000 });
    const invalid = await failure(deliver());
    expect(invalid.options.permanent).toBe(true);
    expect(invalid.message).toContain('email: It should be a valid email address');
    const unauthorised = await failure(deliver('wrong'));
    expect(unauthorised.options.permanent).toBe(true);
    expect(unauthorised.message).toContain('You have to be logged in');
  });
});

// ---------------------------------------------------------------- configuration

describe('channels from the configuration', () => {
  const email = { SMTP_URL: 'smtp://u:p@mail.example.com:587', HANDOFF_EMAIL_TO: 'support@example.com', HANDOFF_EMAIL_FROM: 'Mailhelp <noreply@example.com>' };
  const webhook = { HANDOFF_WEBHOOK_URL: 'https://hooks.example.com/mailhelp', HANDOFF_WEBHOOK_SECRET: SECRET };
  const zendesk = { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'agent@example.com', ZENDESK_API_TOKEN: 'tok' };
  const freshdesk = { FRESHDESK_DOMAIN: 'acme', FRESHDESK_API_KEY: 'key' };
  const names = (env: Record<string, string>) => channelsFromConfig(handoffConfigSchema.parse(env), t).map((c) => c.name);

  it('turns on each channel whose variables are all set, and none without', () => {
    expect(names({})).toEqual([]);
    expect(names({ ...email, ...freshdesk })).toEqual(['email', 'freshdesk']);
    expect(names({ ...email, ...webhook, ...zendesk, ...freshdesk })).toEqual(['email', 'webhook', 'zendesk', 'freshdesk']);
  });

  it('refuses a half-configured channel in one line naming the missing variable', () => {
    expect(() => names({ SMTP_URL: email.SMTP_URL })).toThrow(/^invalid configuration: HANDOFF_EMAIL_TO, HANDOFF_EMAIL_FROM must be set too/);
    expect(() => names({ ...email, HANDOFF_WEBHOOK_URL: webhook.HANDOFF_WEBHOOK_URL })).toThrow(/HANDOFF_WEBHOOK_SECRET must be set too/);
    expect(() => names({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'agent@example.com' })).toThrow(/ZENDESK_API_TOKEN must be set too/);
  });

  it('refuses values that cannot work, naming the variable', () => {
    const problems = (env: Record<string, string>) => handoffConfigSchema.safeParse(env).error?.issues.map((i) => i.path.join('.'));
    expect(problems({ SMTP_URL: 'http://mail.example.com' })).toEqual(['SMTP_URL']);
    expect(problems({ HANDOFF_WEBHOOK_SECRET: 'hunter2' })).toEqual(['HANDOFF_WEBHOOK_SECRET']);
    expect(problems({ ZENDESK_SUBDOMAIN: 'evil.example/x?' })).toEqual(['ZENDESK_SUBDOMAIN']);
    expect(problems({ FRESHDESK_DOMAIN: 'acme.freshdesk.com' })).toEqual(['FRESHDESK_DOMAIN']);
    expect(problems({ HANDOFF_WEBHOOK_URL: 'ftp://x' })).toEqual(['HANDOFF_WEBHOOK_URL']);
    expect(problems({ ...email, ...webhook, ...zendesk, ...freshdesk })).toBeUndefined();
  });
});
