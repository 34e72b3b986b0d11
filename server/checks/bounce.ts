/*
 * A pasted bounce (non-delivery report) read for what the receiving server said: the SMTP reply code, the enhanced
 * status code (RFC 3463) and the reply line itself, taken from the machine-readable DSN part (RFC 3464) when the
 * paste has one, else from the text of the Exchange / Microsoft 365, Gmail and Postfix formats (Exchange writes
 * its reports in the recipient organisation's language, but the codes and the remote reply stay as sent).
 *
 * Pure and bounded: the text is cut at BOUNCE_MAX_CHARS, read line by line, and every pattern is a single pass
 * without nested repetition, so junk of any shape costs time in proportion to its length.
 */

// The categories are the flows' vocabulary (guards branch on them), so they are listed with the other statuses.
import { BOUNCE_CATEGORIES, type BounceCategory } from '../../flows/types.ts';

export { BOUNCE_CATEGORIES, type BounceCategory };

export interface BounceReport {
  /** The basic SMTP reply code, e.g. `550`. */
  code: string | null;
  /** The enhanced status code, e.g. `5.1.1`. */
  enhanced: string | null;
  category: BounceCategory;
  /** The remote server's reply, addresses masked. */
  remoteReply: string | null;
  /** The address that bounced, masked. */
  recipient: string | null;
}

/** The most of a paste that is read (64 KB); the route refuses longer ones, this keeps the function bounded alone. */
export const BOUNCE_MAX_CHARS = 65_536;
/** A remote reply is shown up to this length: enough for the multi-line replies of Gmail, never a whole paste. */
const REPLY_MAX_CHARS = 600;
/** Continuation lines of one multi-line SMTP reply joined at most. */
const REPLY_MAX_LINES = 12;

// An enhanced code not inside a longer dotted number (an IP address, a version).
const ENHANCED = /(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)/;
// A reply code followed by its enhanced code: `550 5.1.1`, `550-5.1.1`, `#550 5.1.1`, `smtp;550 5.1.1`.
const REPLY_WITH_ENHANCED = /(?<![\w.])([245]\d\d)[ -]#?([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/;
// A bare reply code where NDRs put one: at the start of a line, after `said:`, `smtp;`, or an opening quote.
const BARE_REPLY = /(?:^[\s>#'"<]{0,4}|said:\s{0,4}|smtp;\s{0,4}|returned\s{0,4}'|was:\s{0,4})([45]\d\d)(?=[ -][^\d\s])/i;
const DSN_FIELD = /^(status|diagnostic-code|final-recipient|original-recipient|action|remote-mta)\s*:\s*(.*)$/i;
const ROBOT = /^(mailer-daemon|postmaster|microsoftexchange[0-9a-f]*|no-?reply)@/i;

/** `jane.doe@example.org` → `j***@example.org`: the domain is what helps, the person's name is not ours to keep. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`;
}

// Every local part is masked, whatever follows its `@`: a domain cannot then swallow the next address's name.
const maskAll = (text: string) => text.replace(/[A-Za-z0-9._%+=-]{1,64}@/g, (local) => `${local[0]}***@`);

// Wording receivers use when SPF (or the sender domain's own records, as article 004 warns with its error 550) is why.
const SPF_WORDING = /\bSPF\b|sender policy framework|not authori[sz]ed to send|sender (?:is )?not authori[sz]ed|not (?:a )?(?:designated )?permitted sender|sender address rejected: domain not found|sender domain (?:does not|doesn't) exist/i;
const DMARC_WORDING = /\bDMARC\b/i;
const NO_USER_WORDING = /user unknown|unknown user|no such user|does not exist|doesn't exist|recipient not found|unknown recipient|recipientnotfound|recipnotfound|recipient address rejected|mailbox unavailable|invalid recipient/i;
const FULL_WORDING = /mailbox (?:is )?full|over quota|quota exceeded|out of storage|insufficient storage/i;

/** The category of a bounce from its codes and the wording of the remote reply. */
export function categorise(code: string | null, enhanced: string | null, wording: string): BounceCategory {
  const [klass, subject, detail] = enhanced ? enhanced.split('.').map(Number) : [];
  const basic = code ? Number(code) : null;
  // A full mailbox is what the recipient must fix, whether the server still retries (4.2.2, Gmail's 452) or gave up.
  if (subject === 2 && detail === 2) return 'mailbox_full';
  if (klass === 4 || (klass === undefined && basic !== null && basic >= 400 && basic < 500)) return 'temporary';
  if (enhanced === '5.7.26' || (subject === 7 && DMARC_WORDING.test(wording))) return 'dmarc';
  // 5.7.23: SPF validation failed; 5.7.27: the sender domain has a null MX; 5.1.8: the sender's domain is unknown.
  if (enhanced === '5.7.23' || enhanced === '5.7.27' || enhanced === '5.1.8') return 'spf';
  if ((subject === 7 || (klass === undefined && basic === 550)) && SPF_WORDING.test(wording)) return 'spf';
  if (klass === 5 && subject === 1 && (detail === 1 || detail === 10 || detail === 6)) return 'no_such_user';
  if (klass === 5 && subject === 2 && detail === 2) return 'mailbox_full';
  if (klass === 5 && subject === 7) return 'policy';
  if (klass === undefined && basic === 552) return 'mailbox_full';
  if (klass === undefined && (basic === 550 || basic === 551 || basic === 553) && NO_USER_WORDING.test(wording)) return 'no_such_user';
  if (klass === undefined && FULL_WORDING.test(wording)) return 'mailbox_full';
  return 'other';
}

/**
 * The reply starting at `start` in line `index`: up to Exchange's closing quote, with the continuation lines of a
 * multi-line reply (`550-…`) or of Postfix's indented folding joined, without Postfix's `(in reply to … command)`.
 */
function replyFrom(lines: string[], index: number, start: number, code: string | null): string {
  const line = lines[index]!;
  let reply = line.slice(start).trim();
  // Exchange quotes the reply: `Remote server returned '550 5.1.1 …'`.
  const quoted = line.slice(0, start).trimEnd().endsWith("'") ? /^[^']{0,600}'/.exec(reply) : null;
  if (quoted) reply = quoted[0].slice(0, -1);
  else if (code && reply.startsWith(`${code}-`)) {
    const more: string[] = [];
    for (let i = index + 1; i < lines.length && more.length < REPLY_MAX_LINES; i++) {
      const next = lines[i]!.trim();
      if (!next.startsWith(code)) break;
      more.push(next.replace(/^\d{3}[ -](?:[245]\.\d{1,3}\.\d{1,3}\s)?/, ''));
      if (next[3] === ' ') break;
    }
    reply = [reply.replace(/^(\d{3})-/, '$1 '), ...more].join(' ');
  } else {
    for (let i = index + 1; i < lines.length && i <= index + REPLY_MAX_LINES && /^[ \t]+\S/.test(lines[i]!); i++) reply += ` ${lines[i]!.trim()}`;
  }
  // Cut before the work on it (with room for an address across the cut, so it is masked whole), and again after.
  // Older Exchange servers close the reply with ` ##`.
  reply = maskAll(
    reply
      .slice(0, REPLY_MAX_CHARS + 320)
      .replace(/\s+/g, ' ')
      .replace(/\s*\(in reply to [^)]{0,40}\)\s*$/i, '')
      .replace(/\s#{1,4}\s*$/, '')
      .trim(),
  );
  return reply.length > REPLY_MAX_CHARS ? `${reply.slice(0, REPLY_MAX_CHARS)}…` : reply;
}

interface Dsn {
  status?: string;
  diagnostic?: string;
  recipient?: string;
}

/** The fields of a DSN's per-recipient part (RFC 3464 §2.3), the first recipient's; folded lines unfolded. */
function readDsn(lines: string[]): Dsn {
  const dsn: Dsn = {};
  let last: keyof Dsn | undefined;
  for (const line of lines) {
    if (last === 'diagnostic' && /^[ \t]/.test(line) && dsn.diagnostic !== undefined && dsn.diagnostic.length < REPLY_MAX_CHARS) {
      dsn.diagnostic += ` ${line.trim()}`;
      continue;
    }
    last = undefined;
    const m = DSN_FIELD.exec(line);
    if (!m) continue;
    const field = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (field === 'status' && dsn.status === undefined && ENHANCED.test(value)) dsn.status = ENHANCED.exec(value)![0];
    else if (field === 'diagnostic-code' && dsn.diagnostic === undefined) {
      // `smtp; 550 5.1.1 …`: the type is not part of the reply.
      dsn.diagnostic = value.replace(/^[a-z-]{1,20}\s*;\s*/i, '');
      last = 'diagnostic';
    } else if ((field === 'final-recipient' || (field === 'original-recipient' && !dsn.recipient)) && value.includes('@'))
      dsn.recipient = value.replace(/^[a-z0-9-]{1,20}\s*;\s*/i, '').replace(/^<|>$/g, '');
  }
  return dsn;
}

const LOCAL_PART = /[A-Za-z0-9._%+=-]{1,64}$/;
const DOMAIN_PART = /^[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/;
/** `@` signs looked at for the recipient at most: a paste of nothing but `@` costs no more than a real one. */
const MAX_AT_SIGNS = 200;

/**
 * The first address in the text that is not the bouncing robot's own: the recipient in every NDR format we read.
 * Read outward from each `@` rather than by a pattern tried at every position of the text, which costs the
 * length of a local part at each one.
 */
function firstRecipient(text: string): string | null {
  let at = text.indexOf('@');
  for (let n = 0; at !== -1 && n < MAX_AT_SIGNS; n++, at = text.indexOf('@', at + 1)) {
    const local = LOCAL_PART.exec(text.slice(Math.max(0, at - 64), at))?.[0];
    const domain = DOMAIN_PART.exec(text.slice(at + 1, at + 1 + 320))?.[0];
    if (local && domain && !ROBOT.test(`${local}@`)) return `${local}@${domain}`;
  }
  return null;
}

export function explainBounce(input: string): BounceReport {
  const text = input.length > BOUNCE_MAX_CHARS ? input.slice(0, BOUNCE_MAX_CHARS) : input;
  const lines = text.split(/\r\n|\r|\n/);
  const dsn = readDsn(lines);

  let code: string | null = null;
  let enhanced: string | null = dsn.status ?? null;
  let remoteReply: string | null = null;

  if (dsn.diagnostic) {
    const both = REPLY_WITH_ENHANCED.exec(dsn.diagnostic);
    const bare = /^([245]\d\d)(?=[ -])/.exec(dsn.diagnostic);
    code = both?.[1] ?? bare?.[1] ?? null;
    enhanced ??= both?.[2] ?? null;
    remoteReply = replyFrom([dsn.diagnostic], 0, 0, code);
  }
  if (!remoteReply) {
    // The first line holding a reply code with its enhanced code is the remote server's reply in every format we
    // know; failing that, a bare reply code where NDRs put one; failing that, an enhanced code alone.
    let found: { index: number; start: number; code: string | null; enhanced: string | null; said?: boolean } | undefined;
    // A line with nothing after the codes (Microsoft's "Status code: 550 5.1.10") gives way to one that has the reply.
    for (let i = 0; i < lines.length && !found?.said; i++) {
      const m = REPLY_WITH_ENHANCED.exec(lines[i]!);
      const said = m ? lines[i]!.slice(m.index + m[0].length).trim().length > 0 : false;
      if (m && (!found || said)) found = { index: i, start: m.index + m[0].indexOf(m[1]!), code: m[1]!, enhanced: m[2]!, said };
    }
    for (let i = 0; i < lines.length && !found; i++) {
      const m = BARE_REPLY.exec(lines[i]!);
      if (m) found = { index: i, start: m.index + m[0].length - m[1]!.length, code: m[1]!, enhanced: null };
    }
    for (let i = 0; i < lines.length && !found; i++) {
      const m = ENHANCED.exec(lines[i]!);
      if (m) found = { index: i, start: m.index, code: null, enhanced: m[0] };
    }
    if (found) {
      code = found.code;
      enhanced ??= found.enhanced;
      remoteReply = replyFrom(lines, found.index, found.start, found.code);
    }
  }
  const recipient = dsn.recipient ?? firstRecipient(text);
  const category = code || enhanced ? categorise(code, enhanced, remoteReply ?? '') : 'other';
  return { code, enhanced, category, remoteReply, recipient: recipient ? maskAddress(recipient) : null };
}

/** Whether a report found anything a bounce says: a paste with no code at all is not a bounce we can read. */
export const isBounce = (report: BounceReport) => report.code !== null || report.enhanced !== null;
