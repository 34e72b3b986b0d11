import type { TFunction } from 'i18next';
import type { HeaderReport } from '../checks/headers.ts';
import type { PasteProblem } from '../http/errors.ts';

export interface HeaderVerdictView {
  part: 'spf' | 'dkim' | 'dmarc' | 'spam';
  status: string;
  tone: 'ok' | 'warn' | 'bad' | 'info';
  text: string;
  /** What to do about it; none where all is well. */
  advice: string | null;
}

export interface HeadersView {
  verdicts: HeaderVerdictView[];
  /** One line per DKIM signature: who signed, with which selector, and what could be checked. */
  signatures: string[];
  /** The receiving server's own results, as `method=result` lines. */
  receiver: { server: string; results: string[] } | null;
  arc: string | null;
  /** Which headers the spam verdict was read from, with Microsoft's SCL and SFV or SpamAssassin's score. */
  spamSources: string | null;
  hops: { from: string; by: string; at: string; delay: string }[];
  total: string | null;
}

const TONES: Record<string, HeaderVerdictView['tone']> = {
  pass: 'ok',
  clean: 'ok',
  unverified: 'info',
  none: 'info',
  softfail: 'warn',
  neutral: 'warn',
  error: 'warn',
  fail: 'bad',
  spam: 'bad',
  blocked: 'bad',
};

/** Seconds as people read a delay: `8 s`, `3 min 20 s`, `2 h 5 min`. */
function duration(seconds: number, t: TFunction): string {
  const s = Math.abs(seconds);
  if (s < 60) return t('headers.seconds', { count: s });
  if (s < 3600) return t('headers.minutes', { count: Math.floor(s / 60), seconds: s % 60 });
  return t('headers.hours', { count: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60) });
}

/** A verdict's text and what to do, from `headers.<part>.<status>` and `headers.advice.<part>.<status>`. */
function verdict(part: HeaderVerdictView['part'], status: string, values: Record<string, unknown>, t: TFunction): HeaderVerdictView {
  const adviceKey = `headers.advice.${part}.${status}`;
  const advice = t(adviceKey, values);
  return { part, status, tone: TONES[status] ?? 'warn', text: t(`headers.${part}.${status}`, values), advice: advice === adviceKey ? null : advice };
}

function spamSources({ spam }: HeaderReport): string {
  const found = [spam.scl !== null ? `SCL ${spam.scl}` : '', spam.sfv ? `SFV ${spam.sfv}` : '', spam.score !== null ? `score ${spam.score}/${spam.required ?? '?'}` : '']
    .filter(Boolean)
    .join(', ');
  return `${spam.sources.join(', ')}${found ? ` (${found})` : ''}`;
}

/** A headers report in plain words of the reader's language. */
export function headersView(r: HeaderReport, t: TFunction): HeadersView {
  const none = t('headers.unknown');
  const signed = r.dkim.signatures.map((s) => s.domain).join(', ') || none;
  return {
    verdicts: [
      verdict('spf', r.spf.status, { domain: r.spf.domain ?? none, ip: r.spf.ip ?? none }, t),
      verdict('dkim', r.dkim.status, { domains: signed, from: r.from.domain ?? none }, t),
      verdict('dmarc', r.dmarc.status, { from: r.from.domain ?? none, policy: r.dmarc.policy ?? none }, t),
      verdict('spam', r.spam.status, { scl: r.spam.scl ?? none, sfv: r.spam.sfv ?? none, score: r.spam.score ?? none }, t),
    ],
    signatures: r.dkim.signatures.map((s) =>
      t('headers.signature', {
        domain: s.domain,
        selector: s.selector,
        key: t(`headers.key.${s.key}`, { name: `${s.selector}._domainkey.${s.domain}` }),
        check: t(`headers.headerCheck.${s.headers}`),
        receiver: s.receiver ?? none,
      }),
    ),
    receiver: r.receiver
      ? { server: r.receiver.authserv ?? none, results: r.receiver.results.map((x) => `${x.method}=${x.result}${x.props['header.d'] ? ` (${x.props['header.d']})` : ''}`) }
      : null,
    spamSources: r.spam.sources.length ? t('headers.spamDetails', { sources: spamSources(r) }) : null,
    arc: r.arc ? t('headers.arc', { count: r.arc.instances, result: r.arc.receiver ?? none }) : null,
    hops: r.hops.map((h) => ({
      from: h.from ?? h.ip ?? none,
      by: h.by ?? none,
      at: h.at ?? none,
      delay: h.delaySeconds === null ? '' : duration(h.delaySeconds, t),
    })),
    total: r.totalDelaySeconds === null ? null : t('headers.total', { duration: duration(r.totalDelaySeconds, t) }),
  };
}

/** What a paste box (headers, or a bounce) shows again after a refusal: the text pasted, and why it was not checked. */
export function pasteField(t: TFunction, value: string, problem: PasteProblem, box: 'headers' | 'bounceCheck' = 'headers') {
  return { value, error: t(`${box}.invalid.${problem}`) };
}
