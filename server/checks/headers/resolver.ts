import { DnsError, type Answer, type Lookups } from '../dns.ts';

/** mailauth's resolver: `dns.resolve`'s shape, answers as arrays, no answer as an error with its code. */
export type MailauthResolver = (name: string, rrtype: string) => Promise<any[]>;

function answered<T>(answer: Answer<T>): T[] {
  if ('records' in answer) return answer.records;
  throw Object.assign(new Error(`${answer.none} for the name`), { code: answer.none === 'nxdomain' ? 'ENOTFOUND' : 'ENODATA' });
}

/**
 * mailauth's lookups go through one check's budget (queries and deadline), so a pasted message naming a hundred
 * includes costs what any check may cost. A budget error reaches mailauth as a DNS failure: it reports temperror.
 */
export function mailauthResolver(lookups: Lookups): MailauthResolver {
  return async (name, rrtype) => {
    try {
      switch (rrtype.toUpperCase()) {
        // mailauth joins a TXT record's strings itself; ours come joined already.
        case 'TXT':
          return answered(await lookups.txt(name)).map((t) => [t]);
        case 'MX':
          return answered(await lookups.mx(name));
        case 'A':
        case 'AAAA':
        case 'PTR':
          return answered(await lookups.records(name, rrtype.toUpperCase() as 'A' | 'AAAA' | 'PTR'));
        default:
          throw Object.assign(new Error(`${rrtype} is not asked`), { code: 'ENOTIMP' });
      }
    } catch (e) {
      if (e instanceof DnsError) throw Object.assign(new Error(e.message), { code: e.code });
      throw e;
    }
  };
}
