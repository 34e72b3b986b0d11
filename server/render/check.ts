import type { TFunction } from 'i18next';
import { getDomain } from 'tldts';
import type { DmarcResult } from '../checks/dmarc.ts';
import type { EmailDomainReport } from '../checks/email-domain.ts';
import type { SpfError } from '../checks/spf.ts';

export interface VerdictView {
  part: 'spf' | 'mx' | 'dmarc';
  status: string;
  /** `info`: a finding the guide's article does not ask about (a DMARC record where the article never mentions DMARC). */
  tone: 'ok' | 'warn' | 'bad' | 'info';
  text: string;
  /** What exactly is wrong, one line each (the SPF terms that break a rule, and the rule in plain words). */
  details: string[];
}

export interface CheckView {
  domain: string;
  verdicts: VerdictView[];
  /** The exact SPF record to publish, when one needs changing. */
  record: string | null;
  bindLine: string | null;
  /** How the record to publish differs from the published one where a term had to go or be corrected, one line each. */
  recordChanges: string[];
  raw: { spf: string[]; mx: string[]; dmarc: string | null };
}

/** Terms listed under a verdict at most; a record made of hundreds of broken terms says how many more there are. */
const DETAILS_SHOWN = 10;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A term as people can read it. The resolver hands TXT bytes over one byte per character, so a term published in
 * UTF-8 (`bücher`) is shown decoded when it is valid UTF-8. Control characters (invisible, or breaking the line)
 * are shown as their printable symbols, and other invisible characters (a byte order mark, a no-break space) as
 * their code point.
 */
function readable(term: string): string {
  let text = term;
  if (/[\x80-\xff]/.test(text) && !/[^\x00-\xff]/.test(text)) {
    try {
      text = utf8.decode(Buffer.from(text, 'latin1'));
    } catch {
      // Not UTF-8: shown byte by byte.
    }
  }
  return text
    .replace(/[\x00-\x1f\x7f]/g, (c) => String.fromCharCode(c === '\x7f' ? 0x2421 : 0x2400 + c.charCodeAt(0)))
    .replace(/[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/gu, (c) => (c === ' ' ? c : `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`));
}

function spfDetails(errors: SpfError[], domain: string, t: TFunction): string[] {
  const lines = errors.slice(0, DETAILS_SHOWN).map((e) => {
    const error = t(`check.spfError.${e.code}`, { term: readable(e.term) });
    return e.domain === domain ? error : t('check.spfErrorElsewhere', { domain: e.domain, error });
  });
  if (errors.length > DETAILS_SHOWN) lines.push(t('check.spfErrorMore', { count: errors.length - DETAILS_SHOWN }));
  return lines;
}

function recordChanges(errors: SpfError[], t: TFunction): string[] {
  return errors.flatMap((e) => {
    if (e.fix === undefined || e.fix === e.term) return [];
    const term = readable(e.term);
    return [e.fix === null ? t('check.spfFix.dropped', { term }) : t('check.spfFix.fixed', { term, fix: e.fix })];
  });
}

/*
 * A failed lookup's message is stored in English (the JSON API shows it as is); a page shows it in the reader's
 * language. Reports stored earlier carry the same messages, so they are read back by their wording.
 */
const DNS_MESSAGES: [RegExp, string][] = [
  [/^DNS did not answer for (?<query>.*) in time$/, 'timeout'],
  [/^DNS failed for (?<query>.*) \((?<code>[^)]*)\)$/, 'failed'],
  [/^the check took longer than (?<seconds>[\d.]+) s in all and was stopped$/, 'deadline'],
  [/^the check was stopped after (?<queries>\d+) DNS queries/, 'limit'],
];

/** A lookup failure in the reader's words; a message of unknown wording is summed up, not shown in English. */
export function dnsMessage(message: string | undefined, t: TFunction): string {
  for (const [pattern, key] of DNS_MESSAGES) {
    const m = pattern.exec(message ?? '');
    if (m) return t(`check.dnsError.${key}`, { query: '', code: '', seconds: '', queries: '', ...m.groups });
  }
  return t('check.dnsError.other');
}

/**
 * Which DMARC record applies and how strictly, one line each: inherited from the organisational domain (and whether
 * by sp= or p=), alignment of DKIM and SPF, the share of mail the policy covers. Reports stored before these were
 * reported have none of them, and show no lines.
 */
function dmarcDetails(dmarc: DmarcResult, domain: string, t: TFunction): string[] {
  const org = dmarc.inheritedFrom ?? dmarc.orgDomain ?? getDomain(domain) ?? domain;
  const lines: string[] = [];
  if (dmarc.inheritedFrom) lines.push(t(dmarc.fromSp ? 'check.dmarcDetail.inheritedSp' : 'check.dmarcDetail.inheritedP', { domain, org, policy: dmarc.policy ?? '' }));
  if (dmarc.status === 'missing' && dmarc.orgDomain) lines.push(t('check.dmarcDetail.orgMissing', { domain, org }));
  if (dmarc.adkim) lines.push(t(`check.dmarcDetail.adkim.${dmarc.adkim}`, { org }));
  if (dmarc.aspf) lines.push(t(`check.dmarcDetail.aspf.${dmarc.aspf}`, { org }));
  if (dmarc.pct !== undefined) lines.push(dmarc.pct >= 100 ? t('check.dmarcDetail.pctAll') : t('check.dmarcDetail.pctPart', { pct: dmarc.pct }));
  return lines;
}

/** DMARC findings shown as information where the article does not ask for DMARC. */
const DMARC_INFO = ['missing', 'none_policy', 'invalid'] as const;

const TONE: Record<string, VerdictView['tone']> = {
  ok: 'ok',
  none_policy: 'warn',
  too_many_lookups: 'bad',
  error: 'warn',
};

/** What the check step's article asks of the domain beyond SPF and MX (`meta.check` of the step). */
export interface CheckAsks {
  dmarc?: boolean;
}

/**
 * A check's report in plain words of the reader's language: one line per part, the record to publish, the raw data.
 * Where the article does not ask for DMARC, a missing, weak or invalid DMARC record is information, not a failure.
 */
export function checkView(report: EmailDomainReport, t: TFunction, asks: CheckAsks = {}): CheckView {
  const { spf, mx, dmarc } = report;
  // Reports stored before errors were reported have none.
  const errors = spf.errors ?? [];
  const domain = report.domainUnicode === report.domain ? report.domain : `${report.domainUnicode} (${report.domain})`;
  const dmarcInfo = !asks.dmarc && (DMARC_INFO as readonly string[]).includes(dmarc.status);
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
          // The missing includes are counted where they are named, so a verb agrees with them ("fehlen").
          count: spf.status === 'include_missing' ? spf.missingIncludes.length : spf.records.length,
          includes: spf.missingIncludes.join(', '),
          message: dnsMessage(spf.message, t),
        }) + (spf.status === 'ok' || spf.status === 'include_missing' ? allText : ''),
      details: spfDetails(errors, report.domain, t),
    },
    {
      part: 'mx',
      status: mx.status,
      tone: TONE[mx.status] ?? 'bad',
      text: t(`check.mx.${mx.status}`, { domain, hosts: mx.hosts.map((h) => h.exchange).join(', '), message: dnsMessage(mx.message, t) }),
      details: [],
    },
    {
      part: 'dmarc',
      status: dmarc.status,
      tone: dmarcInfo ? 'info' : (TONE[dmarc.status] ?? 'bad'),
      text: t(dmarcInfo ? `check.dmarcInfo.${dmarc.status}` : `check.dmarc.${dmarc.status}`, { domain: report.domain, policy: dmarc.policy ?? '', tag: dmarc.fromSp ? 'sp' : 'p', message: dnsMessage(dmarc.message, t) }),
      details: dmarcDetails(dmarc, report.domain, t),
    },
  ];
  return {
    domain,
    verdicts,
    record: spf.suggestedRecord,
    bindLine: spf.bindLine,
    recordChanges: spf.suggestedRecord ? recordChanges(errors, t) : [],
    raw: { spf: spf.records, mx: mx.hosts.map((h) => `${h.priority} ${h.exchange || '.'}`), dmarc: dmarc.record },
  };
}
