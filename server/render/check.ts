import type { TFunction } from 'i18next';
import type { EmailDomainReport } from '../checks/email-domain.ts';

export interface VerdictView {
  part: 'spf' | 'mx' | 'dmarc';
  status: string;
  tone: 'ok' | 'warn' | 'bad';
  text: string;
}

export interface CheckView {
  domain: string;
  verdicts: VerdictView[];
  /** The exact SPF record to publish, when one needs changing. */
  record: string | null;
  bindLine: string | null;
  raw: { spf: string[]; mx: string[]; dmarc: string | null };
}

const TONE: Record<string, VerdictView['tone']> = {
  ok: 'ok',
  none_policy: 'warn',
  too_many_lookups: 'bad',
  error: 'warn',
};

/** A check's report in plain words of the reader's language: one line per part, the record to publish, the raw data. */
export function checkView(report: EmailDomainReport, t: TFunction): CheckView {
  const { spf, mx, dmarc } = report;
  const domain = report.domainUnicode === report.domain ? report.domain : `${report.domainUnicode} (${report.domain})`;
  const allText = spf.records.length ? ` ${t(`check.all.${spf.all ?? 'none'}`)}` : '';
  const verdicts: VerdictView[] = [
    {
      part: 'spf',
      status: spf.status,
      tone: TONE[spf.status] ?? 'bad',
      text:
        t(`check.spf.${spf.status}`, {
          domain,
          lookups: spf.lookups,
          voids: spf.voidLookups,
          count: spf.records.length,
          includes: spf.missingIncludes.join(', '),
          message: spf.message ?? '',
        }) + (spf.status === 'ok' || spf.status === 'include_missing' ? allText : ''),
    },
    {
      part: 'mx',
      status: mx.status,
      tone: TONE[mx.status] ?? 'bad',
      text: t(`check.mx.${mx.status}`, { domain, hosts: mx.hosts.map((h) => h.exchange).join(', '), message: mx.message ?? '' }),
    },
    {
      part: 'dmarc',
      status: dmarc.status,
      tone: TONE[dmarc.status] ?? 'bad',
      text: t(`check.dmarc.${dmarc.status}`, { domain: report.domain, policy: dmarc.policy ?? '', message: dmarc.message ?? '' }),
    },
  ];
  return {
    domain,
    verdicts,
    record: spf.suggestedRecord,
    bindLine: spf.bindLine,
    raw: { spf: spf.records, mx: mx.hosts.map((h) => `${h.priority} ${h.exchange || '.'}`), dmarc: dmarc.record },
  };
}
