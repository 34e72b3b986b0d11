import type { DocumentFact, FactReference, Facts, FactValue } from '../../flows/types.ts';
import type { FlowDocument } from './document.ts';
import type { Problem } from './validate.ts';

/*
 * A guide may show another guide's fact ({"guide": "participant-no-email", "fact": "senderPattern"}) instead of
 * copying its value: the recipient's guide shows what each sender's article states, and an edit of that article's
 * guide reaches both. A reference is one level deep (it names a value, never another reference), and a check never
 * looks for one (a check's includes are its own guide's facts).
 */

/** The other guides a document is checked and shown with: each one's facts as its document writes them. */
export type GuideFacts = (guide: string) => FlowDocument['facts'] | undefined;

export const isReference = (value: DocumentFact): value is FactReference =>
  typeof value === 'object' && !Array.isArray(value) && 'guide' in value;

/** The references a document makes, by the name it shows each under. */
export function referencesOf(facts: FlowDocument['facts']): [string, FactReference][] {
  return Object.entries(facts).flatMap(([name, value]) => (isReference(value) ? [[name, value] as [string, FactReference]] : []));
}

/**
 * A document's facts with references replaced by the values they name now. A value that cannot be found (a guide
 * that is not installed yet; validation refuses publishing one that would break a reference) shows as empty.
 */
export function resolveFacts(facts: FlowDocument['facts'], others: GuideFacts): Facts {
  const resolved: Record<string, FactValue> = {};
  for (const [name, value] of Object.entries(facts)) {
    if (!isReference(value)) resolved[name] = value;
    else {
      const target = others(value.guide)?.[value.fact];
      resolved[name] = target === undefined || isReference(target) ? '' : target;
    }
  }
  return resolved;
}

/**
 * What references break: the document's own (to a guide or fact that does not exist, to itself, to another
 * reference) and, when it replaces a guide others refer to, theirs (a fact they show that it no longer has).
 * `others` are the guides it will be published alongside, each once (not the document's own earlier version).
 */
export function referenceProblems(doc: FlowDocument, others: ReadonlyMap<string, FlowDocument['facts']>): Problem[] {
  const problems: Problem[] = [];
  for (const [name, ref] of referencesOf(doc.facts)) {
    const at = { path: `facts.${name}` };
    const target = ref.guide === doc.id ? undefined : others.get(ref.guide);
    if (ref.guide === doc.id) problems.push({ message: `the fact "${name}" refers to this guide's own fact; write {{facts.${ref.fact}}} instead`, ...at });
    else if (!target) problems.push({ message: `the fact "${name}" refers to the guide "${ref.guide}", which does not exist`, ...at });
    else if (!(ref.fact in target)) problems.push({ message: `the fact "${name}" refers to "${ref.fact}", which the guide "${ref.guide}" does not have`, ...at });
    else if (isReference(target[ref.fact]!))
      problems.push({ message: `the fact "${name}" refers to "${ref.fact}" of "${ref.guide}", which is itself a reference; refer to the guide that states it`, ...at });
  }
  for (const [id, facts] of others) {
    if (id === doc.id) continue;
    for (const [name, ref] of referencesOf(facts)) {
      if (ref.guide !== doc.id) continue;
      const value = doc.facts[ref.fact];
      if (value === undefined)
        problems.push({ message: `the guide "${id}" shows this guide's fact "${ref.fact}" (as "${name}"); keep the fact, or change "${id}" first`, path: `facts` });
      else if (isReference(value))
        problems.push({ message: `the guide "${id}" shows this guide's fact "${ref.fact}" (as "${name}"), which cannot be a reference`, path: `facts.${ref.fact}` });
    }
  }
  return problems;
}
