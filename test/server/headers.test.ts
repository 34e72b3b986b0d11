import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { analyzeHeaders, NoHeadersError } from '../../server/checks/headers.ts';
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
    expect(readHeaders('Subject: x\nFrom: a@b.example\n\nSECRET-BODY-LINE')!.block).not.toContain('SECRET');
  });
});

describe('text that is not headers', () => {
  it.each(['', 'hello there', 'Note: this is not a header block\nreally not', 'Subject only: no\n'])('%j is refused', async (text) => {
    await expect(analyzeHeaders(dns, text)).rejects.toBeInstanceOf(NoHeadersError);
  });
});
