import type { Language } from '../i18n/locales.ts';
import { flowDocumentSchema, type FlowDocument } from './document.ts';

/** One reason a document cannot be stored, naming where: the step, the event and the language it concerns. */
export interface Problem {
  message: string;
  /** A JSON path into the document, like `texts.de.checkSpam.title`. */
  path?: string;
  step?: string;
  event?: string;
  lng?: Language;
}

export type Validation = { ok: true; document: FlowDocument } | { ok: false; problems: Problem[] };

/**
 * Every check a document passes before it is stored, from any side (CLI, API, studio, built-in import, tests):
 * its shape here, then (to come) its graph, texts, facts and Markdown.
 */
export function validateDocument(input: unknown): Validation {
  const parsed = flowDocumentSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, problems: parsed.error.issues.map((i) => ({ message: i.message, path: i.path.join('.') })) };
  return { ok: true, document: parsed.data };
}
