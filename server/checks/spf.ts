import { DnsError, type Dns } from './dns.ts';

import type { SpfStatus } from '../../flows/types.ts';

export type { SpfStatus };

/** Findings beyond the status, each explained to people by its code. */
export type SpfProblem =
  | 'plus_all'
  | 'no_all'
  | 'ptr_used'
  | 'void_lookups'
  | 'include_without_spf'
  | 'loop'
  | 'syntax';

export interface SpfResult {
  status: SpfStatus;
  /** Every v=spf1 record published at the domain, as published. */
  records: string[];
  /** DNS-querying terms counted through the whole include/redirect tree (limit 10). */
  lookups: number;
  /** Lookups that found nothing (limit 2). */
  voidLookups: number;
  /** Expected includes not found anywhere in the tree. */
  missingIncludes: string[];
  /** The one record to publish instead, or null when nothing needs changing. */
  suggestedRecord: string | null;
  /** The suggested record as a BIND zone line (fully qualified name, trailing dot). */
  bindLine: string | null;
  /** The final `all` term of the domain's record (`~all`, `-all`, `?all`, `+all`), or null when there is none. */
  all: string | null;
  problems: SpfProblem[];
  message?: string;
}

export const LOOKUP_LIMIT = 10;
export const VOID_LIMIT = 2;
const MECHANISMS = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
const QUERYING = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

const isSpf = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
/** `include:_spf.example.com`, `_spf.example.com` → `_spf.example.com`. */
export const includeTarget = (s: string) => s.trim().toLowerCase().replace(/^\+?include:/, '').replace(/\.$/, '');

interface Term {
  raw: string;
  qualifier: string;
  name: string;
  value: string;
  modifier: boolean;
}

export function parseTerms(record: string): Term[] {
  return record
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((raw) => {
      const modifier = /^[a-z][a-z0-9_.-]*=/i.test(raw);
      if (modifier) {
        const [name, ...rest] = raw.split('=');
        return { raw, qualifier: '', name: name!.toLowerCase(), value: rest.join('='), modifier };
      }
      const m = /^([+\-~?]?)([a-z0-9]+)(?:[:/](.*))?$/i.exec(raw);
      return { raw, qualifier: m?.[1] ?? '', name: (m?.[2] ?? raw).toLowerCase(), value: m?.[3] ?? '', modifier };
    });
}

interface Walk {
  lookups: number;
  voids: number;
  includes: Set<string>;
  problems: Set<SpfProblem>;
  seen: Set<string>;
}

/** Counts lookups through the tree the way a receiving server evaluates it (RFC 7208 §4.6.4). */
async function walk(dns: Dns, domain: string, w: Walk, depth: number): Promise<void> {
  if (w.seen.has(domain) || depth > 10) {
    w.problems.add('loop');
    return;
  }
  w.seen.add(domain);
  const answer = await dns.txt(domain);
  const records = 'records' in answer ? answer.records.filter(isSpf) : [];
  if (records.length === 0) {
    w.voids += 'none' in answer ? 1 : 0;
    w.problems.add('include_without_spf');
    return;
  }
  const terms = parseTerms(records[0]!);
  const hasAll = terms.some((t) => !t.modifier && t.name === 'all');
  for (const term of terms) {
    if (!term.modifier && !MECHANISMS.has(term.name)) w.problems.add('syntax');
    if (!QUERYING.has(term.name) || (term.name === 'redirect' && !term.modifier)) continue;
    if (term.name === 'redirect' && hasAll) continue; // ignored when the record has an `all`
    w.lookups++;
    const target = (term.value || domain).split('/')[0]!.toLowerCase().replace(/\.$/, '');
    if (target.includes('%')) continue; // macros depend on the sender; nothing to look up ahead of time
    if (term.name === 'include' || term.name === 'redirect') {
      w.includes.add(target);
      if (w.lookups <= LOOKUP_LIMIT) await walk(dns, target, w, depth + 1);
    } else if (term.name === 'mx') {
      if ('none' in (await dns.mx(target))) w.voids++;
    } else if (term.name === 'ptr') {
      w.problems.add('ptr_used');
    } else if ('none' in (await dns.addresses(target))) {
      w.voids++;
    }
  }
}

/** The domain's record(s) merged into one, with the missing includes before the `all`. */
export function suggestRecord(records: string[], missing: string[]): string {
  const terms = records.flatMap(parseTerms);
  const keep: string[] = [];
  for (const t of terms) {
    if ((!t.modifier && t.name === 'all') || (t.modifier && t.name === 'redirect')) continue;
    if (!keep.some((k) => k.toLowerCase() === t.raw.toLowerCase())) keep.push(t.raw);
  }
  for (const include of missing) if (!keep.includes(`include:${include}`)) keep.push(`include:${include}`);
  const all = terms.find((t) => !t.modifier && t.name === 'all');
  const redirect = terms.find((t) => t.modifier && t.name === 'redirect');
  // `+all` lets the whole internet send as you: never suggest it back.
  const end = all ? (all.qualifier === '+' || all.qualifier === '' ? '~all' : all.raw) : redirect && missing.length === 0 ? redirect.raw : '~all';
  return ['v=spf1', ...keep, end].join(' ');
}

/** A TXT record longer than 255 characters must be split into several quoted strings. */
export function bindLine(domain: string, record: string): string {
  const chunks = record.match(/.{1,255}/g) ?? [''];
  return `${domain}. IN TXT ${chunks.map((c) => `"${c}"`).join(' ')}`;
}

export async function checkSpf(dns: Dns, domain: string, expected: string[]): Promise<SpfResult> {
  const base: SpfResult = {
    status: 'ok',
    records: [],
    lookups: 0,
    voidLookups: 0,
    missingIncludes: [],
    suggestedRecord: null,
    bindLine: null,
    all: null,
    problems: [],
  };
  const wanted = [...new Set(expected.map(includeTarget).filter(Boolean))];
  try {
    const answer = await dns.txt(domain);
    const records = 'records' in answer ? answer.records.filter(isSpf) : [];
    base.records = records;
    if (records.length === 0) {
      const suggestion = wanted.length ? suggestRecord([], wanted) : null;
      return { ...base, status: 'missing', missingIncludes: wanted, suggestedRecord: suggestion, bindLine: suggestion && bindLine(domain, suggestion) };
    }
    const w: Walk = { lookups: 0, voids: 0, includes: new Set(), problems: new Set(), seen: new Set() };
    // With several records receivers stop with a permanent error; the tree of the first is still informative.
    await walkRecord(dns, domain, records[0]!, w);
    const terms = parseTerms(records[0]!);
    const all = terms.find((t) => !t.modifier && t.name === 'all');
    base.all = all ? `${all.qualifier || '+'}all` : null;
    if (all && (all.qualifier === '+' || all.qualifier === '')) w.problems.add('plus_all');
    if (!all && !terms.some((t) => t.modifier && t.name === 'redirect')) w.problems.add('no_all');
    if (w.voids > VOID_LIMIT) w.problems.add('void_lookups');
    // With several records, an include in any of them is kept by the merge, so it is not missing.
    const inOthers = new Set(
      records.slice(1).flatMap((r) => parseTerms(r).filter((t) => t.name === 'include' || t.name === 'redirect').map((t) => includeTarget(t.value))),
    );
    const missing = wanted.filter((i) => !w.includes.has(i) && !inOthers.has(i));
    const status: SpfStatus =
      records.length > 1
        ? 'multiple'
        : w.problems.has('syntax') || w.problems.has('loop')
          ? 'invalid'
          : missing.length
            ? 'include_missing'
            : w.lookups > LOOKUP_LIMIT || w.voids > VOID_LIMIT
              ? 'too_many_lookups'
              : 'ok';
    const needsRecord = status === 'multiple' || status === 'include_missing' || w.problems.has('plus_all');
    const suggestion = needsRecord ? suggestRecord(records, missing) : null;
    return {
      ...base,
      status,
      lookups: w.lookups,
      voidLookups: w.voids,
      missingIncludes: missing,
      suggestedRecord: suggestion,
      bindLine: suggestion && bindLine(domain, suggestion),
      problems: [...w.problems],
    };
  } catch (e) {
    if (e instanceof DnsError) return { ...base, status: 'error', message: e.message };
    throw e;
  }
}

async function walkRecord(dns: Dns, domain: string, record: string, w: Walk) {
  // The top record is already known; walk() would fetch it again, so give it a resolver that answers it.
  const top: Dns = { ...dns, txt: (name) => (name === domain ? Promise.resolve({ records: [record] }) : dns.txt(name)) };
  await walk(top, domain, w, 0);
}
