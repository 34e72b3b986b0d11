import { applyStepCommand } from '../../server/content/draft-commands.ts';
import { describe, expect, it } from 'vitest';
import { CHECK_RESULT } from '../../flows/types.ts';
import { builtinDocuments } from '../../server/content/builtin.ts';
import { canonicalJson, flowDocumentSchema, type FlowDocument } from '../../server/content/document.ts';
import {
  addOption,
  addStep,
  deleteFact,
  deleteOption,
  deleteStep,
  duplicateGuide,
  eventFromLabel,
  factUses,
  moveOption,
  moveStep,
  newGuide,
  referrers,
  renameFact,
  renameOption,
  renameStep,
  setCheck,
  setFact,
  setOptionTarget,
  setRoutes,
  setRouteTarget,
  setStepKind,
  setText,
  stepIdFromTitle,
  textAt,
  textFieldKey,
  textFieldOfKey,
} from '../../server/content/edit.ts';
import { validateDocument } from '../../server/content/validate.ts';
import { AppError } from '../../server/http/errors.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';

const builtin = (id: string) => builtinDocuments().find((d) => d.id === id)!;
/** A guide with a check step whose result's routes lead to four steps. */
const spfGuide = () => builtin('participant-no-email');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The AppError an edit throws (fails the test when it throws none, or something else). */
function refusal(change: () => unknown): AppError {
  try {
    change();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('the edit was not refused');
}

/** Whether a step id is still named anywhere in the document, as a whole JSON string or as a texts key. */
const mentions = (doc: FlowDocument, id: string) => JSON.stringify(doc).includes(`"${id}"`);

const problemMessages = (doc: unknown) => {
  const result = validateDocument(doc);
  return result.ok ? [] : result.problems.map((p) => p.message).sort();
};

/** A small guide in progress: a check step, a dead end, a missing German text, a fact. */
function handMade(): FlowDocument {
  const texts = (lng: string) => ({
    title: `Guide ${lng}`,
    summary: 'Summary',
    keywords: 'mail',
    ask: { title: 'Did it arrive?', body: 'Look in {{facts.folder}} and {{ facts.folder }}.', options: { YES: 'Yes', NO: 'No', DOMAIN: 'Check my domain' } },
    check: { title: 'Checking', body: 'Send your domain.', options: { CHECK: 'Check' } },
    ok: { title: 'Good', body: 'Done.' },
    stuck: { title: 'Stuck', body: 'Hm.', options: { AGAIN: 'Again' } },
  });
  const doc = flowDocumentSchema.parse({
    id: 'hand-made',
    machine: {
      id: 'hand-made',
      initial: 'ask',
      states: {
        ask: { meta: { kind: 'question' }, on: { YES: 'ok', NO: 'stuck', DOMAIN: 'check' } },
        check: {
          meta: { kind: 'check', check: { type: 'email-domain', includes: ['{{facts.include}}'] } },
          on: { [CHECK_RESULT]: [{ guard: { type: 'spfIs', params: { status: ['ok'] } }, target: 'ok' }, { target: 'stuck' }] },
        },
        stuck: { meta: { kind: 'instruction' }, on: { AGAIN: 'stuck' } },
        ok: { type: 'final', meta: { kind: 'outcome', outcome: 'resolved' } },
      },
    },
    facts: { folder: 'Junk', include: 'include:example.com', unused: 'x' },
    texts: { sv: texts('sv'), no: texts('no'), de: texts('de'), en: texts('en') },
  });
  delete (doc.texts.de as Record<string, unknown>).ok;
  return doc;
}

describe('names from what an author writes', () => {
  it.each([
    ['Jag hittade det i skräpposten', 'JAG_HITTADE_DET_I_SKRAPPOSTEN'],
    ['Ich habe es gefunden ✓', 'ICH_HABE_ES_GEFUNDEN'],
    ['Ja, i søppelpost-mappen', 'JA_I_SOPPELPOST_MAPPEN'],
    ['Die Straße ist grün', 'DIE_STRASSE_IST_GRUN'],
    ['Æble på træet', 'AEBLE_PA_TRAEET'],
    ['Café déjà vu', 'CAFE_DEJA_VU'],
    ['550 error', 'OPTION_550_ERROR'],
    ['✓', 'OPTION'],
    ['Check', 'CHECK_2'],
    ['Back', 'BACK_2'],
  ])('eventFromLabel(%j) is %s', (label, event) => {
    expect(eventFromLabel(label)).toBe(event);
  });

  it('makes events unique among those taken, and keeps them within 40 characters', () => {
    expect(eventFromLabel('Yes', ['YES'])).toBe('YES_2');
    expect(eventFromLabel('Yes', ['YES', 'YES_2'])).toBe('YES_3');
    const long = eventFromLabel('Mejlet kom fram men hamnade i en mapp som jag inte brukar titta i');
    expect(long).toBe('MEJLET_KOM_FRAM_MEN_HAMNADE_I_EN_MAPP');
    expect(long.length).toBeLessThanOrEqual(40);
    const taken = eventFromLabel('Mejlet kom fram men hamnade i en mapp som jag inte brukar titta i', [long]);
    expect(taken).toMatch(/_2$/);
    expect(taken.length).toBeLessThanOrEqual(40);
  });

  it('gives an event that fits the schema for every label of every built-in guide', () => {
    for (const doc of builtinDocuments())
      for (const lng of LANGUAGES)
        for (const [, st] of Object.entries(doc.texts[lng]))
          for (const label of Object.values(typeof st === 'string' ? {} : (st.options ?? {}))) {
            const event = eventFromLabel(label);
            expect(event, label).toMatch(/^[A-Z][A-Z0-9_]*$/);
            expect(event.length, label).toBeLessThanOrEqual(40);
          }
  });

  it('makes camelCase step ids that are free and not the guide texts\' own keys', () => {
    expect(stepIdFromTitle('Kolla skräpposten')).toBe('kollaSkrapposten');
    expect(stepIdFromTitle('Prüfen Sie den SPF-Eintrag')).toBe('prufenSieDenSpfEintrag');
    expect(stepIdFromTitle('Title')).toBe('title2');
    expect(stepIdFromTitle('Start', ['start', 'start2'])).toBe('start3');
    expect(stepIdFromTitle('2 minutes')).toBe('step2Minutes');
    expect(stepIdFromTitle('???')).toBe('step');
    expect(stepIdFromTitle('Constructor')).toBe('constructor2');
    for (const doc of builtinDocuments())
      for (const [step] of Object.entries(doc.machine.states)) {
        const id = stepIdFromTitle(doc.texts.de[step] && typeof doc.texts.de[step] === 'object' ? doc.texts.de[step].title : step);
        expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(id.length).toBeLessThanOrEqual(40);
      }
  });
});

describe('steps', () => {
  it('renames a step used as the first step and by guarded routes: no old reference is left, the order and validity stay', () => {
    const doc = spfGuide();
    expect(doc.machine.initial).toBe('howLongAgo');
    expect(referrers(doc, 'checkUnavailable')).toContainEqual({ step: 'checkSpf', event: CHECK_RESULT, route: 3 });
    let next = renameStep(doc, 'howLongAgo', 'whenWasItSent');
    next = renameStep(next, 'checkUnavailable', 'lookupFailed');
    for (const old of ['howLongAgo', 'checkUnavailable']) expect(mentions(next, old), old).toBe(false);
    expect(next.machine.initial).toBe('whenWasItSent');
    expect(referrers(next, 'lookupFailed')).toEqual(referrers(doc, 'checkUnavailable'));
    const order = Object.keys(doc.machine.states).map((s) => ({ howLongAgo: 'whenWasItSent', checkUnavailable: 'lookupFailed' })[s] ?? s);
    expect(Object.keys(next.machine.states)).toEqual(order);
    for (const lng of LANGUAGES) expect(next.texts[lng].lookupFailed).toEqual(doc.texts[lng].checkUnavailable);
    expect(validateDocument(next).ok).toBe(true);
  });

  it('renames every step of every built-in guide and the guide stays valid', () => {
    for (const doc of builtinDocuments()) {
      const ids = Object.keys(doc.machine.states);
      const next = ids.reduce((d, id) => renameStep(d, id, `${id}Renamed`), doc);
      for (const id of ids) expect(mentions(next, id), `${doc.id}: ${id}`).toBe(false);
      expect(Object.keys(next.machine.states)).toEqual(ids.map((id) => `${id}Renamed`));
      expect(problemMessages(next), doc.id).toEqual([]);
    }
  });

  it('keeps the problems of a guide in progress the same through a rename, named by the new id', () => {
    const doc = handMade();
    const before = problemMessages(doc);
    expect(before.length).toBeGreaterThan(0);
    const after = problemMessages(renameStep(renameStep(doc, 'stuck', 'stillStuck'), 'ok', 'fine'));
    expect(after).toEqual(before.map((m) => m.replaceAll('"stuck"', '"stillStuck"').replaceAll('"ok"', '"fine"')).sort());
  });

  it('renames a step named like the guide\'s own texts (as an import may have it) without touching those texts', () => {
    const doc = handMade();
    doc.machine.states.summary = { meta: { kind: 'instruction' }, on: { NEXT: 'ok' } };
    doc.machine.states.ask!.on!.MORE = 'summary';
    const next = renameStep(doc, 'summary', 'overview');
    expect(next.texts).toEqual(doc.texts);
    expect(next.machine.states.ask!.on!.MORE).toBe('overview');
    expect(deleteStep(doc, 'summary', 'ok').texts).toEqual(doc.texts);
    expect(refusal(() => setText(doc, 'en', { step: 'summary', name: 'title' }, 'x'))).toMatchObject({ status: 422 });
  });

  it('refuses a rename to a taken, malformed or reserved id, and of an unknown step', () => {
    const doc = handMade();
    expect(refusal(() => renameStep(doc, 'ask', 'stuck'))).toMatchObject({ status: 409, code: 'name_taken' });
    expect(refusal(() => renameStep(doc, 'ask', 'Ask'))).toMatchObject({ status: 422, code: 'invalid_edit' });
    expect(refusal(() => renameStep(doc, 'ask', 'summary'))).toMatchObject({ status: 422, code: 'invalid_edit' });
    expect(refusal(() => renameStep(doc, 'nope', 'other'))).toMatchObject({ status: 404, code: 'unknown_step' });
  });

  it('refuses to delete a step others lead to, naming them, and with a redirect leaves no reference to it', () => {
    const doc = spfGuide();
    const err = refusal(() => deleteStep(doc, 'checkUnavailable'));
    expect(err).toMatchObject({ status: 409, code: 'step_in_use' });
    expect(err.message).toContain('route 4 of the check result of "checkSpf"');
    expect(err.details).toMatchObject({ initial: false, referrers: referrers(doc, 'checkUnavailable') });

    const first = refusal(() => deleteStep(doc, 'howLongAgo'));
    expect(first.message).toContain('the start of the guide');

    const next = deleteStep(doc, 'checkUnavailable', 'contactSupport');
    expect(mentions(next, 'checkUnavailable')).toBe(false);
    // What led to the deleted step leads to the redirect; the deleted step's own options are gone with it.
    const kept = referrers(doc, 'contactSupport').filter((r) => r.step !== 'checkUnavailable');
    expect(referrers(next, 'contactSupport')).toEqual(expect.arrayContaining([...kept, ...referrers(doc, 'checkUnavailable')]));
    expect(referrers(next, 'contactSupport').length).toBe(kept.length + referrers(doc, 'checkUnavailable').length);
    for (const lng of LANGUAGES) expect(next.texts[lng]).not.toHaveProperty('checkUnavailable');

    const started = deleteStep(doc, 'howLongAgo', 'checkSpam');
    expect(started.machine.initial).toBe('checkSpam');
    expect(refusal(() => deleteStep(doc, 'checkUnavailable', 'checkUnavailable'))).toMatchObject({ status: 422 });
    expect(refusal(() => deleteStep(doc, 'checkUnavailable', 'nowhere'))).toMatchObject({ status: 422 });
  });

  it('deletes a step that only leads to itself without a redirect', () => {
    const doc = setOptionTarget(handMade(), 'ask', 'NO', 'ok');
    const next = deleteStep(setRoutes(doc, 'check', [{ target: 'ok' }]), 'stuck');
    expect(mentions(next, 'stuck')).toBe(false);
  });

  it('adds a step where asked, with titles only in the languages given', () => {
    const doc = handMade();
    const next = addStep(doc, { id: 'askAgain', kind: 'question', after: 'ask', titles: { sv: 'Igen?', en: 'Again?', de: '  ' } });
    expect(Object.keys(next.machine.states)).toEqual(['ask', 'askAgain', 'check', 'stuck', 'ok']);
    expect(next.texts.sv.askAgain).toEqual({ title: 'Igen?' });
    expect(next.texts.de.askAgain).toBeUndefined();
    expect(problemMessages(next)).toContain('step "askAgain", in de: the step has no texts');
    const last = addStep(doc, { id: 'escalate', kind: 'outcome', outcome: 'escalated' });
    expect(Object.keys(last.machine.states).at(-1)).toBe('escalate');
    expect(last.machine.states.escalate).toEqual({ type: 'final', meta: { kind: 'outcome', outcome: 'escalated' } });
    expect(addStep(doc, { id: 'lookup', kind: 'check' }).machine.states.lookup!.meta.check).toEqual({ type: 'email-domain', includes: [] });
    expect(refusal(() => addStep(doc, { id: 'end', kind: 'outcome' }))).toMatchObject({ status: 422 });
    expect(refusal(() => addStep(doc, { id: 'ask', kind: 'question' }))).toMatchObject({ status: 409 });
    expect(refusal(() => addStep(doc, { id: 'keywords', kind: 'question' }))).toMatchObject({ status: 422 });
    expect(refusal(() => addStep(doc, { id: 'x', kind: 'question', after: 'nope' }))).toMatchObject({ status: 404 });
  });

  it('moves a step and changes nothing else', () => {
    const doc = handMade();
    const up = moveStep(doc, 'stuck', 'up');
    expect(Object.keys(up.machine.states)).toEqual(['ask', 'stuck', 'check', 'ok']);
    expect(Object.keys(moveStep(doc, 'ask', 'up').machine.states)).toEqual(Object.keys(doc.machine.states));
    expect(Object.keys(moveStep(doc, 'ok', 0).machine.states)).toEqual(['ok', 'ask', 'check', 'stuck']);
    const { machine: m1, ...rest1 } = up;
    const { machine: m0, ...rest0 } = doc;
    expect(rest1).toEqual(rest0);
    expect(m1.states).toEqual(m0.states);
    expect(refusal(() => moveStep(doc, 'ok', 4))).toMatchObject({ status: 422 });
  });

  it('changes a step\'s kind with what the kind needs', () => {
    const doc = handMade();
    const ending = setStepKind(doc, 'stuck', 'outcome', 'escalated');
    expect(ending.machine.states.stuck).toEqual({ type: 'final', meta: { kind: 'outcome', outcome: 'escalated' } });
    for (const lng of LANGUAGES) expect(ending.texts[lng].stuck).not.toHaveProperty('options');
    const back = setStepKind(ending, 'stuck', 'instruction');
    expect(back.machine.states.stuck).toEqual({ meta: { kind: 'instruction' } });
    const noCheck = setStepKind(doc, 'check', 'question');
    expect(noCheck.machine.states.check).toEqual({ meta: { kind: 'question' } });
    expect(noCheck.texts.en.check!).not.toHaveProperty('options.CHECK');
    expect(setStepKind(doc, 'ask', 'check').machine.states.ask!.meta.check).toEqual({ type: 'email-domain', includes: [] });
    expect(refusal(() => setStepKind(doc, 'ask', 'outcome'))).toMatchObject({ status: 422 });
    expect(refusal(() => setStepKind(doc, 'ask', 'question', 'resolved'))).toMatchObject({ status: 422 });
  });

  it('sets a check step\'s check and routes', () => {
    const doc = handMade();
    const next = setCheck(doc, 'check', { type: 'email-domain', includes: ['include:a.example'], dmarc: true });
    expect(next.machine.states.check!.meta.check).toEqual({ type: 'email-domain', includes: ['include:a.example'], dmarc: true });
    expect(refusal(() => setCheck(doc, 'ask', { type: 'email-domain', includes: [] }))).toMatchObject({ status: 422 });
    expect(refusal(() => setCheck(doc, 'check', { type: 'spf' as 'email-domain', includes: [] }))).toMatchObject({ status: 422 });
    expect(refusal(() => setRoutes(doc, 'check', [{ target: 'nowhere' }]))).toMatchObject({ status: 422 });
  });

  it("switches a check step to a headers check from the studio's form, dropping the domain check's settings", () => {
    const doc = setCheck(handMade(), 'check', { type: 'email-domain', includes: ['include:a.example'], dmarc: true });
    const { document } = applyStepCommand(doc, 'check', { op: 'check', type: 'headers', includes: 'include:a.example', dmarc: 'on' }, ['en']);
    expect(document.machine.states.check!.meta.check).toEqual({ type: 'headers', includes: [] });
    const back = applyStepCommand(document, 'check', { op: 'check', type: 'email-domain', includes: 'include:b.example' }, ['en']).document;
    expect(back.machine.states.check!.meta.check).toEqual({ type: 'email-domain', includes: ['include:b.example'] });
    expect(() => applyStepCommand(doc, 'check', { op: 'check', type: 'crystal-ball' }, ['en'])).toThrow();
  });
});

describe('options', () => {
  it('adds an option with an event made from its label, stored in that language', () => {
    const doc = handMade();
    const next = addOption(doc, 'stuck', { label: 'Jag ger upp', lng: 'sv', target: 'ok' });
    expect(next.machine.states.stuck!.on).toEqual({ AGAIN: 'stuck', JAG_GER_UPP: 'ok' });
    expect(next.texts.sv.stuck!.options).toEqual({ AGAIN: 'Again', JAG_GER_UPP: 'Jag ger upp' });
    expect(next.texts.en.stuck!.options).not.toHaveProperty('JAG_GER_UPP');
    expect(addOption(doc, 'ask', { label: 'Yes', lng: 'en', target: 'ok' }).machine.states.ask!.on).toHaveProperty('YES_2');
    expect(addOption(doc, 'check', { label: 'Check', lng: 'en', target: 'ok' }).machine.states.check!.on).toHaveProperty('CHECK_2');
    expect(refusal(() => addOption(doc, 'ask', { label: 'x', lng: 'en', target: 'ok', event: 'YES' }))).toMatchObject({ status: 409 });
    expect(refusal(() => addOption(doc, 'ask', { label: 'x', lng: 'en', target: 'ok', event: 'CHECK_RESULT' }))).toMatchObject({ status: 422 });
    expect(refusal(() => addOption(doc, 'ok', { label: 'x', lng: 'en', target: 'ask' }))).toMatchObject({ status: 422 });
    expect(refusal(() => addOption(doc, 'ask', { label: 'x', lng: 'en', target: 'nowhere' }))).toMatchObject({ status: 422 });
    expect(refusal(() => addOption(doc, 'ask', { label: 'x'.repeat(301), lng: 'en', target: 'ok' }))).toMatchObject({ status: 422 });
  });

  it('renames, moves, retargets and deletes an option with its labels in every language', () => {
    const doc = handMade();
    const renamed = renameOption(doc, 'ask', 'NO', 'NOT_YET');
    expect(Object.keys(renamed.machine.states.ask!.on!)).toEqual(['YES', 'NOT_YET', 'DOMAIN']);
    for (const lng of LANGUAGES) expect(renamed.texts[lng].ask!.options).toEqual({ YES: 'Yes', NOT_YET: 'No', DOMAIN: 'Check my domain' });
    expect(problemMessages(renamed)).toEqual(problemMessages(doc));
    expect(refusal(() => renameOption(doc, 'ask', 'NO', 'YES'))).toMatchObject({ status: 409 });
    expect(refusal(() => renameOption(doc, 'ask', 'MAYBE', 'X'))).toMatchObject({ status: 404, code: 'unknown_option' });

    expect(Object.keys(moveOption(doc, 'ask', 'DOMAIN', 'up').machine.states.ask!.on!)).toEqual(['YES', 'DOMAIN', 'NO']);
    expect(setOptionTarget(doc, 'ask', 'NO', 'check').machine.states.ask!.on!.NO).toBe('check');
    expect(refusal(() => setOptionTarget(doc, 'check', CHECK_RESULT, 'ok'))).toMatchObject({ status: 422 });
    const routed = setRouteTarget(doc, 'check', CHECK_RESULT, 1, 'ask');
    expect(routed.machine.states.check!.on![CHECK_RESULT]).toEqual([{ guard: { type: 'spfIs', params: { status: ['ok'] } }, target: 'ok' }, { target: 'ask' }]);
    expect(refusal(() => setRouteTarget(doc, 'check', CHECK_RESULT, 2, 'ask'))).toMatchObject({ status: 422 });

    const deleted = deleteOption(doc, 'ask', 'NO');
    expect(deleted.machine.states.ask!.on).toEqual({ YES: 'ok', DOMAIN: 'check' });
    for (const lng of LANGUAGES) expect(deleted.texts[lng].ask!.options).not.toHaveProperty('NO');
  });
});

describe('texts', () => {
  it('names a text by the key i18next and the translation files use, and back', () => {
    const fields = [{ guide: 'summary' as const }, { step: 'checkSpam', name: 'body_agent' as const }, { step: 'checkSpam', option: 'FOUND' }];
    expect(fields.map(textFieldKey)).toEqual(['summary', 'checkSpam.body_agent', 'checkSpam.options.FOUND']);
    for (const f of fields) expect(textFieldOfKey(textFieldKey(f))).toEqual(f);
    expect(textFieldOfKey('checkSpam.nothing')).toBeUndefined();
  });

  it('sets texts: blank required ones stay as empty, a blank agent wording is removed', () => {
    const doc = handMade();
    const body = setText(doc, 'de', { step: 'ok', name: 'body' }, 'Erledigt.\r\nGut.');
    expect(body.texts.de.ok).toEqual({ title: '', body: 'Erledigt.\nGut.' });
    expect(textAt(body, 'de', { step: 'ok', name: 'body' })).toBe('Erledigt.\nGut.');
    const agent = setText(doc, 'en', { step: 'ask', name: 'body_agent' }, 'Ask them.');
    expect(textAt(agent, 'en', { step: 'ask', name: 'body_agent' })).toBe('Ask them.');
    expect(setText(agent, 'en', { step: 'ask', name: 'body_agent' }, '  ').texts.en.ask).not.toHaveProperty('body_agent');
    expect(setText(doc, 'en', { guide: 'summary' }, ' ').texts.en.summary).toBe('');
    expect(setText(doc, 'sv', { step: 'check', option: 'CHECK' }, 'Kolla').texts.sv.check!.options!.CHECK).toBe('Kolla');
    expect(setText(doc, 'sv', { step: 'ask', option: 'NO' }, '').texts.sv.ask!.options!.NO).toBe('');
    expect(refusal(() => setText(doc, 'sv', { step: 'ok', option: 'NO' }, 'x'))).toMatchObject({ status: 404 });
    expect(refusal(() => setText(doc, 'en', { guide: 'title' }, 'x'.repeat(301)))).toMatchObject({ status: 422 });
    expect(refusal(() => setText(doc, 'en', { step: 'ask', name: 'body' }, 'x'.repeat(20_001))).message).toContain('20,000');
  });
});

describe('facts', () => {
  it('finds where each fact is shown, in texts and checks', () => {
    const uses = factUses(spfGuide());
    expect(uses.get('spfInclude')).toContainEqual({ key: 'checkSpf.check' });
    expect(uses.get('product')).toContainEqual({ lng: 'sv', key: 'howLongAgo.body' });
    const hand = factUses(handMade());
    expect(hand.get('unused')).toEqual([]);
    expect(hand.get('folder')!.filter((u) => u.lng === 'en')).toEqual([{ lng: 'en', key: 'ask.body' }]);
  });

  it('renames a fact in every placeholder and include, and the guide stays valid', () => {
    const doc = spfGuide();
    const before = factUses(doc).get('spfInclude')!;
    const next = renameFact(doc, 'spfInclude', 'sesInclude');
    expect(JSON.stringify(next)).not.toMatch(/facts\.spfInclude\b/);
    expect(factUses(next).get('sesInclude')).toEqual(before);
    expect(factUses(next).has('spfInclude')).toBe(false);
    expect(problemMessages(next)).toEqual([]);
    const hand = renameFact(handMade(), 'folder', 'spamFolder');
    expect(hand.texts.en.ask!.body).toBe('Look in {{facts.spamFolder}} and {{ facts.spamFolder }}.');
    expect(refusal(() => renameFact(doc, 'spfInclude', 'product'))).toMatchObject({ status: 409 });
    expect(refusal(() => renameFact(doc, 'nothing', 'x'))).toMatchObject({ status: 404, code: 'unknown_fact' });
  });

  it('refuses to delete a fact still shown, naming up to five places', () => {
    const doc = spfGuide();
    const err = refusal(() => deleteFact(doc, 'product'));
    expect(err).toMatchObject({ status: 409, code: 'fact_in_use' });
    expect(err.message).toMatch(/howLongAgo\.body \(sv\), .* and \d+ more\. Remove it there first\.$/);
    expect(err.message.split('), ').length).toBe(5);
    const next = deleteFact(handMade(), 'unused');
    expect(next.facts).not.toHaveProperty('unused');
  });

  it('sets facts of every kind the schema allows, and refuses others', () => {
    const doc = handMade();
    expect(setFact(doc, 'ips', ['192.0.2.1', '192.0.2.2']).facts.ips).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(setFact(doc, 'menu', { en: 'Settings', de: 'Einstellungen' }).facts.menu).toEqual({ en: 'Settings', de: 'Einstellungen' });
    expect(setFact(doc, 'sender', { guide: 'participant-no-email', fact: 'product' }).facts.sender).toEqual({ guide: 'participant-no-email', fact: 'product' });
    expect(refusal(() => setFact(doc, 'ips', []))).toMatchObject({ status: 422 });
    expect(refusal(() => setFact(doc, 'Bad', 'x'))).toMatchObject({ status: 422 });
    expect(refusal(() => setFact(doc, 'toString', 'x'))).toMatchObject({ status: 422 });
  });
});

describe('guides', () => {
  it('builds a valid guide from a new one and a few edits', () => {
    const titles = { sv: 'Inget mejl', no: 'Ingen e-post', de: 'Keine E-Mail', en: 'No email' };
    let doc = newGuide('no-email', { titles });
    expect(doc.machine.id).toBe('no-email');
    doc = addStep(doc, { id: 'checkSpam', kind: 'question', after: 'start', titles: { sv: 'Kolla skräpposten', no: 'Sjekk søppelpost', de: 'Spam prüfen', en: 'Check spam' } });
    doc = addStep(doc, { id: 'contactSupport', kind: 'outcome', outcome: 'escalated', titles: { sv: 'Kontakta support', no: 'Kontakt support', de: 'Support kontaktieren', en: 'Contact support' } });
    doc = addOption(doc, 'start', { label: 'Not yet', lng: 'en', target: 'checkSpam' });
    doc = addOption(doc, 'checkSpam', { label: 'Found it', lng: 'en', target: 'done' });
    doc = addOption(doc, 'checkSpam', { label: 'Not there', lng: 'en', target: 'contactSupport' });
    for (const lng of LANGUAGES) {
      doc = setText(doc, lng, { guide: 'summary' }, `Summary ${lng}`);
      doc = setText(doc, lng, { guide: 'keywords' }, 'mail');
      doc = setText(doc, lng, { step: 'start', name: 'title' }, `Did it arrive? (${lng})`);
      for (const step of ['start', 'checkSpam', 'done', 'contactSupport']) doc = setText(doc, lng, { step, name: 'body' }, `Body ${lng}`);
      for (const [step, event] of [['start', 'NOT_YET'], ['checkSpam', 'FOUND_IT'], ['checkSpam', 'NOT_THERE']] as const)
        doc = setText(doc, lng, { step, option: event }, `${event} ${lng}`);
    }
    expect(problemMessages(doc)).toEqual([]);
  });

  it('starts a new guide whose only gaps are the texts to write', () => {
    const problems = validateDocument(newGuide('fresh', { titles: { en: 'Fresh' } }));
    expect(problems.ok).toBe(false);
    if (!problems.ok) expect(problems.problems.every((p) => p.path?.startsWith('texts.'))).toBe(true);
    expect(refusal(() => newGuide('Not an id', { titles: {} }))).toMatchObject({ status: 422 });
  });

  it('duplicates a guide under a new id, keeping its source and dropping its version number', () => {
    const doc = { ...spfGuide(), version: 3 };
    const copy = duplicateGuide(doc, 'participant-no-email-copy');
    expect(copy.id).toBe('participant-no-email-copy');
    expect(copy.machine.id).toBe('participant-no-email-copy');
    expect(copy.source).toBe(doc.source);
    expect(copy).not.toHaveProperty('version');
    expect(refusal(() => duplicateGuide(doc, doc.id))).toMatchObject({ status: 422 });
  });
});

describe('purity', () => {
  const edits: [string, (d: FlowDocument) => FlowDocument][] = [
    ['addStep', (d) => addStep(d, { id: 'extra', kind: 'check', after: 'checkSpam', titles: { en: 'Extra' } })],
    ['renameStep', (d) => renameStep(d, 'checkSpf', 'lookUpSpf')],
    ['moveStep', (d) => moveStep(d, 'checkSpf', 'up')],
    ['deleteStep', (d) => deleteStep(d, 'checkUnavailable', 'contactSupport')],
    ['setStepKind', (d) => setStepKind(d, 'checkSpf', 'outcome', 'workaround')],
    ['setCheck', (d) => setCheck(d, 'checkSpf', { type: 'email-domain', includes: [], dmarc: false })],
    ['setRoutes', (d) => setRoutes(d, 'checkSpf', [{ target: 'contactSupport' }])],
    ['addOption', (d) => addOption(d, 'checkSpam', { label: 'Vet inte', lng: 'sv', target: 'contactSupport' })],
    ['renameOption', (d) => renameOption(d, 'checkSpf', 'SKIP_CHECK', 'SKIP')],
    ['setOptionTarget', (d) => setOptionTarget(d, 'checkSpf', 'SKIP_CHECK', 'contactSupport')],
    ['setRouteTarget', (d) => setRouteTarget(d, 'checkSpf', CHECK_RESULT, 0, 'contactSupport')],
    ['moveOption', (d) => moveOption(d, 'checkSpf', 'SKIP_CHECK', 'up')],
    ['deleteOption', (d) => deleteOption(d, 'checkSpf', 'SKIP_CHECK')],
    ['setText', (d) => setText(d, 'de', { step: 'checkSpf', name: 'body_agent' }, '')],
    ['setFact', (d) => setFact(d, 'product', 'Other')],
    ['renameFact', (d) => renameFact(d, 'product', 'productName')],
    ['deleteFact', (d) => deleteFact(d, 'spare')],
    ['duplicateGuide', (d) => duplicateGuide(d, 'copy')],
  ];

  it.each(edits)('%s changes a copy and never the document it is given', (_name, change) => {
    // With a fact nothing shows, which can be deleted.
    const doc = deepFreeze(setFact(spfGuide(), 'spare', 'x'));
    const before = canonicalJson(doc);
    const next = change(doc);
    expect(canonicalJson(doc)).toBe(before);
    expect(canonicalJson(next)).not.toBe(before);
    // The copy can be edited further (nothing of the frozen input is shared).
    expect(() => setText(next, 'en', { guide: 'summary' }, 'changed')).not.toThrow();
    expect(Object.isFrozen(next)).toBe(false);
  });
});
