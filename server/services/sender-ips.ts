import { checkAddresses, isIpv4, type DnsblResult } from '../checks/dnsbl.ts';
import type { Dns } from '../checks/dns.ts';
import type { FlowRegistry } from '../engine/flow-registry.ts';

/** Addresses one request checks at most: with a TXT reason each, a zone's queries stay within one check's budget. */
const MAX_IPS = 12;

export interface SenderIpReport {
  enabled: true;
  flowId: string;
  zones: readonly string[];
  /** Each IPv4 address the guide's facts name (the sending servers its article lists), with the fact naming it. */
  ips: { ip: string; fact: string; results: DnsblResult[] }[];
}

/** The IPv4 addresses among a guide's facts, each with the fact that holds it, in the document's order. */
export function ipFacts(facts: Record<string, unknown>): { ip: string; fact: string }[] {
  const found = new Map<string, string>();
  const walk = (value: unknown, fact: string) => {
    if (typeof value === 'string') {
      if (isIpv4(value.trim()) && !found.has(value.trim())) found.set(value.trim(), fact);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, fact));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => walk(v, fact));
  };
  for (const [fact, value] of Object.entries(facts)) walk(value, fact);
  return [...found].slice(0, MAX_IPS).map(([ip, fact]) => ({ ip, fact }));
}

/**
 * The sending servers a guide names, checked against the DNS blocklists of `DNSBL_ZONES`. Off (no queries at all)
 * when no zone is configured: many lists are free only for low volumes, and some refuse public resolvers.
 */
export class SenderIpService {
  constructor(
    private readonly flows: FlowRegistry,
    private readonly dns: Dns,
    readonly zones: readonly string[],
  ) {}

  get enabled(): boolean {
    return this.zones.length > 0;
  }

  /** Undefined for a guide that does not exist. */
  async check(flowId: string): Promise<SenderIpReport | { enabled: false } | undefined> {
    const flow = this.flows.get(flowId);
    if (!flow) return undefined;
    if (!this.enabled) return { enabled: false };
    const named = ipFacts((flow.document.facts ?? {}) as Record<string, unknown>);
    const checked = await checkAddresses(this.dns, named.map((n) => n.ip), this.zones);
    return { enabled: true, flowId, zones: this.zones, ips: named.map((n, i) => ({ ...n, results: checked[i]!.results })) };
  }
}
