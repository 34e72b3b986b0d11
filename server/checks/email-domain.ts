import { checkDmarc, type DmarcResult } from './dmarc.ts';
import type { Dns } from './dns.ts';
import type { CheckedDomain } from './domain.ts';
import { checkMx, type MxResult } from './mx.ts';
import { checkSpf, type SpfResult } from './spf.ts';

export interface EmailDomainReport {
  domain: string;
  domainUnicode: string;
  spf: SpfResult;
  mx: MxResult;
  dmarc: DmarcResult;
}

/**
 * SPF (with the includes a flow expects), MX and DMARC of a sender domain, looked up in parallel within one budget of
 * queries and time: a part that runs out of either has status `error`, the parts done by then keep their verdicts.
 */
export async function checkEmailDomain(dns: Dns, domain: CheckedDomain, includes: string[]): Promise<EmailDomainReport> {
  const [spf, mx, dmarc] = await dns.withBudget((lookups) =>
    Promise.all([checkSpf(lookups, domain.ascii, includes), checkMx(lookups, domain.ascii), checkDmarc(lookups, domain.ascii)]),
  );
  return { domain: domain.ascii, domainUnicode: domain.unicode, spf, mx, dmarc };
}
