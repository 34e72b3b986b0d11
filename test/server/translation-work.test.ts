import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { glossaryOf } from '../../server/content/glossary.ts';
import { recordEdit } from '../../server/content/origins.ts';
import { changedTexts, nextItem, normalizedText, sourceLanguage, workItems } from '../../server/content/translation-work.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { editedDocument } from '../support/content.ts';

const base = editedDocument('participant-no-email', () => {});
const edit = (doc: FlowDocument, change: (d: FlowDocument) => void) => {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
};

/** Swedish edits of two texts, and a new step written in English only. */
const after = edit(base, (d) => {
  d.texts.sv.checkSpam!.body = 'Ny text.';
  d.texts.sv.howLongAgo!.title = 'Ny fråga?';
  d.machine.states.extra = { meta: { kind: 'instruction' }, on: { DONE: 'checkSpam' } };
  d.texts.en.extra = { title: 'Extra', body: 'Look again.', options: { DONE: 'Done' } };
});
const origins = recordEdit(base, after, {}, 'author', 'sv');

describe('translation work', () => {
  it('lists missing and stale texts together, in reading order', () => {
    const items = workItems(after, origins, 'de');
    expect(items.map((i) => `${i.kind} ${i.key}`)).toEqual([
      'stale howLongAgo.title',
      'stale checkSpam.body',
      'missing extra.title',
      'missing extra.body',
      'missing extra.options.DONE',
    ]);
    expect(items[1]!.stale).toMatchObject({ source: 'sv', now: 'Ny text.', was: base.texts.sv.checkSpam!.body });
    // Swedish is the source of the edited texts; it lacks only the new step's.
    expect(workItems(after, origins, 'sv').map((i) => i.key)).toEqual(['extra.title', 'extra.body', 'extra.options.DONE']);
    expect(workItems(base, {}, 'de')).toEqual([]);
  });

  it('the next item is the first after the current text in reading order, none after the last', () => {
    const items = workItems(after, origins, 'de');
    expect(nextItem(after, items, 'howLongAgo.title')?.key).toBe('checkSpam.body');
    // From a text no longer listed (just saved), the one after its place.
    expect(nextItem(after, items.slice(1), 'howLongAgo.title')?.key).toBe('checkSpam.body');
    expect(nextItem(after, items, 'checkSpam.title')?.key).toBe('checkSpam.body');
    expect(nextItem(after, items, 'extra.options.DONE')).toBeUndefined();
    // A text skipped before is not gone back to.
    expect(nextItem(after, items.slice(0, 2), 'extra.title')).toBeUndefined();
  });

  it('translates from the recorded source, else from the first other language that has the text', () => {
    expect(sourceLanguage(after, origins, 'de', 'checkSpam.body')).toBe('sv');
    expect(sourceLanguage(after, origins, 'sv', 'checkSpam.body')).toBe('no');
    expect(sourceLanguage(after, origins, 'de', 'extra.body')).toBe('en');
    expect(sourceLanguage(after, origins, 'en', 'extra.body')).toBeUndefined();
  });

  it('counts the texts a draft changed in the given languages', () => {
    expect(changedTexts(base, after, ['sv'])).toBe(2);
    expect(changedTexts(base, after, ['en'])).toBe(3);
    expect(changedTexts(base, after, ['de', 'no'])).toBe(0);
    expect(changedTexts(base, base, LANGUAGES)).toBe(0);
  });

  it('stores line breaks as the documents have them, without surrounding blanks', () => {
    expect(normalizedText('  Zeile eins\r\nZeile zwei\rdrei \n')).toBe('Zeile eins\nZeile zwei\ndrei');
  });

  it('reads each language’s glossary: the word to use per concept, and the words not to', () => {
    for (const lng of LANGUAGES) {
      const terms = glossaryOf(lng);
      expect(terms.length, lng).toBeGreaterThan(0);
      for (const t of terms) expect(t.use.trim(), `${lng} ${t.concept}`).not.toBe('');
    }
    expect(glossaryOf('de').find((t) => t.concept === 'allowlist')).toMatchObject({ use: 'Zulassungsliste', reject: expect.arrayContaining(['Whitelist']) });
  });
});
