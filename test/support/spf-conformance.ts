import { pathToFileURL } from 'node:url';
import { createDns } from '../../server/checks/dns.ts';
import { parseDomain } from '../../server/checks/domain.ts';
import { checkEmailDomain } from '../../server/checks/email-domain.ts';
import type { SpfResult } from '../../server/checks/spf.ts';
import { GROUPS, type AuditorVerdict, type ConformanceCase } from '../fixtures/spf-rfc7208.ts';
import { startDnsServer } from './dns-server.ts';

export interface CaseRun {
  group: string;
  case: ConformanceCase;
  /** The auditor's answer; undefined for a skipped case. */
  actual?: AuditorVerdict;
  spf?: SpfResult;
  agrees?: boolean;
}

/** How long a silent name is waited for (the suite's TIMEOUT): long enough that a loaded machine never times out an answering one. */
const TIMEOUT_MS = 1000;

/**
 * Runs every case of the RFC 7208 corpus through the domain check, each group's zone served by a real DNS server on
 * 127.0.0.1 (the groups reuse names, so each has its own server). No cache: every case asks afresh.
 */
export async function runConformance(): Promise<CaseRun[]> {
  const runs: CaseRun[] = [];
  for (const group of GROUPS) {
    const server = await startDnsServer(group.zone, group.silent ?? []);
    try {
      const dns = createDns({ servers: [server.server], timeoutMs: TIMEOUT_MS, cacheMs: 0 });
      for (const c of group.cases) {
        if (c.skip) {
          runs.push({ group: group.name, case: c });
          continue;
        }
        const d = parseDomain(c.domain);
        const spf = 'error' in d ? undefined : (await checkEmailDomain(dns, d, [])).spf;
        const actual: AuditorVerdict = spf?.status ?? 'refused';
        runs.push({ group: group.name, case: c, actual, spf, agrees: actual === c.expect });
      }
    } finally {
      server.close();
    }
  }
  return runs;
}

export function figures(runs: CaseRun[]) {
  const selected = runs.filter((r) => !r.case.skip);
  return {
    total: runs.length,
    selected: selected.length,
    agreed: selected.filter((r) => r.agrees).length,
    skipped: runs.length - selected.length,
  };
}

// `npx tsx test/support/spf-conformance.ts` prints the figures and every disagreement.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = await runConformance();
  const f = figures(runs);
  for (const r of runs.filter((r) => r.agrees === false)) console.log(`disagrees  ${r.group} / ${r.case.id}: expected ${r.case.expect}, got ${r.actual}`);
  for (const r of runs.filter((r) => r.case.skip)) console.log(`skipped    ${r.group} / ${r.case.id}: ${r.case.skip}`);
  console.log(`RFC 7208 suite: ${f.total} cases, ${f.selected} selected, ${f.agreed} agreed, ${f.skipped} skipped`);
}
