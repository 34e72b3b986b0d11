import { z } from 'zod';
import { invalidInput } from '../http/errors.ts';
import { normalizeLanguage } from '../i18n/language.ts';
import { LANGUAGES } from '../i18n/locales.ts';

/** Reads a form or query with a schema; the first problem becomes a 400 whose message names the field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalidInput(`${where}${issue.message}`);
  }
  return result.data;
}

/** A field that may be left empty: trimmed, and empty (a filter left at "any") counts as not sent. */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), schema.optional());

/** One of the languages we serve, in any of the forms people write it (`nb-NO` is `no`). */
export const language = z
  .string()
  .max(35)
  .transform((v, ctx) => normalizeLanguage(v) ?? (ctx.addIssue({ code: 'custom', message: `must be one of ${LANGUAGES.join(', ')}` }), z.NEVER));

/** A whole UTC day written YYYY-MM-DD (as the date inputs send it), as ms since the epoch at its start. */
export const day = z.string().transform((s, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(s) : Number.NaN;
  // Round-tripped, so 2026-02-30 is refused rather than read as 2 March.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) {
    ctx.addIssue({ code: 'custom', message: 'write the date as YYYY-MM-DD' });
    return z.NEVER;
  }
  return ms;
});

/** A form button's field: present (with any value) or not. */
export const pressed = z.string().optional().transform((v) => v !== undefined);
