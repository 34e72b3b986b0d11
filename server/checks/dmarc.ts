import { getDomain } from 'tldts';
import { DnsError, type Lookups } from './dns.ts';

type Policy = 'none' | 'quarantine' | 'reject';
type Alignment = 'relaxed' | 'strict';

export interface DmarcResult {
  status: 'ok' | 'missing' | 'none_policy' | 'invalid' | 'error';
  /** The record that applies: the domain's own, or its organisational domain's (`inheritedFrom`). */
  record: string | null;
  /** The policy receivers apply to this domain: `p=`, or for a subdomain inheriting a record, `sp=` when set. */
  policy: Policy | null;
  /** The organisational domain whose record applies, when the domain has none of its own (RFC 7489 §6.6.3). */
  inheritedFrom?: string;
  /** For a missing record: the organisational domain that was asked too and has none either. */
  orgDomain?: string;
  /** Whether the policy came from `sp=` (the organisational domain's policy for its subdomains). */
  fromSp?: boolean;
  /** Identifier alignment for DKIM and SPF (`adkim=`, `aspf=`; relaxed unless the record says `s`). */
  adkim?: Alignment;
  aspf?: Alignment;
  /** The share of failing mail the policy is applied to (`pct=`, 100 unless the record says otherwise). */
  pct?: number;
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

const POLICIES: readonly string[] = ['none', 'quarantine', 'reject'];
const alignment = (value: string | undefined): Alignment => (value?.toLowerCase() === 's' ? 'strict' : 'relaxed');
/** A malformed `pct=` is ignored, as RFC 7489 §6.3 has receivers ignore a tag they cannot use: the default stands. */
function percent(value: string | undefined): number {
  const n = value !== undefined && /^\d{1,3}$/.test(value) ? Number(value) : 100;
  return n <= 100 ? n : 100;
}

/** The DMARC records (`v=DMARC1…`) published at `_dmarc.<domain>`. */
async function recordsAt(dns: Lookups, domain: string): Promise<string[]> {
  const answer = await dns.txt(`_dmarc.${domain}`);
  return 'records' in answer ? answer.records.filter((r) => /^v\s*=\s*dmarc1/i.test(r.trim())) : [];
}

/** The verdict on the record(s) found; `subdomain`: they are the organisational domain's, so `sp=` applies first. */
function judge(records: string[], subdomain: boolean): DmarcResult {
  // Several records make receivers ignore DMARC altogether.
  if (records.length > 1) return { status: 'invalid', record: records.join('\n'), policy: null, problem: 'multiple' };
  const record = records[0]!;
  const tags = parseDmarc(record);
  if (!tags) return { status: 'invalid', record, policy: null, problem: 'syntax' };
  const p = tags.get('p')?.toLowerCase();
  const sp = subdomain ? tags.get('sp')?.toLowerCase() : undefined;
  const policy = sp ?? p;
  if (!p || !POLICIES.includes(p) || !policy || !POLICIES.includes(policy)) return { status: 'invalid', record, policy: null, problem: 'policy' };
  return {
    status: policy === 'none' ? 'none_policy' : 'ok',
    record,
    policy: policy as Policy,
    ...(sp ? { fromSp: true } : {}),
    adkim: alignment(tags.get('adkim')),
    aspf: alignment(tags.get('aspf')),
    pct: percent(tags.get('pct')),
  };
}

/**
 * The DMARC policy receivers apply to `domain` (RFC 7489 §6.6.3): its own record at `_dmarc.<domain>`, or, when it
 * has none, the record of its organisational domain (the registrable domain by the public suffix list), whose `sp=`
 * applies to subdomains when set. Two queries at most, and never above the organisational domain: for
 * `mail.example.co.uk` that is `example.co.uk`, never `co.uk`.
 */
export async function checkDmarc(dns: Lookups, domain: string): Promise<DmarcResult> {
  try {
    const own = await recordsAt(dns, domain);
    if (own.length) return judge(own, false);
    const org = getDomain(domain);
    if (!org || org === domain.toLowerCase()) return { status: 'missing', record: null, policy: null };
    const inherited = await recordsAt(dns, org);
    if (!inherited.length) return { status: 'missing', record: null, policy: null, orgDomain: org };
    return { ...judge(inherited, true), inheritedFrom: org };
  } catch (e) {
    if (e instanceof DnsError) return { status: 'error', record: null, policy: null, message: e.message };
    throw e;
  }
}
