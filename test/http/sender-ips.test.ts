import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDns } from '../../server/checks/dns.ts';
import { parseZones } from '../../server/checks/dnsbl.ts';
import { loadConfig } from '../../server/config.ts';
import { ipFacts } from '../../server/services/sender-ips.ts';
import { startDnsServer } from '../support/dns-server.ts';
import { testApp, type TestApp } from '../support/app.ts';

/*
 * The sending IPs a guide names (Netigate's four mail servers in survey-emails-blocked) against DNS blocklists
 * served by a real DNS server on 127.0.0.1: one listed with a reason, one refused the way Spamhaus refuses
 * (127.255.255.254), one answered by a lapsed zone that answers every name, one not listed.
 */
let dnsServer: Awaited<ReturnType<typeof startDnsServer>>;
let on: TestApp;
let off: TestApp;

beforeAll(async () => {
  dnsServer = await startDnsServer({
    '221.227.45.89.zen.test': [
      { type: 'A', value: '127.0.0.2' },
      { type: 'TXT', value: 'Listed in the test list, see https://lists.example/query/ip/89.45.227.221' },
    ],
    '195.227.45.89.zen.test': [{ type: 'A', value: '127.255.255.254' }],
    '139.243.107.86.zen.test': [{ type: 'A', value: '198.51.100.1' }],
    '92.11.254.46.bl.test': [{ type: 'A', value: '127.0.0.4' }],
  });
  const dns = createDns({ servers: [dnsServer.server], timeoutMs: 1000, cacheMs: 0 });
  on = testApp(undefined, { config: { DNSBL_ZONES: 'zen.test, bl.test' }, dns });
  off = testApp(undefined, { dns });
});
afterAll(async () => {
  await on.close();
  await off.close();
  dnsServer.close();
});

describe('GET /api/checks/sender-ips', () => {
  it('checks each IP the guide names against each zone: listed with the reason, refused, lapsed, not listed', async () => {
    const res = await request(on.app).get('/api/checks/sender-ips?flowId=survey-emails-blocked').expect(200);
    expect(res.body).toMatchObject({ enabled: true, flowId: 'survey-emails-blocked', zones: ['zen.test', 'bl.test'] });
    const byIp = Object.fromEntries(res.body.ips.map((i: { ip: string; fact: string; results: unknown[] }) => [i.ip, i]));
    expect(Object.keys(byIp)).toEqual(['89.45.227.221', '46.254.11.92', '89.45.227.195', '86.107.243.139']);
    expect(byIp['89.45.227.221']).toEqual({
      ip: '89.45.227.221',
      fact: 'mailServerIps',
      results: [
        { zone: 'zen.test', status: 'listed', codes: ['127.0.0.2'], reason: 'Listed in the test list, see https://lists.example/query/ip/89.45.227.221' },
        { zone: 'bl.test', status: 'not_listed' },
      ],
    });
    expect(byIp['89.45.227.195'].results[0]).toEqual({ zone: 'zen.test', status: 'refused', codes: ['127.255.255.254'] });
    expect(byIp['86.107.243.139'].results[0]).toMatchObject({ zone: 'zen.test', status: 'error', codes: ['198.51.100.1'] });
    // Listed without a TXT reason: the codes alone.
    expect(byIp['46.254.11.92'].results).toEqual([
      { zone: 'zen.test', status: 'not_listed' },
      { zone: 'bl.test', status: 'listed', codes: ['127.0.0.4'] },
    ]);
    // One A query per address and zone, and a TXT query only for a listing.
    expect(dnsServer.queries.filter((q) => q.startsWith('A ')).length).toBe(8);
    expect(dnsServer.queries.filter((q) => q.startsWith('TXT ')).sort()).toEqual(['TXT 221.227.45.89.zen.test', 'TXT 92.11.254.46.bl.test']);
  });

  it('answers enabled: false, and asks DNS nothing, when no zone is configured', async () => {
    dnsServer.queries.length = 0;
    expect((await request(off.app).get('/api/checks/sender-ips?flowId=survey-emails-blocked').expect(200)).body).toEqual({ enabled: false });
    expect(dnsServer.queries).toEqual([]);
  });

  it('a guide without IPs, an unknown guide, no guide', async () => {
    expect((await request(on.app).get('/api/checks/sender-ips?flowId=missing-email').expect(200)).body).toMatchObject({ enabled: true, ips: [] });
    expect((await request(on.app).get('/api/checks/sender-ips?flowId=nope').expect(404)).body.error.code).toBe('unknown_flow');
    expect((await request(on.app).get('/api/checks/sender-ips').expect(400)).body.error.code).toBe('invalid_input');
    expect((await request(on.app).get('/api/checks/sender-ips?flowId=a&flowId=b').expect(400)).body.error.code).toBe('invalid_input');
  });
});

describe('DNSBL_ZONES', () => {
  it('is off by default, takes zones separated by spaces or commas, refuses what is not a zone', () => {
    expect(parseZones(undefined)).toEqual([]);
    expect(parseZones('')).toEqual([]);
    expect(parseZones('zen.spamhaus.org, bl.spamcop.net b.barracudacentral.org.')).toEqual(['zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org']);
    expect(() => loadConfig({ DNSBL_ZONES: 'zen.spamhaus.org; drop' })).toThrow(/DNSBL_ZONES/);
    expect(() => loadConfig({ DNSBL_ZONES: 'org' })).toThrow(/DNSBL_ZONES/);
    expect(() => loadConfig({ DNSBL_ZONES: 'a.x b.x c.x d.x e.x f.x' })).toThrow(/at most 5/);
  });

  it('finds IPv4 addresses among facts of any shape, once each', () => {
    expect(ipFacts({ a: ['192.0.2.1', '192.0.2.1'], b: { en: '198.51.100.7' }, c: 'v=spf1 ip4:192.0.2.9 -all', d: '256.1.1.1' })).toEqual([
      { ip: '192.0.2.1', fact: 'a' },
      { ip: '198.51.100.7', fact: 'b' },
    ]);
  });
});
