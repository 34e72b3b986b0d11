import { DnsError, type Lookups } from './dns.ts';

export interface DmarcResult {
  status: 'ok' | 'missing' | 'none_policy' | 'invalid' | 'error';
  record: string | null;
  policy: 'none' | 'quarantine' | 'reject' | null;
  /** Why a record is invalid, for people. */
  problem?: 'multiple' | 'syntax' | 'policy';
  message?: string;
}

/** `v=DMARC1; p=reject; rua=mailto:x` → tags, or null when it is not a well-formed DMARC record. */
export function parseDmarc(record: string): Map<string, string> | null {
  const parts = record.split(';').map((p) => p.trim()).filter(Boolean);
  const tags = new Map<string, string>();
  for (const part of parts) {
    const m = /^([a-z]+)\s*=\s*(.*)$/i.exec(part);
    if (!m) return null;
    tags.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  // RFC 7489: v=DMARC1 comes first, p second.
  return parts[0]?.replace(/\s/g, '').toUpperCase() === 'V=DMARC1' ? tags : null;
}

export async function checkDmarc(dns: Lookups, domain: string): Promise<DmarcResult> {
  try {
    const answer = await dns.txt(`_dmarc.${domain}`);
    const records = 'records' in answer ? answer.records.filter((r) => /^v\s*=\s*dmarc1/i.test(r.trim())) : [];
    if (records.length === 0) return { status: 'missing', record: null, policy: null };
    // Several records make receivers ignore DMARC altogether.
    if (records.length > 1) return { status: 'invalid', record: records.join('\n'), policy: null, problem: 'multiple' };
    const record = records[0]!;
    const tags = parseDmarc(record);
    if (!tags) return { status: 'invalid', record, policy: null, problem: 'syntax' };
    const p = tags.get('p')?.toLowerCase();
    if (p !== 'none' && p !== 'quarantine' && p !== 'reject') return { status: 'invalid', record, policy: null, problem: 'policy' };
    return { status: p === 'none' ? 'none_policy' : 'ok', record, policy: p };
  } catch (e) {
    if (e instanceof DnsError) return { status: 'error', record: null, policy: null, message: e.message };
    throw e;
  }
}
