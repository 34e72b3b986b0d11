import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOUNCE_CATEGORIES, BOUNCE_MAX_CHARS, explainBounce, isBounce, maskAddress } from '../../server/checks/bounce.ts';

const dir = new URL('../fixtures/bounces/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, dir), 'utf8');

/** Every fixture, what it must be read as. Our own samples in the formats Exchange, Gmail and Postfix write. */
const EXPECTED: Record<string, { code: string | null; enhanced: string | null; category: string; recipient: string | null; reply: RegExp }> = {
  'exchange-en-no-such-user.txt': { code: '550', enhanced: '5.1.10', category: 'no_such_user', recipient: 'k***@example.org', reply: /^550 5\.1\.10 RESOLVER\.ADR\.RecipientNotFound; Recipient k\*\*\*@example\.org not found/ },
  'exchange-en-dmarc.txt': { code: '550', enhanced: '5.7.509', category: 'dmarc', recipient: 'i***@example.net', reply: /^550 5\.7\.509 Access denied.*DMARC policy of reject\.$/ },
  'exchange-de-mailbox-full.txt': { code: '552', enhanced: '5.2.2', category: 'mailbox_full', recipient: 's***@example.de', reply: /^552 5\.2\.2 STOREDRV\.Deliver; mailbox full\. The mailbox of s\*\*\*@example\.de has exceeded its quota$/ },
  'exchange-de-policy.txt': { code: '550', enhanced: '5.7.1', category: 'policy', recipient: 'e***@example.de', reply: /^550 5\.7\.1 Service unavailable, Client host \[198\.51\.100\.20\] blocked using Spamhaus/ },
  'exchange-de-legacy-no-such-user.txt': { code: '550', enhanced: '5.1.1', category: 'no_such_user', recipient: 'm***@example.de', reply: /^550 5\.1\.1 RESOLVER\.ADR\.RecipNotFound; not found$/ },
  'exchange-sv-no-such-user.txt': { code: '550', enhanced: '5.1.1', category: 'no_such_user', recipient: 'p***@example.se', reply: /^550 5\.1\.1 RESOLVER\.ADR\.RecipNotFound; not found$/ },
  'exchange-sv-spf.txt': { code: '550', enhanced: '5.7.23', category: 'spf', recipient: 'e***@example.se', reply: /Sender Policy Framework violation$/ },
  'gmail-dmarc.txt': { code: '550', enhanced: '5.7.26', category: 'dmarc', recipient: 'a***@example.com', reply: /^550 5\.7\.26 Unauthenticated email from example\.org is not accepted due to domain's DMARC policy\. Please contact .* gsmtp$/ },
  'gmail-mailbox-full.txt': { code: '552', enhanced: '5.2.2', category: 'mailbox_full', recipient: 'o***@example.com', reply: /^552 5\.2\.2 The recipient's inbox is out of storage space\. Please direct the recipient to https:/ },
  'gmail-temporary.txt': { code: '451', enhanced: '4.3.0', category: 'temporary', recipient: 'l***@example.net', reply: /^451 4\.3\.0 <l\*\*\*@example\.net>: Temporary lookup failure$/ },
  'gmail-policy-no.txt': { code: '554', enhanced: '5.7.1', category: 'policy', recipient: 'k***@example.no', reply: /Access denied by policy$/ },
  'postfix-dsn-no-such-user.txt': { code: '550', enhanced: '5.1.1', category: 'no_such_user', recipient: 'j***@example.org', reply: /^550 5\.1\.1 <j\*\*\*@example\.org>: Recipient address rejected: User unknown in virtual mailbox table$/ },
  'postfix-dsn-spf.txt': { code: '550', enhanced: '5.7.1', category: 'spf', recipient: 'h***@example.net', reply: /SPF check failed: example\.com does not designate 198\.51\.100\.20 as permitted sender$/ },
  'postfix-dsn-mailbox-full.txt': { code: '552', enhanced: '5.2.2', category: 'mailbox_full', recipient: 'm***@example.org', reply: /Mailbox full$/ },
  'postfix-temporary.txt': { code: '450', enhanced: '4.2.0', category: 'temporary', recipient: 'n***@example.org', reply: /Greylisted/ },
  'postfix-sender-domain.txt': { code: '550', enhanced: null, category: 'spf', recipient: 'o***@example.org', reply: /^550 <n\*\*\*@customer\.example>: Sender address rejected: Domain not found$/ },
  'postfix-other.txt': { code: null, enhanced: '5.4.6', category: 'other', recipient: 't***@example.org', reply: /^mail for example\.org loops back to myself$/ },
};

describe('explainBounce', () => {
  it('has an expectation for every fixture, and fixtures for every category', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect([...new Set(Object.values(EXPECTED).map((e) => e.category))].sort()).toEqual([...BOUNCE_CATEGORIES].sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`reads ${file}`, () => {
      const report = explainBounce(sample(file));
      expect({ code: report.code, enhanced: report.enhanced, category: report.category, recipient: report.recipient }).toEqual({
        code: want.code,
        enhanced: want.enhanced,
        category: want.category,
        recipient: want.recipient,
      });
      expect(report.remoteReply).toMatch(want.reply);
      // No address of a person survives in the report.
      expect(JSON.stringify(report)).not.toMatch(/[a-z]{2,}@example/);
    });
  }

  it('maps the codes the issue names', () => {
    const cat = (t: string) => explainBounce(t).category;
    expect(cat('550 5.1.1 user unknown')).toBe('no_such_user');
    expect(cat('552 5.2.2 mailbox full')).toBe('mailbox_full');
    expect(cat('550 5.7.1 message refused')).toBe('policy');
    expect(cat('550 5.7.26 unauthenticated')).toBe('dmarc');
    expect(cat('550 5.7.1 sender not authorized')).toBe('spf');
    expect(cat('550 5.7.23 failed')).toBe('spf');
    expect(cat('421 4.7.0 try again later')).toBe('temporary');
    expect(cat('smtp; 550 Requested action not taken: mailbox unavailable')).toBe('no_such_user');
    expect(cat('550 SPF: 198.51.100.20 is not allowed to send mail from example.com')).toBe('spf');
    expect(cat('550 5.5.0 syntax error')).toBe('other');
  });

  it('does not take IP addresses or version numbers for codes', () => {
    const r = explainBounce('Received: from host (10.4.2.1) by relay 192.0.2.5.1 version 2.5.10.3');
    expect(isBounce(r)).toBe(false);
    expect(explainBounce('Hello, I did not get the email about my survey. Can you help?')).toMatchObject({ code: null, enhanced: null });
  });

  it('masks addresses', () => {
    expect(maskAddress('jane.doe@example.org')).toBe('j***@example.org');
    expect(explainBounce('550 5.1.1 <a.b@x.example> and c@y.example unknown').remoteReply).toBe('550 5.1.1 <a***@x.example> and c***@y.example unknown');
  });

  it('stays fast on junk built to make patterns backtrack', () => {
    const junks = [
      '5.'.repeat(40_000),
      '550 '.repeat(20_000),
      '550-'.repeat(20_000),
      'a'.repeat(60_000) + '@',
      'a@'.repeat(30_000),
      `${'a'.repeat(64)}@${'b-'.repeat(30_000)}`,
      'Status: '.repeat(8000),
      `Diagnostic-Code: smtp; 550-x\n${' 550-5.1.1 x\n'.repeat(5000)}`,
      `550-5.1.1 x\n`.repeat(6000),
      "returned '".repeat(10_000),
      '1.1.1.'.repeat(12_000),
    ];
    for (const junk of junks) {
      const start = performance.now();
      explainBounce(junk);
      expect(performance.now() - start, junk.slice(0, 20)).toBeLessThan(100);
    }
  });

  it('never throws, and gives only codes of the right shape, a known category and masked addresses, whatever it reads', () => {
    const piece = fc.constantFrom('550', '550-', '5.1.1', '4.2.2', '5.7.26', '552', ' ', '\n', '\r\n', '\n    ', 'Status: ', 'Diagnostic-Code: smtp; ', 'Final-Recipient: rfc822; ', "returned '", "'", 'said: ', 'jane@b.example', '@', '.', '#', 'SPF', 'DMARC', 'x', '\u0000', 'ä');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.array(piece, { maxLength: 400 }).map((p) => p.join(''))), (text) => {
        const r = explainBounce(text);
        expect(BOUNCE_CATEGORIES).toContain(r.category);
        if (r.code !== null) expect(r.code).toMatch(/^[245]\d\d$/);
        if (r.enhanced !== null) expect(r.enhanced).toMatch(/^[245]\.\d{1,3}\.\d{1,3}$/);
        expect(JSON.stringify(r)).not.toContain('jane@');
        if (!isBounce(r)) expect(r.category).toBe('other');
      }),
      { numRuns: 2000 },
    );
  });

  it('reads at most BOUNCE_MAX_CHARS and keeps the reply short', () => {
    const r = explainBounce(`${'x'.repeat(BOUNCE_MAX_CHARS)}\n550 5.1.1 unknown`);
    expect(isBounce(r)).toBe(false);
    expect(explainBounce(`550 5.1.1 ${'y'.repeat(5000)}`).remoteReply!.length).toBeLessThanOrEqual(601);
  });
});
