import type { z } from 'zod';
import { invalidInput } from './errors.ts';

/**
 * Reads a body, form or query with its schema. The first problem becomes a 400 naming the field, so a client learns
 * what to fix; nothing that failed its schema reaches a service.
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalidInput(`${where}${issue.message}`);
  }
  return result.data;
}
