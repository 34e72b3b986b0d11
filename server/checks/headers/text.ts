/** The most a person may paste as headers: a message's header block is rarely over 20 KB. */
export const HEADERS_MAX_BYTES = 64 * 1024;

/** One header field as pasted, unfolded: its name in lower case, and its value. */
export interface HeaderField {
  name: string;
  value: string;
  /** The field as it was, folded, for libraries that verify signatures over it. */
  raw: string;
}

export interface PastedHeaders {
  fields: HeaderField[];
  /** The header block alone, lines ending CRLF and a blank line after, as a message with an empty body. */
  block: string;
}

const FIELD = /^([!-9;-~]+)[ \t]*:(.*)$/;
/**
 * Fields a message's headers carry whichever client shows them. A pasted text must hold one of them: some
 * text with a colon in it is not a message's headers.
 */
const MAIL_FIELDS = new Set([
  'received', 'return-path', 'delivered-to', 'authentication-results', 'dkim-signature', 'received-spf', 'arc-seal',
  'message-id', 'from', 'x-ms-exchange-organization-scl', 'x-forefront-antispam-report', 'x-received',
]);
/** Where a client's page puts its own summary above the headers (Gmail's "Show original"), the headers begin here. */
const TRACE_FIELDS = /^(delivered-to|received|x-received|return-path|arc-seal|arc-message-signature|arc-authentication-results|authentication-results|dkim-signature|received-spf|x-google-smtp-source)[ \t]*:/i;

/**
 * Reads what a person pasted as a message's headers: from the first trace field (or the first field) to the first
 * blank line. A body after it is cut off here and goes no further. Null when the text holds no mail headers.
 */
export function readHeaders(text: string): PastedHeaders | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let start = lines.findIndex((l) => TRACE_FIELDS.test(l));
  if (start < 0) start = lines.findIndex((l) => FIELD.test(l));
  if (start < 0) return null;
  const fields: HeaderField[] = [];
  for (const line of lines.slice(start)) {
    if (line.trim() === '') break;
    const last = fields.at(-1);
    if (/^[ \t]/.test(line)) {
      if (!last) continue;
      last.value += ` ${line.trim()}`;
      last.raw += `\r\n${line}`;
      continue;
    }
    const m = FIELD.exec(line);
    // A stray line (a client's label, a page's button text) is skipped, not taken as a field.
    if (!m) continue;
    fields.push({ name: m[1]!.toLowerCase(), value: m[2]!.trim(), raw: line });
  }
  if (!fields.some((f) => MAIL_FIELDS.has(f.name))) return null;
  return { fields, block: `${fields.map((f) => f.raw).join('\r\n')}\r\n\r\n` };
}

export const fieldsNamed = (fields: readonly HeaderField[], name: string) => fields.filter((f) => f.name === name);

/** An address as a report keeps it: the first letter of the local part, then `***` (`a***@example.com`). */
export function maskAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  return `${address.slice(0, 1)}***@${address.slice(at + 1).toLowerCase()}`;
}

/** The domain of an address (or the domain itself), lower case; null when there is none. */
export function domainOf(address: string | null | undefined): string | null {
  if (!address) return null;
  const d = address.slice(address.lastIndexOf('@') + 1).replace(/[<>\s]/g, '').toLowerCase();
  return /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(d) ? d : null;
}

/** Every address in a text masked, for header values a report shows. */
export const maskAddresses = (text: string) => text.replace(/([^\s<>"'(),;:=@]+)@([a-z0-9.-]+)/gi, (_m, local: string, d: string) => `${local.slice(0, 1)}***@${d.toLowerCase()}`);
