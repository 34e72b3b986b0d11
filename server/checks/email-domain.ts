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

/** SPF (with the includes a flow expects), MX and DMARC of a sender domain, looked up in parallel. */
export async function checkEmailDomain(dns: Dns, domain: CheckedDomain, includes: string[]): Promise<EmailDomainReport> {
  const [spf, mx, dmarc] = await Promise.all([
    checkSpf(dns, domain.ascii, includes),
    checkMx(dns, domain.ascii),
    checkDmarc(dns, domain.ascii),
  ]);
  return { domain: domain.ascii, domainUnicode: domain.unicode, spf, mx, dmarc };
}
