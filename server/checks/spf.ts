import { DnsError, type Lookups } from './dns.ts';
import { isPublicName } from './domain.ts';

import type { SpfStatus } from '../../flows/types.ts';

export type { SpfStatus };

/** Findings beyond the status, each explained to people by its code. */
export type SpfProblem =
  | 'plus_all'
  | 'no_all'
  | 'ptr_used'
  | 'void_lookups'
  | 'mx_too_many_hosts'
  | 'include_without_spf'
  | 'loop'
  | 'syntax';

export interface SpfResult {
  status: SpfStatus;
  /** Every v=spf1 record published at the domain, as published. */
  records: string[];
  /**
   * DNS-querying terms counted through the include/redirect tree (limit 10). Evaluation stops past a limit, so the
   * records beyond it are not fetched and the count is then a lower bound.
   */
  lookups: number;
  /** Lookups that found nothing (limit 2; evaluation stops at the third). */
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
/** Address lookups one `mx` term may cause (RFC 7208 §4.6.4): an MX set with more hosts is a permanent error. */
export const MX_ADDRESS_LIMIT = 10;
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
  /** Set once a limit is passed: a receiver stops there with a permanent error, so nothing more is looked up. */
  stopped: boolean;
}

function countVoid(w: Walk) {
  w.voids++;
  if (w.voids > VOID_LIMIT) w.stopped = true;
}

/**
 * Evaluates the tree the way a receiving server does (RFC 7208 §4.6.4): at the 11th DNS-querying term, the 3rd
 * lookup that finds nothing, or an `mx` needing more than 10 address lookups, evaluation ends in a permanent error,
 * and so does ours. The records already read are still read to the end without DNS, so their includes count as
 * present and their terms as lookups (the count is then a lower bound: records past the limit are not fetched).
 */
async function walk(dns: Lookups, domain: string, w: Walk, depth: number, known?: string): Promise<void> {
  if (w.seen.has(domain) || depth > 10) {
    w.problems.add('loop');
    return;
  }
  w.seen.add(domain);
  let record = known;
  if (record === undefined) {
    const answer = await dns.txt(domain);
    const records = 'records' in answer ? answer.records.filter(isSpf) : [];
    if (records.length === 0) {
      if ('none' in answer) countVoid(w);
      w.problems.add('include_without_spf');
      return;
    }
    record = records[0]!;
  }
  const terms = parseTerms(record);
  const hasAll = terms.some((t) => !t.modifier && t.name === 'all');
  for (const term of terms) {
    if (!term.modifier && !MECHANISMS.has(term.name)) w.problems.add('syntax');
    if (!QUERYING.has(term.name) || (term.name === 'redirect' && !term.modifier)) continue;
    if (term.name === 'redirect' && hasAll) continue; // ignored when the record has an `all`
    if (++w.lookups > LOOKUP_LIMIT) w.stopped = true;
    const target = (term.value || domain).split('/')[0]!.toLowerCase().replace(/\.$/, '');
    if (term.name === 'include' || term.name === 'redirect') w.includes.add(target);
    if (term.name === 'ptr') w.problems.add('ptr_used'); // needs the sender's address: nothing to look up ahead of time
    if (w.stopped || term.name === 'ptr' || target.includes('%')) continue; // macros depend on the sender, too
    // A private name finds nothing on the internet, where receivers look; asking our own resolver about it would
    // only tell the person who published it about the network this server runs in.
    if (!isPublicName(target)) {
      if (term.name === 'include' || term.name === 'redirect') w.problems.add('include_without_spf');
      countVoid(w);
      continue;
    }
    if (term.name === 'include' || term.name === 'redirect') {
      await walk(dns, target, w, depth + 1);
    } else if (term.name === 'mx') {
      const answer = await dns.mx(target);
      if ('none' in answer) countVoid(w);
      else if (answer.records.length > MX_ADDRESS_LIMIT) {
        w.problems.add('mx_too_many_hosts');
        w.stopped = true;
      }
    } else if ('none' in (await dns.addresses(target))) {
      countVoid(w);
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

export async function checkSpf(dns: Lookups, domain: string, expected: string[]): Promise<SpfResult> {
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
    const w: Walk = { lookups: 0, voids: 0, includes: new Set(), problems: new Set(), seen: new Set(), stopped: false };
    // With several records receivers stop with a permanent error; the tree of the first is still informative.
    await walk(dns, domain, w, 0, records[0]!);
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
            : w.lookups > LOOKUP_LIMIT || w.voids > VOID_LIMIT || w.problems.has('mx_too_many_hosts')
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
