import { DnsError, type Answer, type Lookups } from './dns.ts';
import { isPublicName } from './domain.ts';
import { parseRecord, parseTerm, SPF_SYNTAX_CODES, type SpfSyntaxCode, type SpfTerm } from './spf-syntax.ts';

import type { SpfStatus } from '../../flows/types.ts';

export type { SpfStatus };

/**
 * Findings beyond the status, each explained to people by its code. `syntax` stands for any term that breaks the
 * grammar; which terms and which rules are in `errors`.
 */
export type SpfProblem =
  | 'plus_all'
  | 'no_all'
  | 'ptr_used'
  | 'void_lookups'
  | 'mx_too_many_hosts'
  | 'include_without_spf'
  | 'loop'
  | 'syntax';

/** Why receivers give a permanent error: a term that breaks a rule, an include/redirect of a domain without SPF, a loop, an mx of more than 10 hosts. */
export const SPF_ERROR_CODES = [...SPF_SYNTAX_CODES, 'include_without_spf', 'loop', 'mx_too_many_hosts'] as const;
export type SpfErrorCode = (typeof SPF_ERROR_CODES)[number];

export interface SpfError {
  /** The rule the term breaks. */
  code: SpfErrorCode;
  /** The term as published. */
  term: string;
  /** The domain whose record has the term: the checked domain, or one its record includes or redirects to. */
  domain: string;
  /**
   * Only for a term of the checked domain's own record(s) that the suggested record changes: the term it has instead,
   * or null when it leaves the term out. Absent for a term only the owner of another domain can change.
   */
  fix?: string | null;
}

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
  /** The one record to publish instead, or null when nothing needs changing. Never has a term that breaks a rule. */
  suggestedRecord: string | null;
  /** The suggested record as a BIND zone line (fully qualified name, trailing dot). */
  bindLine: string | null;
  /** The final `all` term of the domain's record (`~all`, `-all`, `?all`, `+all`), or null when there is none. */
  all: string | null;
  problems: SpfProblem[];
  /** What makes the record a permanent error for receivers (status `invalid`), each naming the term and the rule. */
  errors: SpfError[];
  message?: string;
}

export const LOOKUP_LIMIT = 10;
export const VOID_LIMIT = 2;
/** Address lookups one `mx` term may cause (RFC 7208 §4.6.4): an MX set with more hosts is a permanent error. */
export const MX_ADDRESS_LIMIT = 10;
const QUERYING = new Set(['include', 'a', 'mx', 'ptr', 'exists']);

const isSpf = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
/** `include:_spf.example.com`, `_spf.example.com` → `_spf.example.com`. */
export const includeTarget = (s: string) => s.trim().toLowerCase().replace(/^\+?include:/, '').replace(/\.$/, '');

/** Whether a term makes receivers query DNS: the mechanisms that name a domain, and redirect=. */
const queries = (t: SpfTerm) => (t.modifier ? t.name === 'redirect' : QUERYING.has(t.name));
const leadsTo = (t: SpfTerm) => (t.modifier ? t.name === 'redirect' : t.name === 'include');

interface Walk {
  /** The checked domain, and the includes the flow expects (an include of one of them is never dropped). */
  top: string;
  wanted: string[];
  lookups: number;
  voids: number;
  includes: Set<string>;
  problems: Set<SpfProblem>;
  errors: SpfError[];
  /** Terms of the checked domain's record that lead nowhere (no SPF there, or back into the tree): left out of a suggestion. */
  broken: Set<string>;
  /** Set once a limit is passed: a receiver stops there with a permanent error, so nothing more is looked up. */
  stopped: boolean;
}

function countVoid(w: Walk) {
  w.voids++;
  if (w.voids > VOID_LIMIT) w.stopped = true;
}

/** A name DNS cannot carry (characters the resolver refuses): receivers find nothing there, so neither do we. */
async function orNone<T>(lookup: Promise<Answer<T>>): Promise<Answer<T>> {
  try {
    return await lookup;
  } catch (e) {
    if (e instanceof DnsError && e.code === 'EBADNAME') return { none: 'nxdomain' };
    throw e;
  }
}

function fail(w: Walk, code: SpfErrorCode, term: SpfTerm, domain: string, target?: string) {
  w.errors.push({ code, term: term.raw, domain });
  w.problems.add(code === 'include_without_spf' || code === 'loop' || code === 'mx_too_many_hosts' ? code : 'syntax');
  if (target !== undefined && domain === w.top && !w.wanted.includes(target)) w.broken.add(term.raw);
}

/**
 * Evaluates the tree the way a receiving server does (RFC 7208 §4.6): every term is checked against the grammar
 * first, and a term that breaks it is a permanent error wherever it stands. Then, at the 11th DNS-querying term,
 * the 3rd lookup that finds nothing, or an `mx` needing more than 10 address lookups, evaluation ends in a
 * permanent error, and so does ours. The records already read are still read to the end without DNS, so their
 * includes count as present and their terms as lookups (the count is then a lower bound: records past the limit
 * are not fetched). `chain` is the path of domains from the checked one: an include back into it is a loop.
 */
async function walk(dns: Lookups, domain: string, record: string, w: Walk, chain: string[]): Promise<void> {
  const terms = parseRecord(record);
  const hasAll = terms.some((t) => !t.error && !t.modifier && t.name === 'all');
  for (const term of terms) {
    if (term.error) {
      fail(w, term.error, term, domain);
      continue;
    }
    if (!queries(term)) continue;
    if (term.modifier && hasAll) continue; // redirect= is ignored when the record has an `all`
    if (++w.lookups > LOOKUP_LIMIT) w.stopped = true;
    // a, mx and ptr without a domain mean the domain whose record it is; a prefix length is never part of the name.
    const target = (term.domain ?? domain).toLowerCase();
    if (leadsTo(term)) w.includes.add(target);
    if (term.name === 'ptr') w.problems.add('ptr_used'); // needs the sender's address: nothing to look up ahead of time
    if (w.stopped || term.name === 'ptr' || target.includes('%')) continue; // macros depend on the sender, too
    if (leadsTo(term) && chain.includes(target)) {
      fail(w, 'loop', term, domain, target);
      continue;
    }
    // A private name finds nothing on the internet, where receivers look; asking our own resolver about it would
    // only tell the person who published it about the network this server runs in.
    if (!isPublicName(target)) {
      if (leadsTo(term)) fail(w, 'include_without_spf', term, domain, target);
      countVoid(w);
      continue;
    }
    if (leadsTo(term)) {
      const answer = await orNone(dns.txt(target));
      const records = 'records' in answer ? answer.records.filter(isSpf) : [];
      if (records.length === 0) {
        if ('none' in answer) countVoid(w);
        // "If the [included or redirected] domain has no SPF record, the result is permerror" (§5.2, §6.1).
        fail(w, 'include_without_spf', term, domain, target);
        continue;
      }
      await walk(dns, target, records[0]!, w, [...chain, target]);
    } else if (term.name === 'mx') {
      const answer = await orNone(dns.mx(target));
      if ('none' in answer) countVoid(w);
      else if (answer.records.length > MX_ADDRESS_LIMIT) {
        // "more than 10 ... the check_host() function MUST produce a permerror" (§4.6.4): an error, not a limit.
        fail(w, 'mx_too_many_hosts', term, domain);
        w.stopped = true;
      }
    } else if ('none' in (await orNone(dns.addresses(target)))) {
      countVoid(w);
    }
  }
}

/**
 * The domain's record(s) merged into one, with the missing includes before the `all`, and what became of each
 * term that cannot stay: a term that breaks a rule is replaced by the valid term it plainly meant (`-all:x` →
 * `-all`), or else left out, and so is each term in `broken`. A second exp= from another record is left out too.
 */
function merge(records: string[], missing: string[], broken: Iterable<string> = []): { record: string; changes: Map<string, string | null> } {
  const drop = new Set(broken);
  const changes = new Map<string, string | null>();
  /** The terms the suggestion may use, each with the published term it replaces when it is a fix. */
  const usable: { term: SpfTerm; replaces?: string }[] = [];
  for (const t of records.flatMap(parseRecord)) {
    if (drop.has(t.raw) || (t.error && !t.fix)) changes.set(t.raw, null);
    else if (t.fix) {
      changes.set(t.raw, t.fix);
      usable.push({ term: parseTerm(t.fix), replaces: t.raw });
    } else usable.push({ term: t });
  }
  const keep: string[] = [];
  let exp = false;
  for (const { term: t } of usable) {
    if ((!t.modifier && t.name === 'all') || (t.modifier && t.name === 'redirect')) continue;
    if (t.modifier && t.name === 'exp') {
      if (exp) continue;
      exp = true;
    }
    if (!keep.some((k) => k.toLowerCase() === t.raw.toLowerCase())) keep.push(t.raw);
  }
  for (const include of missing) if (!keep.includes(`include:${include}`)) keep.push(`include:${include}`);
  const all = usable.find(({ term: t }) => !t.modifier && t.name === 'all');
  const redirect = usable.find(({ term: t }) => t.modifier && t.name === 'redirect');
  // `+all` lets the whole internet send as you: never suggest it back.
  const end = all ? (all.term.qualifier === '+' || all.term.qualifier === '' ? '~all' : all.term.raw) : redirect && missing.length === 0 ? redirect.term.raw : '~all';
  if (all?.replaces) changes.set(all.replaces, end);
  return { record: ['v=spf1', ...keep, end].join(' '), changes };
}

/** The domain's record(s) merged into one, with the missing includes before the `all`; see merge(). */
export function suggestRecord(records: string[], missing: string[], broken: Iterable<string> = []): string {
  return merge(records, missing, broken).record;
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
    errors: [],
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
    const w: Walk = { top: domain, wanted, lookups: 0, voids: 0, includes: new Set(), problems: new Set(), errors: [], broken: new Set(), stopped: false };
    // With several records receivers stop with a permanent error; the tree of the first is still informative.
    await walk(dns, domain, records[0]!, w, [domain]);
    // The others are not evaluated, but a merge keeps their terms: the ones that break a rule are reported too.
    const others = records.slice(1).map(parseRecord);
    for (const t of others.flat()) if (t.error) fail(w, t.error, t, domain);
    const terms = parseRecord(records[0]!).filter((t) => !t.error);
    const all = terms.find((t) => !t.modifier && t.name === 'all');
    base.all = all ? `${all.qualifier || '+'}all` : null;
    if (all && (all.qualifier === '+' || all.qualifier === '')) w.problems.add('plus_all');
    if (!all && !terms.some((t) => t.modifier && t.name === 'redirect')) w.problems.add('no_all');
    if (w.voids > VOID_LIMIT) w.problems.add('void_lookups');
    // With several records, an include in any of them is kept by the merge, so it is not missing.
    const inOthers = new Set(others.flat().flatMap((t) => (!t.error && leadsTo(t) && t.domain ? [t.domain.toLowerCase()] : [])));
    const missing = wanted.filter((i) => !w.includes.has(i) && !inOthers.has(i));
    const status: SpfStatus =
      records.length > 1
        ? 'multiple'
        : w.errors.length
          ? 'invalid'
          : missing.length
            ? 'include_missing'
            : w.lookups > LOOKUP_LIMIT || w.voids > VOID_LIMIT
              ? 'too_many_lookups'
              : 'ok';
    const own = w.errors.filter((e) => e.domain === domain);
    const needsRecord = status === 'multiple' || status === 'include_missing' || w.problems.has('plus_all') || own.length > 0;
    const merged = needsRecord ? merge(records, missing, w.broken) : null;
    // An error only another domain's owner can fix leaves nothing to change here.
    const suggestion = merged && !(records.length === 1 && merged.record === records[0]) ? merged.record : null;
    const errors = w.errors.map((e) => (suggestion && e.domain === domain && merged!.changes.has(e.term) ? { ...e, fix: merged!.changes.get(e.term)! } : e));
    return {
      ...base,
      status,
      lookups: w.lookups,
      voidLookups: w.voids,
      missingIncludes: missing,
      suggestedRecord: suggestion,
      bindLine: suggestion && bindLine(domain, suggestion),
      problems: [...w.problems],
      errors,
    };
  } catch (e) {
    if (e instanceof DnsError) return { ...base, status: 'error', message: e.message };
    throw e;
  }
}
