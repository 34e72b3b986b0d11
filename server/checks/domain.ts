import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { parse as parseName } from 'tldts';

export interface CheckedDomain {
  /** The name as DNS knows it (punycode for internationalised names). */
  ascii: string;
  /** The name as people write it. */
  unicode: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Top-level names the public suffix list has but no sender mails from: `.arpa` is the DNS's own infrastructure
 * (RFC 3172; `home.arpa` is for home networks, RFC 8375) and `.onion` is never in the DNS (RFC 7686).
 */
const NOT_FOR_MAIL = new Set(['arpa', 'onion']);

/** Whether a name lies under a public suffix where anyone could look it up (a name in an SPF record, say). */
export function isPublicName(name: string): boolean {
  const { domain, isIcann } = parseName(name, { allowPrivateDomains: false, validateHostname: false });
  return Boolean(isIcann && domain) && !NOT_FOR_MAIL.has(name.replace(/\.$/, '').split('.').at(-1)!);
}

/** Why a typed domain cannot be checked: each has its text for people (`check.invalid.<reason>`). */
export const DOMAIN_PROBLEMS = ['required', 'too_long', 'ip', 'characters', 'localhost', 'one_label', 'number', 'not_public', 'public_suffix'] as const;
export type DomainProblem = (typeof DOMAIN_PROBLEMS)[number];

/** A domain that cannot be checked: the reason for developers (`error`), its kind for people's texts (`problem`). */
export interface DomainRefusal {
  error: string;
  problem: DomainProblem;
  /** The name as far as it was read (for a text that names it). */
  name?: string;
}

/**
 * A domain someone sends email from: at least two labels, letters/digits/hyphens per label (after IDNA), at most
 * 253 characters, and public: under a suffix of the public suffix list's ICANN section, and more than the suffix
 * itself. IP addresses, `localhost`, single labels and private names (`.local`, `.internal`, `.lan`, `.corp`,
 * `.home.arpa`, …) are not such domains: checking them would only ask the server's own resolver about its own
 * network. Returns a reason when invalid.
 */
export function parseDomain(input: unknown): CheckedDomain | { error: string } {
  const result = readDomain(input);
  return 'error' in result ? { error: result.error } : result;
}

/** parseDomain, with the kind of problem when the domain cannot be checked. */
export function readDomain(input: unknown): CheckedDomain | DomainRefusal {
  const refuse = (problem: DomainProblem, error: string, name?: string): DomainRefusal => ({ error, problem, ...(name ? { name } : {}) });
  if (typeof input !== 'string' || !input.trim()) return refuse('required', 'domain is required');
  let name = input.trim().toLowerCase();
  if (name.length > 300) return refuse('too_long', 'domain is longer than 253 characters');
  // People paste addresses and URLs: take the domain out of them.
  name = hostOf(name);
  const unbracketed = name.replace(/^\[|\]$/g, '');
  if (isIP(name) || isIP(unbracketed)) return refuse('ip', 'an IP address is not a domain', unbracketed);
  const ascii = domainToASCII(name);
  if (!ascii) return refuse('characters', 'domain contains characters a domain cannot have');
  if (ascii.length > 253) return refuse('too_long', 'domain is longer than 253 characters');
  const labels = ascii.split('.');
  const shown = domainToUnicode(ascii) || ascii;
  if (labels.at(-1) === 'localhost') return refuse('localhost', 'localhost is not a domain that sends email', shown);
  if (labels.length < 2) return refuse('one_label', 'domain needs at least two parts, like example.com', shown);
  if (!labels.every((l) => LABEL.test(l))) return refuse('characters', 'domain contains characters a domain cannot have');
  if (/^\d+$/.test(labels.at(-1)!)) return refuse('number', 'domain cannot end in a number', shown);
  const { publicSuffix, domain, isIcann } = parseName(ascii, { allowPrivateDomains: false, validateHostname: false });
  const tld = labels.at(-1)!;
  if (NOT_FOR_MAIL.has(tld))
    return refuse('not_public', `${ascii} is not a public domain (names under .${tld} are not used for email); only public domains can be checked`, shown);
  if (!isIcann || !publicSuffix)
    return refuse('not_public', `${ascii} is not a public domain (.${publicSuffix ?? tld} is not a public domain ending); only public domains can be checked`, shown);
  if (!domain)
    return refuse('public_suffix', `${ascii} is a public suffix that anyone can register under, not a domain; give the whole domain, like example.${ascii}`, shown);
  return { ascii, unicode: shown };
}

/** The host in what people paste: a URL's host, an address's domain, or the name itself. */
const hostOf = (name: string) => name.replace(/^[a-z]+:\/\//, '').replace(/^[^@/]*@/, '').replace(/[/?#].*$/, '').replace(/\.$/, '');

/**
 * The registrable domain to offer instead, when what was typed is a web address rather than a sending domain: a
 * pasted URL (`https://www.företag.se/`) or a `www.` name, whose registrable domain (public suffix list) is shorter
 * (`företag.se`). Email comes from that domain; a check of `www.företag.se` would find none of its records. Other
 * subdomains (`mail.example.com`, `news.example.com`) are names people do send from, and are checked as typed.
 */
export function suggestedDomain(input: unknown): { host: CheckedDomain; domain: CheckedDomain } | undefined {
  if (typeof input !== 'string') return undefined;
  const typed = input.trim().toLowerCase();
  const checked = readDomain(typed);
  if ('error' in checked) return undefined;
  const looksLikeWeb = /^[a-z]+:\/\//.test(typed) || /^[^@]*\//.test(typed) || checked.ascii.startsWith('www.');
  if (!looksLikeWeb || /^[^/]*@/.test(typed.replace(/^[a-z]+:\/\//, ''))) return undefined;
  const { domain } = parseName(checked.ascii, { allowPrivateDomains: false, validateHostname: false });
  if (!domain || domain === checked.ascii) return undefined;
  const registrable = readDomain(domain);
  return 'error' in registrable ? undefined : { host: checked, domain: registrable };
}

/**
 * What the domain field offers for what was sent: suggestedDomain, once. Sent again with `seen` (the text it was
 * offered for) unchanged, the person means what they typed, and it is checked as typed.
 */
export function offeredDomain(typed: string, seen: string | undefined) {
  return seen === typed ? undefined : suggestedDomain(typed);
}
