import { describe, expect, it } from 'vitest';
import { builtinDocuments } from '../../server/content/builtin.ts';
import { canonicalJson, contentHash, type FlowDocument } from '../../server/content/document.ts';

const doc = builtinDocuments()[0]!;

/** The same object with its keys in reverse order (at its top level). */
function reversed<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T;
}

describe('the content hash of a document', () => {
  it('ignores the order of keys where it means nothing: facts, texts, meta, the document itself', () => {
    const shuffled: FlowDocument = reversed({
      ...doc,
      facts: reversed(doc.facts),
      texts: reversed({ ...doc.texts, en: reversed(doc.texts.en) }),
      machine: reversed({ ...doc.machine, states: { ...doc.machine.states, checkSpf: reversed({ ...doc.machine.states.checkSpf!, meta: reversed(doc.machine.states.checkSpf!.meta) }) } }),
    });
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(doc));
    expect(canonicalJson(shuffled)).toBe(canonicalJson(doc));
    expect(contentHash(shuffled)).toBe(contentHash(doc));
  });

  it('changes with the order of a step\'s options and of the steps: both are shown in that order', () => {
    const options = structuredClone(doc);
    options.machine.states.howLongAgo!.on = reversed(options.machine.states.howLongAgo!.on!);
    expect(contentHash(options)).not.toBe(contentHash(doc));
    const steps = structuredClone(doc);
    steps.machine.states = reversed(steps.machine.states);
    expect(contentHash(steps)).not.toBe(contentHash(doc));
  });

  it('leaves out the published number, and changes with any text', () => {
    expect(contentHash({ ...doc, version: 7 })).toBe(contentHash(doc));
    const edited = structuredClone(doc);
    edited.texts.no.howLongAgo!.title += '?';
    expect(contentHash(edited)).not.toBe(contentHash(doc));
  });
});
