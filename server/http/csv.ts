import { once } from 'node:events';
import type { Response } from 'express';

/**
 * One CSV field (RFC 4180 quoting). Free text people typed (`typed`) that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading apostrophe; ids and codes are left exact.
 */
export function csvField(value: unknown, typed = false): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typed && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Lines are written in chunks of about this many characters: one write per row would be a system call per row. */
const CHUNK = 64 * 1024;

/**
 * Streams rows as CSV. The rows come from an async source that yields to the event loop between its pages, and
 * whenever the client reads slower than we write, we wait for it: a large export neither stalls other requests
 * nor piles up in memory. Stops early (and ends the source) when the client goes away.
 */
export async function streamCsv(
  res: Response,
  filename: string,
  columns: string[],
  rows: AsyncIterable<Record<string, unknown>>,
  typedColumns: readonly string[] = [],
) {
  const typed = columns.map((c) => typedColumns.includes(c));
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Cache-Control': 'no-store',
  });
  let chunk = `${columns.join(',')}\r\n`;
  for await (const row of rows) {
    chunk += `${columns.map((c, i) => csvField(row[c], typed[i])).join(',')}\r\n`;
    if (chunk.length < CHUNK) continue;
    const full = !res.write(chunk);
    chunk = '';
    if (full) await drained(res);
    if (res.destroyed) return;
  }
  res.end(chunk);
}

/** Waits until the response can take more, or is gone; listens to both only as long as it waits. */
async function drained(res: Response) {
  const stop = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: stop.signal }), once(res, 'close', { signal: stop.signal })]);
  } finally {
    stop.abort();
  }
}
