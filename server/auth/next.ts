const FALLBACK = '/agent';
const SELF = 'http://console.invalid';

/**
 * Where to go after signing in: only a path of the console itself, under `/agent` or `/admin`. The value is first
 * resolved the way a browser resolves it (dot segments, percent-encoded dots, backslashes), so `/agent/..//evil.example`
 * is judged as the `//evil.example` it becomes; whatever could leave the site, or is not plainly a console path,
 * falls back to `/agent`.
 */
export function safeNext(next: unknown): string {
  // Printable ASCII only: browsers drop tabs and newlines from a URL, which turns `/\t/evil.example` into `//…`.
  if (typeof next !== 'string' || next.length > 1000 || !/^\/[\x21-\x7e]*$/.test(next)) return FALLBACK;
  // Browsers read a backslash as a slash, and `//` starts another host.
  if (next.includes('\\') || next.startsWith('//')) return FALLBACK;
  let url: URL;
  try {
    url = new URL(next, SELF);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== SELF) return FALLBACK;
  const path = url.pathname;
  // Encoded slashes and empty segments are how a second `//` slips past a check made on the raw value.
  if (/%(2f|5c)/i.test(path) || path.includes('//')) return FALLBACK;
  if (!/^\/(agent|admin)(\/|$)/.test(path)) return FALLBACK;
  return `${path}${url.search}`;
}
