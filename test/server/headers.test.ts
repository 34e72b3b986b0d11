import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { analyzeHeaders, headerVerdicts, NoHeadersError } from '../../server/checks/headers.ts';
import { headersFor } from '../support/header-samples.ts';
import { SAMPLE_HEADER_VERDICTS } from '../support/walk.ts';
import { readHeaders } from '../../server/checks/headers/text.ts';
import { startDnsServer } from '../support/dns-server.ts';
import { asReceived, dkimKey, senderZone, signedMessage, SENDER } from '../support/signed-mail.ts';

const key = dkimKey();
let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
let dns: ReturnType<typeof createDns>;
beforeAll(async () => {
  dnsServer = await startDnsServer(senderZone(key.record));
  dns = createDns({ servers: [dnsServer.server], timeoutMs: 500, cacheMs: 0 });
});
afterAll(() => dnsServer.close());

const fixture = (name: string) => readFileSync(new URL(`../fixtures/headers/${name}`, import.meta.url), 'utf8');

describe('messages signed here, keys in the test zone', () => {
  it('a message the receiver passed: SPF, DKIM (with selector and domain) and DMARC pass', async () => {
    const report = await analyzeHeaders(dns, await asReceived(dns, await signedMessage(key.privateKey)));
    expect(report.spf).toMatchObject({ status: 'pass', ip: '192.0.2.10', domain: SENDER, receiver: 'pass', now: 'pass' });
    expect(report.dkim.status).toBe('pass');
    expect(report.dkim.signatures).toEqual([
      expect.objectContaining({ domain: SENDER, selector: 's1', key: 'found', headers: 'valid', receiver: 'pass', status: 'pass' }),
    ]);
    expect(report.dmarc).toMatchObject({ status: 'pass', receiver: 'pass', policy: 'reject', spfAligned: true, dkimAligned: true, spfMode: 'relaxed' });
    expect(report.receiver?.authserv).toBe('mx.recipient.example.net');
  });

  it('without the receiver\'s verdict the header signature is checked, and the body honestly left unverified', async () => {
    const report = await analyzeHeaders(dns, await signedMessage(key.privateKey));
    expect(report.dkim.signatures[0]).toMatchObject({ key: 'found', headers: 'valid', receiver: null, status: 'unverified' });
    expect(report.dkim.status).toBe('unverified');
    // SPF is evaluated here from the Received field's address and the Return-Path domain.
    expect(report.spf).toMatchObject({ status: 'pass', receiver: null, now: 'pass' });
    expect(report.dmarc).toMatchObject({ status: 'pass', receiver: null, spfAligned: true, dkimAligned: false });
  });

  it('body altered on the way: the receiver, which had the body, says the signature failed', async () => {
    const original = await signedMessage(key.privateKey);
    const altered = original.replace('please answer our survey', 'please answer our survey now');
    const report = await analyzeHeaders(dns, await asReceived(dns, altered));
    expect(report.dkim.signatures[0]).toMatchObject({ headers: 'valid', status: 'fail' });
    expect(report.dkim.status).toBe('fail');
  });

  it('a signed header altered: the signature over the headers no longer holds', async () => {
    const altered = (await signedMessage(key.privateKey)).replace('Subject: Your survey invitation', 'Subject: Your survey invitation!');
    const report = await analyzeHeaders(dns, altered);
    expect(report.dkim.signatures[0]).toMatchObject({ key: 'found', headers: 'invalid', status: 'fail' });
  });

  it('a selector that is not in DNS: the key is missing and DKIM fails', async () => {
    const report = await analyzeHeaders(dns, await signedMessage(key.privateKey, { selector: 'gone' }));
    expect(report.dkim.signatures[0]).toMatchObject({ selector: 'gone', key: 'missing', status: 'fail' });
  });

  it('a From domain neither SPF nor DKIM align with: DMARC fails under that domain\'s policy', async () => {
    const report = await analyzeHeaders(dns, await asReceived(dns, await signedMessage(key.privateKey, { from: 'news@other.example.org' })));
    expect(report.from).toEqual({ address: 'n***@other.example.org', domain: 'other.example.org' });
    expect(report.spf.status).toBe('pass');
    expect(report.dkim.status).toBe('pass');
    expect(report.dmarc).toMatchObject({ status: 'fail', policy: 'quarantine', spfAligned: false, dkimAligned: false });
  });

  it('keeps no body and no whole address', async () => {
    const report = await analyzeHeaders(dns, await asReceived(dns, await signedMessage(key.privateKey)));
    const kept = JSON.stringify(report);
    expect(kept).not.toContain('SECRET-BODY-LINE');
    expect(kept).not.toMatch(/ann@|bo@|bounces@/);
    expect(readHeaders('Subject: x\nFrom: a@b.example\n\nNote: SECRET-BODY-LINE')!.block).not.toContain('SECRET');
    expect(readHeaders('Subject: x\nFrom: a@b.example\n\nNote: SECRET-BODY-LINE')!.fields.map((f) => f.name)).toEqual(['subject', 'from']);
  });
});

describe('text that is not headers', () => {
  it.each(['', 'hello there', 'Note: this is not a header block\nreally not', 'Subject only: no\n'])('%j is refused', async (text) => {
    await expect(analyzeHeaders(dns, text)).rejects.toBeInstanceOf(NoHeadersError);
  });
});

describe('headers as mail programs show them (fixtures written in their formats, addresses made up)', () => {
  it("Gmail's Show original, its summary above: the receiver's verdicts, ARC, and the delay between hops", async () => {
    const report = await analyzeHeaders(dns, fixture('gmail.txt'));
    expect(report.receiver?.authserv).toBe('mx.google.com');
    expect(report.spf).toMatchObject({ status: 'pass', ip: '192.0.2.10', domain: 'shop.example', receiver: 'pass' });
    // The key is not in the test zone: the receiver had it then, and its verdict is the one that counts.
    expect(report.dkim.signatures).toEqual([expect.objectContaining({ domain: 'shop.example', selector: 'mail2026', key: 'missing', receiver: 'pass', status: 'pass' })]);
    expect(report.dmarc).toMatchObject({ status: 'pass', receiver: 'pass' });
    expect(report.arc).toEqual({ instances: 1, receiver: null });
    expect(report.spam.status).toBe('none');
    expect(report.hops.map((h) => h.delaySeconds)).toEqual([null, 9, 1]);
    expect(report.hops[1]).toMatchObject({ from: 'mail.shop.example', by: 'mx.google.com', ip: '192.0.2.10' });
    expect(report.totalDelaySeconds).toBe(10);
    expect(report.from).toEqual({ address: 'n***@shop.example', domain: 'shop.example' });
    expect(JSON.stringify(report)).not.toMatch(/must not be kept|bo\.recipient@|bounce\+news@/);
  });

  it('Outlook / Microsoft 365 Junk: SCL 5 and SFV:SPM are spam; SPF softfail, no DKIM, DMARC fail as Microsoft found them', async () => {
    const report = await analyzeHeaders(dns, fixture('outlook-junk.txt'));
    expect(report.receiver?.authserv).toBeNull();
    expect(report.spf).toMatchObject({ status: 'softfail', ip: '198.51.100.77', domain: 'survey.example' });
    expect(report.dkim.status).toBe('none');
    expect(report.dmarc.status).toBe('fail');
    expect(report.spam).toMatchObject({ status: 'spam', scl: 5, sfv: 'SPM' });
    expect(report.hops.map((h) => h.delaySeconds)).toEqual([null, 17, 1, 1]);
  });

  it('Exchange quarantine: SCL 9 is spam even with SPF, DKIM and DMARC passing', async () => {
    const report = await analyzeHeaders(dns, fixture('exchange-quarantine.txt'));
    expect(report.spf).toMatchObject({ status: 'pass', ip: '203.0.113.45', receiver: 'pass' });
    expect(report.dkim).toMatchObject({ status: 'pass', signatures: [expect.objectContaining({ domain: 'invite.example', selector: 'k2026', receiver: 'pass' })] });
    expect(report.dmarc.status).toBe('pass');
    expect(report.spam).toMatchObject({ status: 'spam', scl: 9, sfv: 'SPM', sources: ['X-Forefront-Antispam-Report', 'X-MS-Exchange-Organization-SCL'] });
  });

  it('SpamAssassin: X-Spam-Status Yes with its score; the sender is the hop from outside, not the local one', async () => {
    const report = await analyzeHeaders(dns, fixture('spamassassin.txt'));
    expect(report.spam).toMatchObject({ status: 'spam', score: 6.2, required: 5 });
    expect(report.spf.ip).toBe('198.51.100.200');
  });

  it('SCL alone decides where the filter gave no SFV: 5 and up is spam, below is clean', async () => {
    const at = (scl: number) => fixture('outlook-junk.txt').replace('SFV:SPM', 'SFV:NSPM').replace(/SCL:5/g, `SCL:${scl}`).replace('X-MS-Exchange-Organization-SCL: 5', `X-MS-Exchange-Organization-SCL: ${scl}`);
    expect((await analyzeHeaders(dns, at(5))).spam.status).toBe('spam');
    expect((await analyzeHeaders(dns, at(4))).spam.status).toBe('clean');
  });

  it("a sender on the recipient's blocked list is told apart from spam", async () => {
    const text = fixture('outlook-junk.txt').replace('SFV:SPM', 'SFV:BLK').replace(/SCL:5/g, 'SCL:-1').replace('X-MS-Exchange-Organization-SCL: 5', 'X-MS-Exchange-Organization-SCL: -1');
    expect((await analyzeHeaders(dns, text)).spam.status).toBe('blocked');
  });
});

describe('bounds', () => {
  it('keeps to the check budget: with two queries allowed, the parts that could not ask say error', async () => {
    const tight = createDns({ servers: [dnsServer.server], timeoutMs: 500, cacheMs: 0, maxQueries: 2 });
    const before = dnsServer.queries.length;
    const report = await analyzeHeaders(tight, await signedMessage(key.privateKey));
    expect(dnsServer.queries.length - before).toBeLessThanOrEqual(2);
    expect([report.spf.status, report.dkim.status, report.dmarc.status]).toContain('error');
  });
});

describe('the samples guides are walked with', () => {
  it.each(SAMPLE_HEADER_VERDICTS.map((v) => [JSON.stringify(v), v] as const))('%s gives exactly those verdicts', async (_name, verdicts) => {
    const text = headersFor(verdicts);
    if (!text) return;
    expect(headerVerdicts(await analyzeHeaders(dns, text))).toEqual(verdicts);
  });
});
