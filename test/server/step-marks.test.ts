import { describe, expect, it } from 'vitest';
import type { FlowDocument, StepTexts } from '../../server/content/document.ts';
import { validateDocument, type Problem } from '../../server/content/validate.ts';
import { stepMarks } from '../../server/render/step-marks.ts';
import { everyDocument } from '../fixtures/documents.ts';

/* What validation finds, as the diagram marks it on steps: the problems come from validateDocument itself. */

function problemsOf(doc: FlowDocument): Problem[] {
  const result = validateDocument(doc);
  return result.ok ? [] : result.problems;
}

const guide = () => structuredClone(everyDocument().find((d) => d.id === 'participant-no-email')!);

describe('stepMarks', () => {
  it('marks nothing on a valid guide', () => {
    for (const doc of everyDocument()) expect(stepMarks(problemsOf(doc)), doc.id).toEqual(new Map());
  });

  it('tells a step nothing leads to from one that leads nowhere, and names a wrong target as a problem', () => {
    const doc = guide();
    doc.machine.states.orphanStep = { meta: { kind: 'question' }, on: { GO_ON: 'nowhereStep' } };
    for (const lng of ['sv', 'no', 'de', 'en'] as const)
      (doc.texts[lng] as Record<string, StepTexts>).orphanStep = { title: 'Orphan', body: 'Body', options: { GO_ON: 'Go on' } };
    expect(stepMarks(problemsOf(doc))).toEqual(
      new Map([
        [
          'orphanStep',
          [
            { kind: 'problem', message: 'option "GO_ON": the target "nowhereStep" does not exist' },
            { kind: 'unreachable', message: `no path from the first step "${doc.machine.initial}" leads here` },
            { kind: 'deadEnd', message: 'no ending can be reached from here' },
          ],
        ],
      ]),
    );
  });

  it('gives a step one mark for its missing texts, naming the languages in their order', () => {
    const doc = guide();
    const step = Object.keys(doc.machine.states)[1]!;
    const texts = (lng: 'sv' | 'no' | 'de' | 'en') => (doc.texts[lng] as Record<string, StepTexts>)[step]!;
    texts('de').title = '';
    delete texts('de').body;
    texts('sv').title = ' ';
    delete (doc.texts.no as Record<string, StepTexts | undefined>)[step];
    // A placeholder naming no fact is wrong, not missing.
    texts('en').body = 'See {{facts.nothing}}';
    const marks = stepMarks(problemsOf(doc));
    expect([...marks.keys()]).toEqual([step]);
    expect(marks.get(step)).toEqual([
      { kind: 'missingText', message: 'missing or empty texts in sv, no, de' },
      { kind: 'problem', message: 'in en: the body: {{facts.nothing}} names no fact' },
    ]);
    // In the languages' order whatever order the problems come in.
    expect(stepMarks(problemsOf(doc).reverse()).get(step)).toContainEqual({ kind: 'missingText', message: 'missing or empty texts in sv, no, de' });
  });

  it('leaves out problems of the guide as a whole', () => {
    const doc = guide();
    doc.texts.de.summary = '';
    expect(problemsOf(doc)).not.toEqual([]);
    expect(stepMarks(problemsOf(doc))).toEqual(new Map());
  });
});
