import type { Problem } from '../content/validate.ts';
import { LANGUAGES, type Language } from '../i18n/locales.ts';

/** What the diagram marks on a step: why it is drawn with a warning, and the words its tooltip gives. */
export interface StepMark {
  kind: 'unreachable' | 'deadEnd' | 'missingText' | 'problem';
  message: string;
}

/** Texts that are absent or blank, as validate.ts words them: a translator's task rather than a broken guide. */
const MISSING_TEXT = /(?:has no texts|is missing|is empty)$/;

/** A problem's message without the `step "x"` it opens with: the mark already stands on that step. */
function withoutStep(message: string, step: string): string {
  const prefix = `step "${step}"`;
  if (message.startsWith(`${prefix}, `)) return message.slice(prefix.length + 2);
  if (message.startsWith(`${prefix}: `)) return message.slice(prefix.length + 2);
  return message;
}

/**
 * A document's problems (validateDocument) as marks per step, for the diagram. Problems of the guide as a whole
 * name no step and are left out. Missing texts are one mark per step naming the languages, not one per field, so a
 * guide waiting for a translation does not bury its other problems.
 */
export function stepMarks(problems: readonly Problem[]): Map<string, StepMark[]> {
  const marks = new Map<string, StepMark[]>();
  const missingIn = new Map<string, Set<Language>>();
  const add = (step: string, mark: StepMark) => {
    const list = marks.get(step) ?? [];
    if (!list.some((m) => m.kind === mark.kind && m.message === mark.message)) list.push(mark);
    marks.set(step, list);
  };
  for (const p of problems) {
    if (p.step === undefined) continue;
    const isStep = p.path === `machine.states.${p.step}`;
    if (isStep && p.message.includes('no path from the first step')) add(p.step, { kind: 'unreachable', message: withoutStep(p.message, p.step) });
    else if (isStep && p.message.includes('no ending can be reached')) add(p.step, { kind: 'deadEnd', message: withoutStep(p.message, p.step) });
    else if (p.path?.startsWith('texts.') && p.lng && MISSING_TEXT.test(p.message)) {
      // Keeps the step's place among the marks where its first missing text was met.
      if (!missingIn.has(p.step)) add(p.step, { kind: 'missingText', message: '' });
      missingIn.set(p.step, (missingIn.get(p.step) ?? new Set()).add(p.lng));
    } else add(p.step, { kind: 'problem', message: withoutStep(p.message, p.step) });
  }
  for (const [step, languages] of missingIn) {
    const mark = marks.get(step)!.find((m) => m.kind === 'missingText')!;
    mark.message = `missing or empty texts in ${LANGUAGES.filter((l) => languages.has(l)).join(', ')}`;
  }
  return marks;
}
