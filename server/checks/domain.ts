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

/**
 * A domain someone sends email from: at least two labels, letters/digits/hyphens per label (after IDNA), at most
 * 253 characters, and public: under a suffix of the public suffix list's ICANN section, and more than the suffix
 * itself. IP addresses, `localhost`, single labels and private names (`.local`, `.internal`, `.lan`, `.corp`,
 * `.home.arpa`, …) are not such domains: checking them would only ask the server's own resolver about its own
 * network. Returns a reason when invalid.
 */
export function parseDomain(input: unknown): CheckedDomain | { error: string } {
  if (typeof input !== 'string' || !input.trim()) return { error: 'domain is required' };
  let name = input.trim().toLowerCase();
  if (name.length > 300) return { error: 'domain is longer than 253 characters' };
  // People paste addresses and URLs: take the domain out of them.
  name = name.replace(/^[a-z]+:\/\//, '').replace(/^[^@/]*@/, '').replace(/[/?#].*$/, '').replace(/\.$/, '');
  if (isIP(name) || isIP(name.replace(/^\[|\]$/g, ''))) return { error: 'an IP address is not a domain' };
  const ascii = domainToASCII(name);
  if (!ascii) return { error: 'domain contains characters a domain cannot have' };
  if (ascii.length > 253) return { error: 'domain is longer than 253 characters' };
  const labels = ascii.split('.');
  if (labels.at(-1) === 'localhost') return { error: 'localhost is not a domain that sends email' };
  if (labels.length < 2) return { error: 'domain needs at least two parts, like example.com' };
  if (!labels.every((l) => LABEL.test(l))) return { error: 'domain contains characters a domain cannot have' };
  if (/^\d+$/.test(labels.at(-1)!)) return { error: 'domain cannot end in a number' };
  const { publicSuffix, domain, isIcann } = parseName(ascii, { allowPrivateDomains: false, validateHostname: false });
  const tld = labels.at(-1)!;
  if (NOT_FOR_MAIL.has(tld)) return { error: `${ascii} is not a public domain (names under .${tld} are not used for email); only public domains can be checked` };
  if (!isIcann || !publicSuffix)
    return { error: `${ascii} is not a public domain (.${publicSuffix ?? tld} is not a public domain ending); only public domains can be checked` };
  if (!domain) return { error: `${ascii} is a public suffix that anyone can register under, not a domain; give the whole domain, like example.${ascii}` };
  return { ascii, unicode: domainToUnicode(ascii) || ascii };
}
