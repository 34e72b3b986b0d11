import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkDmarc } from '../../server/checks/dmarc.ts';
import { createDns } from '../../server/checks/dns.ts';
import { startDnsServer, type Zone } from '../support/dns-server.ts';

const txt = (value: string) => ({ type: 'TXT' as const, value });

/*
 * DMARC as receivers apply it (RFC 7489 §6.6.3), against a real DNS server on 127.0.0.1: a domain without a record of
 * its own takes its organisational domain's, with `sp=` where set, and nothing above the organisational domain is
 * ever asked.
 */
const zone: Zone = {
  '_dmarc.sp-parent.com': [txt('v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50; rua=mailto:d@sp-parent.com')],
  '_dmarc.p-parent.com': [txt('v=DMARC1; p=none; aspf=s')],
  '_dmarc.own.p-parent.com': [txt('v=DMARC1; p=reject')],
  '_dmarc.badsp.com': [txt('v=DMARC1; p=reject; sp=maybe')],
  '_dmarc.example.co.uk': [txt('v=DMARC1; p=reject; pct=abc')],
  // Traps: a receiver never looks here, and neither may we.
  '_dmarc.co.uk': [txt('v=DMARC1; p=none')],
  '_dmarc.uk': [txt('v=DMARC1; p=none')],
  '_dmarc.sub.nothing.com': [txt('v=DMARC1; p=reject')],
};

let server: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  server = await startDnsServer(zone);
});
afterAll(() => server.close());
beforeEach(() => {
  server.queries.length = 0;
});

const dmarc = (name: string, maxQueries?: number) =>
  createDns({ servers: [server.server], timeoutMs: 1000, cacheMs: 0, ...(maxQueries ? { maxQueries } : {}) }).withBudget((l) => checkDmarc(l, name));

describe('DMARC as receivers apply it', () => {
  it('a subdomain without a record takes its organisational domain’s sp=, with alignment and pct', async () => {
    expect(await dmarc('news.sp-parent.com')).toEqual({
      status: 'ok',
      record: 'v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50; rua=mailto:d@sp-parent.com',
      policy: 'quarantine',
      fromSp: true,
      inheritedFrom: 'sp-parent.com',
      adkim: 'strict',
      aspf: 'relaxed',
      pct: 50,
    });
    expect(server.queries).toEqual(['TXT _dmarc.news.sp-parent.com', 'TXT _dmarc.sp-parent.com']);
  });

  it('without sp=, the organisational domain’s p= applies', async () => {
    expect(await dmarc('mail.p-parent.com')).toEqual({
      status: 'none_policy',
      record: 'v=DMARC1; p=none; aspf=s',
      policy: 'none',
      inheritedFrom: 'p-parent.com',
      adkim: 'relaxed',
      aspf: 'strict',
      pct: 100,
    });
  });

  it('the domain’s own record wins, and its organisational domain is not asked', async () => {
    const r = await dmarc('own.p-parent.com');
    expect(r).toMatchObject({ status: 'ok', policy: 'reject', record: 'v=DMARC1; p=reject' });
    expect(r).not.toHaveProperty('inheritedFrom');
    expect(server.queries).toEqual(['TXT _dmarc.own.p-parent.com']);
  });

  it('the organisational domain’s own sp= does not apply to itself', async () => {
    expect(await dmarc('sp-parent.com')).toMatchObject({ status: 'ok', policy: 'reject' });
    expect(server.queries).toEqual(['TXT _dmarc.sp-parent.com']);
  });

  it('missing at both: missing, naming the organisational domain asked; the levels between are skipped', async () => {
    expect(await dmarc('deep.sub.nothing.com')).toEqual({ status: 'missing', record: null, policy: null, orgDomain: 'nothing.com' });
    expect(server.queries).toEqual(['TXT _dmarc.deep.sub.nothing.com', 'TXT _dmarc.nothing.com']);
  });

  it('an unknown sp= makes the inherited record invalid', async () => {
    expect(await dmarc('x.badsp.com')).toMatchObject({ status: 'invalid', problem: 'policy', inheritedFrom: 'badsp.com' });
  });

  it('never asks above the organisational domain under a public suffix (co.uk)', async () => {
    // A malformed pct= is ignored: the default, 100, stands.
    expect(await dmarc('a.b.example.co.uk')).toMatchObject({ status: 'ok', policy: 'reject', inheritedFrom: 'example.co.uk', pct: 100 });
    // The organisational domain itself: one question, none above it.
    server.queries.length = 0;
    expect(await dmarc('nothing.co.uk')).toEqual({ status: 'missing', record: null, policy: null });
    expect(server.queries).toEqual(['TXT _dmarc.nothing.co.uk']);
  });

  it('stays within the check’s query budget', async () => {
    const r = await dmarc('news.sp-parent.com', 1);
    expect(r).toMatchObject({ status: 'error', message: expect.stringMatching(/stopped after 1 DNS queries/) });
    expect(server.queries).toEqual(['TXT _dmarc.news.sp-parent.com']);
  });
});
