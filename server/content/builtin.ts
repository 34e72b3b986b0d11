import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { ROOT_DIR } from '../root.ts';
import { flowDocumentSchema, type FlowDocument } from './document.ts';
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

/**
 * Reads and validates one document file; throws with every problem when it is not a valid guide. `shapeOnly`
 * checks the document's shape alone (the rest of validation walks every path: a fifth of a start).
 */
export function readDocumentFile(file: string, { shapeOnly = false } = {}): FlowDocument {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidDocumentError(file, [{ message: `not JSON: ${(err as Error).message}` }]);
  }
  if (shapeOnly) {
    const shape = flowDocumentSchema.safeParse(input);
    if (!shape.success) throw new InvalidDocumentError(file, shape.error.issues.map((i) => ({ message: `${i.path.join('.')}: ${i.message}` })));
    return shape.data;
  }
  const result = validateDocument(input);
  if (!result.ok) throw new InvalidDocumentError(file, result.problems);
  return result.document;
}

let builtin: readonly FlowDocument[] | undefined;

/**
 * The built-in guides, read from their files in the order of flows/index.ts, once per process (they do not change
 * while it runs). Here only their shape is checked: the start-up sync validates in full every built-in document the
 * database has not seen yet (syncBuiltins), so a broken one still stops the start with its problems listed, and a
 * start with nothing new does not walk every path again. The tests validate every built-in in full.
 */
export function builtinDocuments(): FlowDocument[] {
  builtin ??= BUILTIN_FLOW_IDS.map((id) => {
    const doc = readDocumentFile(builtinDocumentPath(id), { shapeOnly: true });
    if (doc.id !== id) throw new InvalidDocumentError(builtinDocumentPath(id), [{ message: `the document's id is "${doc.id}", its folder "${id}"` }]);
    return doc;
  });
  return builtin.map((d) => structuredClone(d));
}
