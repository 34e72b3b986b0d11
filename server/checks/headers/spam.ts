import type { SpamStatus } from '../../../flows/types.ts';
import { fieldsNamed, type HeaderField } from './text.ts';

export interface SpamVerdict {
  status: SpamStatus;
  /** Microsoft's spam confidence level: -1 (skipped, trusted) to 9 (high confidence spam); 5 and up is spam. */
  scl: number | null;
  /** Microsoft's spam filter verdict: SPM spam, NSPM not spam, BLK blocked sender, SKA/SFE allowed by a list… */
  sfv: string | null;
  /** SpamAssassin's score and the score it counts as spam from, when X-Spam-Status gives them. */
  score: number | null;
  required: number | null;
  /** The headers the verdict was read from. */
  sources: string[];
}

/** `CIP:203.0.113.5;CTRY:SE;SCL:1;SFV:NSPM;…` into its fields. */
function forefront(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(';')) {
    const colon = part.indexOf(':');
    if (colon > 0) out[part.slice(0, colon).trim().toUpperCase()] = part.slice(colon + 1).trim();
  }
  return out;
}

const SPAM_SFV = new Set(['SPM']);
/** Microsoft delivers as spam from SCL 5, and quarantines or junks at 9 by default. */
const SPAM_SCL = 5;

/** The spam verdicts the receiving side wrote, as one status: spam if any filter said so. */
export function spamVerdict(fields: readonly HeaderField[]): SpamVerdict {
  const sources: string[] = [];
  let scl: number | null = null;
  let sfv: string | null = null;
  const report = fieldsNamed(fields, 'x-forefront-antispam-report')[0];
  if (report) {
    const f = forefront(report.value);
    sources.push('X-Forefront-Antispam-Report');
    if (f.SCL !== undefined && /^-?\d$/.test(f.SCL)) scl = Number(f.SCL);
    if (f.SFV) sfv = f.SFV.toUpperCase();
  }
  const orgScl = fieldsNamed(fields, 'x-ms-exchange-organization-scl')[0];
  if (orgScl && /^-?\d$/.test(orgScl.value.trim())) {
    sources.push('X-MS-Exchange-Organization-SCL');
    scl = Math.max(scl ?? -1, Number(orgScl.value.trim()));
  }
  const status = fieldsNamed(fields, 'x-spam-status')[0];
  const flag = fieldsNamed(fields, 'x-spam-flag')[0];
  let score: number | null = null;
  let required: number | null = null;
  let assassin: boolean | null = null;
  if (status) {
    sources.push('X-Spam-Status');
    assassin = /^\s*yes\b/i.test(status.value);
    const s = /score=(-?[\d.]+)/i.exec(status.value);
    const r = /required=(-?[\d.]+)/i.exec(status.value);
    score = s ? Number(s[1]) : null;
    required = r ? Number(r[1]) : null;
  }
  if (flag) {
    sources.push('X-Spam-Flag');
    assassin = (assassin ?? false) || /^\s*yes\b/i.test(flag.value);
  }
  const verdict: SpamStatus = !sources.length
    ? 'none'
    : sfv === 'BLK'
      ? 'blocked'
      : (sfv && SPAM_SFV.has(sfv)) || (scl !== null && scl >= SPAM_SCL) || assassin
        ? 'spam'
        : 'clean';
  return { status: verdict, scl, sfv, score, required, sources };
}
