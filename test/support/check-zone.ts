import type { CheckVerdicts } from '../../flows/types.ts';
import { includeTarget } from '../../server/checks/spf.ts';
import type { Zone } from './dns-server.ts';

const LOOKUP_HOGS = Array.from({ length: 11 }, (_, i) => `hog${i}.example.net`);

/**
 * Builds, for a check expecting `includes`, a domain whose live check gives exactly `verdicts`, and its DNS records.
 * Undefined when no domain can (an include cannot be missing when none is expected).
 */
export function domainFor(verdicts: CheckVerdicts, includes: readonly string[], id: string): { name: string; zone: Zone; silent: boolean } | undefined {
  const targets = includes.map(includeTarget);
  const name = `${id}.example.com`;
  const wanted = targets.map((t) => `include:${t}`).join(' ');
  const spf: Record<CheckVerdicts['spf']['status'], string[] | undefined> = {
    ok: [targets.length ? `v=spf1 ${wanted} ~all` : 'v=spf1 ip4:192.0.2.1 ~all'],
    missing: [],
    multiple: ['v=spf1 ip4:192.0.2.1 ~all', `v=spf1 ${wanted} -all`.replace('  ', ' ')],
    include_missing: targets.length ? ['v=spf1 ip4:192.0.2.1 ~all'] : undefined,
    too_many_lookups: [`v=spf1 ${LOOKUP_HOGS.map((h) => `include:${h}`).join(' ')} ${wanted} ~all`],
    invalid: [`v=spf1 bogus:${name} ${wanted} ~all`],
    error: [],
  };
  const records = spf[verdicts.spf.status];
  if (!records) return undefined;
  if (verdicts.spf.status === 'error') return { name, zone: {}, silent: true };
  const mx = { ok: ['10 mail.example.net'], missing: [], null_mx: ['0 .'], error: [] }[verdicts.mx.status];
  const dmarc = { ok: ['v=DMARC1; p=reject'], missing: [], none_policy: ['v=DMARC1; p=none'], invalid: ['v=DMARC1; p=maybe'], error: [] }[
    verdicts.dmarc.status
  ];
  const zone: Zone = {
    [name]: [...records.map((value) => ({ type: 'TXT' as const, value })), ...mx.map((value) => ({ type: 'MX' as const, value }))],
    ...(dmarc.length ? { [`_dmarc.${name}`]: dmarc.map((value) => ({ type: 'TXT' as const, value })) } : {}),
  };
  for (const t of [...targets, ...LOOKUP_HOGS]) zone[t] = [{ type: 'TXT', value: 'v=spf1 ip4:198.51.100.0/24 -all' }];
  return { name, zone, silent: false };
}
