import { DnsError, type Dns, type Lookups } from './dns.ts';

/*
 * DNS blocklists (RFC 5782): an IPv4 address is looked up as its reversed octets under the list's zone
 * (192.0.2.1 in zen.spamhaus.org: 1.2.0.192.zen.spamhaus.org). An A answer in 127.0.0.0/8 means listed, and a TXT
 * record at the same name usually says why; no answer means not listed. Spamhaus answers 127.255.255.x when it
 * refuses the query itself (sent through a public resolver, over the free limit, a bad zone): that is not a
 * listing, and is reported as refused.
 */

export interface DnsblResult {
  zone: string;
  status: 'listed' | 'not_listed' | 'refused' | 'error';
  /** The A answers (`127.0.0.2`): which list of the zone, by the zone's own codes. */
  codes?: string[];
  /** The zone's TXT reason, when it gives one. */
  reason?: string;
  message?: string;
}

/** Zones one check may ask at most: each zone is its own DNS budget, so this bounds the queries per request. */
export const DNSBL_MAX_ZONES = 5;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** `DNSBL_ZONES`: zone names separated by spaces or commas; empty or unset, none (the checks are off). */
export function parseZones(value: string | undefined): string[] {
  const zones = (value ?? '').split(/[\s,]+/).filter(Boolean).map((z) => z.replace(/\.$/, '').toLowerCase());
  for (const zone of zones)
    if (zone.length > 200 || zone.split('.').length < 2 || !zone.split('.').every((l) => LABEL.test(l))) throw new Error(`"${zone}" is not a zone name like zen.spamhaus.org`);
  if (zones.length > DNSBL_MAX_ZONES) throw new Error(`at most ${DNSBL_MAX_ZONES} zones`);
  return [...new Set(zones)];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const isIpv4 = (value: string) => IPV4.test(value);

/** Whether `ip` is on the list at `zone`: one A query, and one TXT query for the reason when it is listed. */
export async function checkDnsbl(dns: Lookups, ip: string, zone: string): Promise<DnsblResult> {
  const name = `${ip.split('.').reverse().join('.')}.${zone}`;
  try {
    const answer = await dns.ipv4(name);
    if (!('records' in answer)) return { zone, status: 'not_listed' };
    const codes = answer.records;
    if (codes.some((c) => c.startsWith('127.255.255.'))) return { zone, status: 'refused', codes };
    // Anything outside 127.0.0.0/8 is not a blocklist answer (a zone that lapsed and now answers every name).
    if (!codes.every((c) => c.startsWith('127.'))) return { zone, status: 'error', codes, message: `${zone} answered ${codes.join(', ')}, which is not a blocklist answer` };
    const txt = await dns.txt(name).catch((e: unknown) => (e instanceof DnsError ? undefined : Promise.reject(e)));
    const reason = txt && 'records' in txt ? txt.records.join(' ').slice(0, 300) : undefined;
    return { zone, status: 'listed', codes, ...(reason ? { reason } : {}) };
  } catch (e) {
    if (e instanceof DnsError) return { zone, status: 'error', message: e.message };
    throw e;
  }
}

/** Every address against every zone; each zone within a budget of its own, all zones at once. */
export async function checkAddresses(dns: Dns, ips: readonly string[], zones: readonly string[]): Promise<{ ip: string; results: DnsblResult[] }[]> {
  const byZone = await Promise.all(zones.map((zone) => dns.withBudget((lookups) => Promise.all(ips.map((ip) => checkDnsbl(lookups, ip, zone))))));
  return ips.map((ip, i) => ({ ip, results: byZone.map((results) => results[i]!) }));
}
