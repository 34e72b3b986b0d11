import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { ROOT_DIR } from '../root.ts';
import type { FlowDocument } from './document.ts';
import { validateDocument, type Problem } from './validate.ts';

export const FLOWS_DIR = join(ROOT_DIR, 'flows');

/** Where a built-in guide's document lives: the one source of that guide. */
export const builtinDocumentPath = (id: string) => join(FLOWS_DIR, id, 'flow.json');

/** A document that cannot be used, with every problem validation found in it. */
export class InvalidDocumentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(`${file} is not a valid guide:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
  }
}

/** Reads and validates one document file; throws with every problem when it is not a valid guide. */
export function readDocumentFile(file: string): FlowDocument {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidDocumentError(file, [{ message: `not JSON: ${(err as Error).message}` }]);
  }
  const result = validateDocument(input);
  if (!result.ok) throw new InvalidDocumentError(file, result.problems);
  return result.document;
}

let builtin: readonly FlowDocument[] | undefined;

/**
 * The built-in guides, read from their files in the order of flows/index.ts and validated once per process (they
 * do not change while it runs). A broken built-in document stops the app at start, with its problems listed.
 */
export function builtinDocuments(): FlowDocument[] {
  builtin ??= BUILTIN_FLOW_IDS.map((id) => {
    const doc = readDocumentFile(builtinDocumentPath(id));
    if (doc.id !== id) throw new InvalidDocumentError(builtinDocumentPath(id), [{ message: `the document's id is "${doc.id}", its folder "${id}"` }]);
    return doc;
  });
  return builtin.map((d) => structuredClone(d));
}
