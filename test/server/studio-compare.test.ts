import { describe, expect, it } from 'vitest';
import { builtinDocuments } from '../../server/content/builtin.ts';
import { changeCount, compareDocuments, wordDiff, type Comparison } from '../../server/content/compare.ts';
import type { FlowDocument, StepTexts } from '../../server/content/document.ts';
import { wordDiffHtml } from '../../server/render/word-diff.ts';

/*
 * The studio's comparison of two versions, on a real guide edited one way at a time: each edit must show up as
 * exactly that change and nothing else.
 */

const GUIDE = 'participant-no-email';
const original = () => builtinDocuments().find((d) => d.id === GUIDE)!;

/** A copy of the guide with one edit made. */
function edited(edit: (doc: FlowDocument) => void): FlowDocument {
  const doc = original();
  edit(doc);
  return doc;
}

/** A comparison with nothing in it, to compare a result against with only the expected change filled in. */
const nothing = (): Omit<Comparison, 'same'> => ({
  steps: { added: [], removed: [], changed: [], reordered: false },
  options: { added: [], removed: [], redirected: [], reordered: [] },
  facts: { added: [], removed: [], changed: [] },
  texts: [],
});

const stepTexts = (doc: FlowDocument, lng: 'sv' | 'no' | 'de' | 'en', step: string) => doc.texts[lng][step] as StepTexts;

describe('compareDocuments', () => {
  it('finds nothing between a guide and itself', () => {
    const c = compareDocuments(original(), original());
    expect(c).toEqual({ ...nothing(), same: true });
    expect(changeCount(c)).toBe(0);
  });

  it('ignores the published version number', () => {
    const c = compareDocuments({ ...original(), version: 3 }, { ...original(), version: 4 });
    expect(c.same).toBe(true);
  });

  it('lists an added step, and its texts as new texts in each language', () => {
    const to = edited((d) => {
      d.machine.states.askAgain = { meta: { kind: 'question' }, on: { YES: 'contactSupport' } };
      d.texts.sv.askAgain = { title: 'Fråga igen', body: 'Har mejlet kommit nu?', options: { YES: 'Ja' } };
    });
    const c = compareDocuments(original(), to);
    expect(c.steps).toEqual({ ...nothing().steps, added: ['askAgain'] });
    expect(c.options).toEqual(nothing().options);
    expect(c.texts.map((t) => [t.lng, t.key, t.from, t.to])).toEqual([
      ['sv', 'askAgain.title', undefined, 'Fråga igen'],
      ['sv', 'askAgain.body', undefined, 'Har mejlet kommit nu?'],
      ['sv', 'askAgain.options.YES', undefined, 'Ja'],
    ]);
    expect(c.texts[0]!.parts).toEqual([{ text: 'Fråga igen', added: true }]);
    expect(c.same).toBe(false);
    expect(changeCount(c)).toBe(4);
  });

  it('lists a removed step, with its texts gone', () => {
    const from = original();
    const c = compareDocuments(from, edited((d) => delete d.machine.states.allowListDone));
    expect(c.steps.removed).toEqual(['allowListDone']);
    expect(c.steps.added).toEqual([]);
    const removedTexts = c.texts.filter((t) => t.key.startsWith('allowListDone.'));
    expect(removedTexts.length).toBeGreaterThan(0);
    expect(removedTexts.every((t) => t.to === undefined && t.from !== undefined && t.parts.every((p) => p.removed))).toBe(true);
    expect(c.texts.length).toBe(removedTexts.length);
  });

  it('lists a removed option with where it led, and its label as a removed text', () => {
    const c = compareDocuments(
      original(),
      edited((d) => delete d.machine.states.whyInSpam!.on!.NOT_SURE),
    );
    expect(c.options).toEqual({ ...nothing().options, removed: [{ step: 'whyInSpam', event: 'NOT_SURE', target: 'allowList' }] });
    expect(c.steps).toEqual(nothing().steps);
    // The label stays in the document's texts, but no option of the new version has it.
    expect(c.texts.map((t) => [t.lng, t.key])).toEqual(['sv', 'no', 'de', 'en'].map((l) => [l, 'whyInSpam.options.NOT_SURE']));
    expect(c.texts[0]!.from).toBe(stepTexts(original(), 'sv', 'whyInSpam').options!.NOT_SURE);
  });

  it('lists a redirected option', () => {
    const c = compareDocuments(
      original(),
      edited((d) => (d.machine.states.checkSpam!.on!.NOT_IN_SPAM = 'contactSupport')),
    );
    expect(c).toEqual({
      ...nothing(),
      options: { ...nothing().options, redirected: [{ step: 'checkSpam', event: 'NOT_IN_SPAM', from: 'sendLoginLink', to: 'contactSupport' }] },
      same: false,
    });
    expect(changeCount(c)).toBe(1);
  });

  it("names a check's redirected route by its guard", () => {
    const to = edited((d) => {
      const routes = d.machine.states.checkSpf!.on!.CHECK_RESULT as { target: string }[];
      routes[0]!.target = 'contactSupport';
    });
    const c = compareDocuments(original(), to);
    expect(c.options).toEqual({
      ...nothing().options,
      redirected: [{ step: 'checkSpf', event: 'CHECK_RESULT[spfIs ok]', from: 'spfVerified', to: 'contactSupport' }],
    });
  });

  it("reports routes of a check taken in another order: the first route that matches wins", () => {
    const to = edited((d) => {
      const routes = d.machine.states.checkSpf!.on!.CHECK_RESULT as unknown[];
      [routes[0], routes[1]] = [routes[1], routes[0]];
    });
    const c = compareDocuments(original(), to);
    expect(c.options).toEqual({ ...nothing().options, reordered: ['checkSpf'] });
  });

  it('describes every route of a check result added as a whole', () => {
    const to = edited((d) => (d.machine.states.howLongAgo!.on!.CHECK_RESULT = [{ guard: { type: 'spfIs', params: { status: ['ok', 'invalid'] } }, target: 'spfVerified' }, { target: 'checkUnavailable' }]));
    const c = compareDocuments(original(), to);
    expect(c.options.added).toEqual([{ step: 'howLongAgo', event: 'CHECK_RESULT', target: 'spfIs ok, invalid → spfVerified; otherwise → checkUnavailable' }]);
  });

  it('lists a changed fact, per-language values compared as content', () => {
    const to = edited((d) => {
      d.facts.spfInclude = 'include:amazonses.eu';
      // The same per-language value with its keys in another order is no change.
      d.facts.deliveryMinutes = { de: 'einer', no: 'ett', sv: 'en', en: 'one' };
      d.facts.newFact = 'x';
      delete d.facts.actionsMenu;
    });
    const c = compareDocuments(original(), to);
    expect(c.facts).toEqual({
      added: ['newFact'],
      removed: ['actionsMenu'],
      changed: [{ name: 'spfInclude', from: 'include:amazonses.com', to: 'include:amazonses.eu' }],
    });
    expect(c.steps).toEqual(nothing().steps);
    expect(c.texts).toEqual([]);
  });

  it("lists a step whose kind changed", () => {
    const c = compareDocuments(
      original(),
      edited((d) => (d.machine.states.waitAMinute!.meta.kind = 'question')),
    );
    expect(c.steps).toEqual({ ...nothing().steps, changed: [{ step: 'waitAMinute', kind: { from: 'instruction', to: 'question' } }] });
    expect(changeCount(c)).toBe(1);
  });

  it('lists a changed outcome and check settings', () => {
    const to = edited((d) => {
      d.machine.states.contactSupport!.meta.outcome = 'informational';
      d.machine.states.checkSpf!.meta.check!.dmarc = true;
    });
    const c = compareDocuments(original(), to);
    expect(c.steps.changed).toEqual([
      { step: 'checkSpf', check: { from: original().machine.states.checkSpf!.meta.check, to: to.machine.states.checkSpf!.meta.check } },
      { step: 'contactSupport', outcome: { from: 'escalated', to: 'informational' } },
    ]);
  });

  it('notices steps listed in another order, and nothing else', () => {
    const to = edited((d) => {
      const entries = Object.entries(d.machine.states);
      [entries[1], entries[2]] = [entries[2]!, entries[1]!];
      d.machine.states = Object.fromEntries(entries);
    });
    const c = compareDocuments(original(), to);
    expect(c).toEqual({ ...nothing(), steps: { ...nothing().steps, reordered: true }, same: false });
    expect(changeCount(c)).toBe(1);
  });

  it('notices options shown in another order', () => {
    const to = edited((d) => {
      const on = d.machine.states.checkSpam!.on!;
      d.machine.states.checkSpam!.on = { NOT_IN_SPAM: on.NOT_IN_SPAM!, FOUND_IN_SPAM: on.FOUND_IN_SPAM! };
    });
    expect(compareDocuments(original(), to).options).toEqual({ ...nothing().options, reordered: ['checkSpam'] });
  });

  it('reports a new first step', () => {
    const c = compareDocuments(original(), edited((d) => (d.machine.initial = 'checkSpam')));
    expect(c.initial).toEqual({ from: 'howLongAgo', to: 'checkSpam' });
  });

  it('shows one Swedish word changed in a body as that word removed and added, the rest unchanged', () => {
    const from = original();
    const body = stepTexts(from, 'sv', 'checkSpam').body!;
    expect(body).toContain('skräppostmapp');
    const to = edited((d) => (stepTexts(d, 'sv', 'checkSpam').body = body.replace('skräppostmapp', 'skräppostkorg')));
    const c = compareDocuments(from, to);
    expect(c.texts).toHaveLength(1);
    const [change] = c.texts;
    expect(change).toMatchObject({ lng: 'sv', key: 'checkSpam.body', from: body, to: stepTexts(to, 'sv', 'checkSpam').body });
    const [before, after] = body.split('skräppostmapp');
    expect(change!.parts).toEqual([
      { text: before },
      { text: 'skräppostmapp', removed: true },
      { text: 'skräppostkorg', added: true },
      { text: after },
    ]);
    expect(c.steps).toEqual(nothing().steps);
    expect(c.options).toEqual(nothing().options);
    expect(changeCount(c)).toBe(1);
  });

  it('keeps texts in reading order: language by language, guide texts first, then steps in machine order', () => {
    const to = edited((d) => {
      stepTexts(d, 'en', 'checkSpam').title = 'Spam?';
      d.texts.en.title = 'No email';
      stepTexts(d, 'sv', 'howLongAgo').options!.UNDER_A_MINUTE = 'Nyss';
      stepTexts(d, 'sv', 'howLongAgo').title = 'När?';
    });
    expect(compareDocuments(original(), to).texts.map((t) => `${t.lng}:${t.key}`)).toEqual([
      'sv:howLongAgo.title',
      'sv:howLongAgo.options.UNDER_A_MINUTE',
      'en:title',
      'en:checkSpam.title',
    ]);
  });

  it('compares every two different built-in guides without failing', () => {
    const docs = builtinDocuments();
    for (const a of docs.slice(0, 3))
      for (const b of docs) {
        const c = compareDocuments(a, b);
        expect(c.same).toBe(a.id === b.id);
        if (a.id !== b.id) expect(changeCount(c)).toBeGreaterThan(0);
      }
  });
});

describe('wordDiff', () => {
  it('gives back both texts: without the added parts the old one, without the removed the new one', () => {
    const from = 'Öppna **Deltagare** och välj {{facts.actionsMenu}}.';
    const to = 'Öppna fliken **Deltagare** och välj {{facts.getLinkItem}}.';
    const parts = wordDiff(from, to);
    expect(parts.filter((p) => !p.added).map((p) => p.text).join('')).toBe(from);
    expect(parts.filter((p) => !p.removed).map((p) => p.text).join('')).toBe(to);
    expect(parts.some((p) => p.added) && parts.some((p) => p.removed)).toBe(true);
  });

  it('shows a text that changed beyond reading as removed and added whole', () => {
    const from = Array.from({ length: 1500 }, (_, i) => `a${i}`).join(' ');
    const to = Array.from({ length: 1500 }, (_, i) => `b${i}`).join(' ');
    expect(wordDiff(from, to)).toEqual([
      { text: from, removed: true },
      { text: to, added: true },
    ]);
  });
});

describe('wordDiffHtml', () => {
  it('marks removed and added words and escapes the text', () => {
    const html = wordDiffHtml(wordDiff('Klicka <b>här</b> nu', 'Klicka <script>alert(1)</script> nu'));
    const marks = /<\/?(?:del|ins)>/g;
    expect(html).toMatch(/<del>/);
    expect(html).toMatch(/<ins>/);
    // Apart from the marks, no markup: the texts' tags are shown as text.
    const text = html.replace(marks, '');
    expect(text).not.toMatch(/[<>]/);
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const withoutDel = unescape(html.replace(/<del>.*?<\/del>/g, '').replace(marks, ''));
    expect(withoutDel).toBe('Klicka <script>alert(1)</script> nu');
  });

  it('writes each kind of part as it is', () => {
    expect(wordDiffHtml([{ text: 'a & ' }, { text: 'b', removed: true }, { text: 'c', added: true }])).toBe('a &amp; <del>b</del><ins>c</ins>');
  });
});
