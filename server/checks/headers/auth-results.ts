import { maskAddresses } from './text.ts';

/** One method's result in an Authentication-Results field: `dkim=pass header.d=example.com`. */
export interface AuthResult {
  method: string;
  result: string;
  /** `header.d`, `smtp.mailfrom`, … with addresses masked. */
  props: Record<string, string>;
}

export interface AuthResultsField {
  /** The server that wrote it; Microsoft 365 writes none. */
  authserv: string | null;
  results: AuthResult[];
}

/** Comments in parentheses (nested) go: they are the server's prose, not results. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  for (const c of value) {
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (!depth) out += c;
  }
  return out;
}

/** Parses one Authentication-Results value (RFC 8601), leniently: servers differ in spacing and in the id. */
export function parseAuthResults(value: string): AuthResultsField {
  const parts = withoutComments(value)
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  const first = parts[0] ?? '';
  const authserv = /^[^\s=]+=/.test(first) ? null : (first.split(/\s+/)[0] ?? null);
  const results: AuthResult[] = [];
  for (const part of authserv ? parts.slice(1) : parts) {
    const tokens = part.split(/\s+/).filter(Boolean);
    const head = /^([a-z0-9-]+)\s*=\s*([a-z0-9]+)/i.exec(tokens[0] ?? '');
    if (!head) continue;
    const props: Record<string, string> = {};
    for (const t of tokens.slice(1)) {
      const eq = t.indexOf('=');
      if (eq > 0) props[t.slice(0, eq).toLowerCase()] = maskAddresses(t.slice(eq + 1).replace(/^"|"$/g, ''));
    }
    results.push({ method: head[1]!.toLowerCase(), result: head[2]!.toLowerCase(), props });
  }
  return { authserv: authserv && authserv.toLowerCase() === 'none' ? null : authserv, results };
}

/**
 * The receiving server's own results: the topmost Authentication-Results (the last server to handle the message
 * wrote it) and any below it by the same server. Fields further down are other servers' claims.
 */
export function receiverResults(values: readonly string[]): AuthResultsField | null {
  const parsed = values.map(parseAuthResults);
  const top = parsed[0];
  if (!top) return null;
  const same = parsed.filter((p) => p.authserv === top.authserv);
  return { authserv: top.authserv, results: same.flatMap((p) => p.results) };
}

/** The receiver's verdict for a method, e.g. `spf`; for DKIM, the one for a signature's domain and selector. */
export function verdictOf(receiver: AuthResultsField | null, method: string, match?: { domain: string; selector?: string | undefined }): string | null {
  const rows = (receiver?.results ?? []).filter((r) => r.method === method);
  if (!match) return rows[0]?.result ?? null;
  const domain = match.domain.toLowerCase();
  const row = rows.find((r) => {
    const d = (r.props['header.d'] ?? r.props['header.i']?.replace(/^.*@/, '') ?? '').toLowerCase();
    const s = r.props['header.s'];
    return d === domain && (!s || !match.selector || s === match.selector);
  });
  return row?.result ?? null;
}
