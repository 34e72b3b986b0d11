import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

export interface CheckedDomain {
  /** The name as DNS knows it (punycode for internationalised names). */
  ascii: string;
  /** The name as people write it. */
  unicode: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain someone sends email from: at least two labels, letters/digits/hyphens per label (after IDNA), at most
 * 253 characters. IP addresses, `localhost` and single labels are not such domains. Returns a reason when invalid.
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
  return { ascii, unicode: domainToUnicode(ascii) || ascii };
}
