import { DnsError, type Lookups } from './dns.ts';

export interface MxResult {
  status: 'ok' | 'missing' | 'null_mx' | 'error';
  hosts: { exchange: string; priority: number }[];
  message?: string;
}

/**
 * A sender address must be able to receive: without MX records, mail to it (bounces, replies) fails with error
 * 550. A "null MX" (a single MX of `.`, RFC 7505) says the domain accepts no mail at all.
 */
export async function checkMx(dns: Lookups, domain: string): Promise<MxResult> {
  try {
    const answer = await dns.mx(domain);
    if ('none' in answer) return { status: 'missing', hosts: [] };
    const hosts = [...answer.records].sort((a, b) => a.priority - b.priority);
    if (hosts.length === 1 && (hosts[0]!.exchange === '' || hosts[0]!.exchange === '.')) return { status: 'null_mx', hosts };
    return { status: 'ok', hosts };
  } catch (e) {
    if (e instanceof DnsError) return { status: 'error', hosts: [], message: e.message };
    throw e;
  }
}
