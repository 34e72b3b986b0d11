import { LANGUAGES, type Language } from '../i18n/locales.ts';
import type { FlowDocument } from './document.ts';
import { edit, guideIdSchema, invalidEdit } from './edit-common.ts';

/*
 * Whole guides: a new one to build from, and a copy of one under another id.
 */

/** The words of a new guide's first option and ending, in each language an author starts it in. */
const STARTER: Record<Language, { option: string; ending: string }> = {
  sv: { option: 'Det fungerar nu', ending: 'Löst' },
  no: { option: 'Det fungerer nå', ending: 'Løst' },
  de: { option: 'Es funktioniert jetzt', ending: 'Gelöst' },
  en: { option: 'It works now', ending: 'Solved' },
};

function checkGuideId(id: string): void {
  const parsed = guideIdSchema.safeParse(id);
  if (!parsed.success) throw invalidEdit(`"${id}" cannot name a guide: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
}

/**
 * A new guide, the least an author builds from: a first question `start` with one option leading to an ending
 * `done` (resolved). Languages with a title get the option's label and the ending's title; the question's title and
 * the bodies are left empty, and languages without a title get no step texts, so validation lists what to write.
 */
export function newGuide(id: string, { titles }: { titles: Partial<Record<Language, string>> }): FlowDocument {
  checkGuideId(id);
  const texts = Object.fromEntries(
    LANGUAGES.map((lng) => {
      const title = titles[lng]?.trim() ?? '';
      const guide = { title, summary: '', keywords: '' };
      if (!title) return [lng, guide];
      return [lng, { ...guide, start: { title: '', body: '', options: { WORKS_NOW: STARTER[lng].option } }, done: { title: STARTER[lng].ending, body: '' } }];
    }),
  ) as FlowDocument['texts'];
  return {
    id,
    machine: {
      id,
      initial: 'start',
      states: {
        start: { meta: { kind: 'question' }, on: { WORKS_NOW: 'done' } },
        done: { type: 'final', meta: { kind: 'outcome', outcome: 'resolved' } },
      },
    },
    facts: {},
    texts,
  };
}

/**
 * A copy of a guide under `newId` (its machine's id too, where written). The article it encodes stays; the version
 * number it was published as does not, as the copy is no published version yet.
 */
export function duplicateGuide(doc: FlowDocument, newId: string): FlowDocument {
  checkGuideId(newId);
  if (newId === doc.id) throw invalidEdit(`The copy needs an id of its own, not "${doc.id}".`);
  return edit(doc, (draft) => {
    draft.id = newId;
    if (draft.machine.id !== undefined) draft.machine.id = newId;
    delete draft.version;
  });
}
