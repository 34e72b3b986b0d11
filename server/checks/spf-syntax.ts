import { isIPv6 } from 'node:net';

/*
 * The grammar of an SPF record, RFC 7208 §12 (with the rules of §4.6.1, §5, §6 and §7.1 it points to), term by term.
 * A receiving server checks the whole record before it evaluates anything, and any term that breaks a rule makes
 * the result a permanent error for every sender: so each such term is reported with the rule it breaks.
 */

/** The rules a term can break, each explained to people by its code. */
export const SPF_SYNTAX_CODES = [
  'non_ascii',
  'control_char',
  'unknown_term',
  'bad_modifier_name',
  'all_argument',
  'missing_domain',
  'empty_domain',
  'bad_domain',
  'address_as_domain',
  'empty_label',
  'long_label',
  'long_name',
  'cidr_not_allowed',
  'bad_cidr',
  'bad_ip4',
  'bad_ip6',
  'bad_macro',
  'exp_macro_in_domain',
  'duplicate_modifier',
] as const;
export type SpfSyntaxCode = (typeof SPF_SYNTAX_CODES)[number];

export const MECHANISMS = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export interface SpfTerm {
  /** The term as published. */
  raw: string;
  /** `+`, `-`, `~` or `?` as written before a mechanism; empty when none is (which means `+`) and for modifiers. */
  qualifier: string;
  /** The mechanism or modifier name in lower case, as far as the term has one. */
  name: string;
  modifier: boolean;
  /**
   * The domain-spec a term names (include, exists, redirect, exp; a, mx, ptr when given), without prefix lengths or
   * a trailing dot; null when it names none (a, mx and ptr then mean the domain whose record it is).
   */
  domain: string | null;
  /** ip4/ip6: the address; an unknown modifier: its value. */
  value: string;
  /** The rule the term breaks; absent when it is valid. */
  error?: SpfSyntaxCode;
  /** For a broken term whose intent is plain (`-all:x`, `ip4:192.0.2.1:25`, `a:192.0.2.1`…): the valid term meant. */
  fix?: string;
}

/** A DNS name is at most 253 characters written out, and each of its labels at most 63 (RFC 1035 §2.3.4). */
const NAME_MAX = 253;
const LABEL_MAX = 63;
const TOPLABEL = /^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;
const QNUM = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])';
const IP4 = new RegExp(`^${QNUM}(?:\\.${QNUM}){3}$`);
const MODIFIER_NAME = /^[a-z][a-z0-9_.-]*$/i;
/** `%{` macro-letter transformers *delimiter `}`, transformers = *DIGIT ["r"] (§7.1). */
const MACRO = /^%\{([a-z])([0-9]*)(r?)([-.+,/_=]*)\}/i;
const MACRO_LETTERS = 'slodiphvcrt';
/** Expanded only in the explanation text an exp= points to, never in a domain (§7.1). */
const EXP_ONLY = 'crt';

type Piece = { literal: string } | { macro: true };

/** A macro-string (§7.1) cut into literal text and macros, or the rule it breaks. */
function macroPieces(s: string, inDomain: boolean): Piece[] | SpfSyntaxCode {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c !== '%') {
      const code = c.charCodeAt(0);
      if (code < 0x21 || code > 0x7e) return code > 0x7e ? 'non_ascii' : 'control_char';
      const last = pieces.at(-1);
      if (last && 'literal' in last) last.literal += c;
      else pieces.push({ literal: c });
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      pieces.push({ macro: true });
      i += 2;
      continue;
    }
    const m = MACRO.exec(s.slice(i));
    if (!m) return 'bad_macro';
    const letter = m[1]!.toLowerCase();
    if (!MACRO_LETTERS.includes(letter)) return 'bad_macro';
    if (inDomain && EXP_ONLY.includes(letter)) return 'exp_macro_in_domain';
    // "If a DIGIT is specified, the value MUST be nonzero" (§7.3).
    if (m[2] && Number(m[2]) === 0) return 'bad_macro';
    pieces.push({ macro: true });
    i += m[0].length;
  }
  return pieces;
}

/**
 * Why a domain-spec (§7.1: macro-string domain-end) cannot be valid, or undefined when it is. Beyond the grammar, a
 * name that no expansion can make a DNS name (an empty label, a label over 63 characters, over 253 in all) is
 * rejected here too: receivers cannot look it up, and RFC 7208 leaves what they do then undefined.
 */
export function domainSpecError(spec: string): SpfSyntaxCode | undefined {
  if (spec === '') return 'empty_domain';
  const pieces = macroPieces(spec, true);
  if (typeof pieces === 'string') return pieces;
  const last = pieces.at(-1)!;
  // domain-end = ( "." toplabel [ "." ] ) / macro-expand
  if ('literal' in last) {
    const tail = last.literal.replace(/\.$/, '');
    const dot = tail.lastIndexOf('.');
    if (pieces.length === 1 && IP4.test(tail)) return 'address_as_domain';
    if (dot < 0 || !TOPLABEL.test(tail.slice(dot + 1))) return 'bad_domain';
  }
  // Labels, with each macro standing for text of unknown length that is never empty.
  const written = pieces.map((p) => ('literal' in p ? p.literal : '\u0000')).join('').replace(/\.$/, '');
  for (const label of written.split('.')) {
    if (label === '') return 'empty_label';
    if (!label.includes('\u0000') && label.length > LABEL_MAX) return 'long_label';
  }
  if (!written.includes('\u0000') && written.length > NAME_MAX) return 'long_name';
  return undefined;
}

/** `example.com.` → `example.com`: a domain-spec names the same domain with or without the final dot. */
const bare = (spec: string) => spec.replace(/\.$/, '');

/** A trailing run of prefix lengths (`/24`, `//64`, `/24//64`, or a malformed one) split off a mechanism's argument. */
function splitLengths(arg: string): [spec: string, lengths: string] {
  const m = /^(.*?)(\/[0-9/]*)$/s.exec(arg);
  return m ? [m[1]!, m[2]!] : [arg, ''];
}

/**
 * Prefix lengths checked against their rule: `valid`, and `fixed`, the same lengths written validly when the only
 * mistake is a leading zero (`/032` is plainly `/32`), or null when no plain intent can be read from them.
 */
function checkLengths(lengths: string, pattern: RegExp, max: number[]): { valid: boolean; fixed: string | null } {
  if (lengths === '') return { valid: true, fixed: '' };
  const m = pattern.exec(lengths);
  if (!m) return { valid: false, fixed: null };
  const values = [m[1], m[2]].map((v, i) => (v === undefined ? undefined : { n: Number(v), max: max[i]! }));
  if (values.some((v) => v && v.n > v.max)) return { valid: false, fixed: null };
  const fixed = `${values[0] ? `/${values[0].n}` : ''}${values[1] ? `//${values[1].n}` : ''}`;
  return { valid: fixed === lengths, fixed };
}
/** dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], for a and mx. */
const dualLengths = (lengths: string) => checkLengths(lengths, /^(?:\/([0-9]+))?(?:\/\/([0-9]+))?$/, [32, 128]);
/** ip4-cidr-length or ip6-cidr-length alone, for ip4 and ip6. */
const singleLength = (lengths: string, max: number) => checkLengths(lengths, /^\/([0-9]+)$/, [max]);

const invalid = (term: SpfTerm, error: SpfSyntaxCode, fix?: string | null): SpfTerm => ({ ...term, error, ...(fix ? { fix } : {}) });

/** One term, checked against its rule in §12. */
export function parseTerm(raw: string): SpfTerm {
  const base: SpfTerm = { raw, qualifier: '', name: '', modifier: false, domain: null, value: '' };
  const bad = /[^\x20-\x7e]/.exec(raw);
  if (bad) return invalid(base, bad[0].charCodeAt(0) > 0x7e ? 'non_ascii' : 'control_char');

  // A modifier has its `=` right after the name, before any `:` or `/` (§4.6.1).
  const special = /[=:/]/.exec(raw);
  if (special?.[0] === '=') {
    const name = raw.slice(0, special.index);
    const value = raw.slice(special.index + 1);
    const term = { ...base, name: name.toLowerCase(), modifier: true, value };
    if (!MODIFIER_NAME.test(name)) return invalid(term, 'bad_modifier_name');
    if (term.name === 'redirect' || term.name === 'exp') {
      const error = domainSpecError(value);
      return error ? invalid(term, error) : { ...term, domain: bare(value), value: '' };
    }
    const pieces = macroPieces(value, false);
    return typeof pieces === 'string' ? invalid(term, pieces) : term;
  }

  const m = /^([+\-~?]?)([^:/]*)(.*)$/s.exec(raw)!;
  const qualifier = m[1]!;
  const name = m[2]!.toLowerCase();
  const rest = m[3]!;
  const term: SpfTerm = { ...base, qualifier, name };
  // `-all.`: all with something stuck to it.
  if (/^all[^a-z0-9]/.test(name)) return invalid(term, 'all_argument', `${qualifier}all`);
  if (!(MECHANISMS as readonly string[]).includes(name)) {
    // `redirect:example.com` is the modifier written with a colon.
    const asModifier = (name === 'redirect' || name === 'exp') && !qualifier && rest.startsWith(':') ? `${name}=${rest.slice(1)}` : null;
    return invalid(term, 'unknown_term', asModifier && !parseTerm(asModifier).error ? asModifier : null);
  }
  const arg = rest.startsWith(':') ? rest.slice(1) : null;

  switch (name as Mechanism) {
    case 'all':
      return rest ? invalid(term, 'all_argument', `${qualifier}all`) : term;

    case 'include':
    case 'exists':
    case 'ptr': {
      if (arg === null) {
        if (name === 'ptr' && rest === '') return term;
        if (name === 'ptr') return /^\/[0-9/]*$/.test(rest) ? invalid(term, 'cidr_not_allowed', `${qualifier}ptr`) : invalid(term, 'unknown_term');
        return invalid(term, 'missing_domain');
      }
      const error = domainSpecError(arg);
      if (!error) return { ...term, domain: bare(arg) };
      const [spec, lengths] = splitLengths(arg);
      if (lengths && spec && !domainSpecError(spec)) return invalid(term, 'cidr_not_allowed', `${qualifier}${name}:${spec}`);
      return invalid(term, error);
    }

    case 'a':
    case 'mx': {
      const [spec, lengths] = arg === null ? [null, rest] : splitLengths(arg);
      if (spec !== null) {
        const error = domainSpecError(spec);
        if (error === 'address_as_domain' && name === 'a') {
          const cidr = singleLength(lengths.replace(/\/\/.*$/, ''), 32);
          return invalid(term, error, cidr.fixed !== null ? `${qualifier}ip4:${spec}${cidr.fixed}` : null);
        }
        if (error) return invalid(term, error);
      }
      const cidr = dualLengths(lengths);
      if (!cidr.valid) return invalid(term, 'bad_cidr', cidr.fixed !== null ? `${qualifier}${name}${spec === null ? '' : `:${spec}`}${cidr.fixed}` : null);
      return { ...term, domain: spec === null ? null : bare(spec) };
    }

    case 'ip4':
    case 'ip6': {
      const v4 = name === 'ip4';
      const code = v4 ? 'bad_ip4' : 'bad_ip6';
      if (arg === null || arg === '') return invalid(term, code);
      const slash = arg.indexOf('/');
      const address = slash < 0 ? arg : arg.slice(0, slash);
      const lengths = slash < 0 ? '' : arg.slice(slash);
      const cidr = singleLength(lengths, v4 ? 32 : 128);
      if (v4 && !IP4.test(address)) {
        // A port after the address (`ip4:192.0.2.1:25`) has been published often enough to deserve a fix.
        const port = /^(.+):[0-9]+$/.exec(address);
        return invalid(term, code, port && IP4.test(port[1]!) && cidr.fixed !== null ? `${qualifier}ip4:${port[1]}${cidr.fixed}` : null);
      }
      if (!v4 && (!isIPv6(address) || address.includes('%'))) return invalid(term, code);
      if (!cidr.valid) return invalid(term, 'bad_cidr', cidr.fixed !== null ? `${qualifier}${name}:${address}${cidr.fixed}` : null);
      return { ...term, value: address };
    }
  }
}

/**
 * The terms of one SPF record (which starts with `v=spf1`), each checked. Terms are separated by spaces only
 * (§4.6.1): a tab, line break or other control character is part of the term it stands in, and breaks it. A record
 * may name redirect= and exp= once each (§6): the second of either breaks the rule.
 */
export function parseRecord(record: string): SpfTerm[] {
  const terms = record
    .replace(/^\s*v=spf1/i, '')
    .split(' ')
    .filter(Boolean)
    .map(parseTerm);
  const seen = new Set<string>();
  return terms.map((t) => {
    if (!t.modifier || (t.name !== 'redirect' && t.name !== 'exp')) return t;
    if (!seen.has(t.name)) {
      seen.add(t.name);
      return t;
    }
    return t.error ? t : invalid(t, 'duplicate_modifier');
  });
}
