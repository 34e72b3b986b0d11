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

/** Streams rows as CSV, waiting whenever the client reads slower than we write. */
export async function streamCsv(
  res: Response,
  filename: string,
  columns: string[],
  rows: Iterable<Record<string, unknown>>,
  typedColumns: readonly string[] = [],
) {
  const typed = columns.map((c) => typedColumns.includes(c));
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Cache-Control': 'no-store',
  });
  res.write(`${columns.join(',')}\r\n`);
  for (const row of rows) {
    if (!res.write(`${columns.map((c, i) => csvField(row[c], typed[i])).join(',')}\r\n`))
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    if (res.destroyed) return;
  }
  res.end();
}
