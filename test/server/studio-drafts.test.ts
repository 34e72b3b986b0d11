import { afterEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import type { Editor } from '../../server/content/service.ts';
import { missingTexts, recordEdit, staleTexts } from '../../server/content/origins.ts';
import { importTranslation, latestDocuments, readXliff, toXliff, unitsOf } from '../../server/content/translation.ts';
import { AppError } from '../../server/http/errors.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { useTempFiles } from '../support/app.ts';
import { editedDocument, syncedApp } from '../support/content.ts';

const FLOW = 'participant-no-email';
const author: Editor = { actor: { agentId: null, via: 'token' } };
const translatorDe: Editor = { actor: { agentId: null, via: 'token' }, onlyTexts: ['de'] };
const edit = (doc: FlowDocument, change: (d: FlowDocument) => void) => {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
};

describe('text origins', () => {
  const base = editedDocument(FLOW, () => {});

  it('an author edit of the Swedish text makes the other languages stale, with what they were written from', () => {
    const after = edit(base, (d) => (d.texts.sv.checkSpam!.body = 'Ny text om skräpposten.'));
    const origins = recordEdit(base, after, {}, 'author', 'sv');
    expect(origins['checkSpam.body']?.source).toBe('sv');
    for (const lng of ['no', 'de', 'en'] as const) {
      const stale = staleTexts(after, origins, lng);
      expect(stale.map((s) => s.key)).toEqual(['checkSpam.body']);
      expect(stale[0]).toMatchObject({ source: 'sv', was: base.texts.sv.checkSpam!.body, now: 'Ny text om skräpposten.' });
    }
    expect(staleTexts(after, origins, 'sv')).toEqual([]);
  });

  it('a translation brings one language up to date; the source stays Swedish', () => {
    const first = edit(base, (d) => (d.texts.sv.checkSpam!.body = 'Ny text.'));
    const o1 = recordEdit(base, first, {}, 'author', 'sv');
    const second = edit(first, (d) => (d.texts.de.checkSpam!.body = 'Neuer Text.'));
    // An author updating a stale translation is translating too: German is not made the source.
    for (const role of ['translator', 'author'] as const) {
      const o2 = recordEdit(first, second, o1, role, 'sv');
      expect(o2['checkSpam.body']?.source).toBe('sv');
      expect(staleTexts(second, o2, 'de')).toEqual([]);
      expect(staleTexts(second, o2, 'no').map((s) => s.key)).toEqual(['checkSpam.body']);
    }
  });

  it('texts written together in one save agree; a new step is missing where it has no text', () => {
    const after = edit(base, (d) => {
      d.texts.sv.checkSpam!.title = 'Titta i skräpposten';
      d.texts.en.checkSpam!.title = 'Look in the spam folder';
    });
    const origins = recordEdit(base, after, {}, 'author', 'en');
    expect(origins['checkSpam.title']?.source).toBe('en');
    expect(staleTexts(after, origins, 'sv')).toEqual([]);
    expect(staleTexts(after, origins, 'de').map((s) => s.key)).toEqual(['checkSpam.title']);
    expect(missingTexts(base, 'de')).toEqual([]);
    const added = edit(base, (d) => {
      d.machine.states.extra = { meta: { kind: 'instruction' }, on: { DONE: 'checkSpam' } };
      d.texts.sv.extra = { title: 'Extra', body: 'Text', options: { DONE: 'Klart' } };
    });
    expect(missingTexts(added, 'de')).toEqual(['extra.title', 'extra.body', 'extra.options.DONE']);
    expect(missingTexts(added, 'sv')).toEqual([]);
  });
});

describe('drafts', () => {
  const file = useTempFiles();
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('saves by revision, refuses a save on an older one, keeps origins through publishing, and survives a restart', async () => {
    const path = file();
    const t = await syncedApp(path);
    const { drafts, content } = t.app.locals.ctx;
    const draft = await drafts.start(FLOW, author);
    expect(draft).toMatchObject({ revision: 1, baseVersion: 1, status: 'open' });
    const changed = edit(draft.document, (d) => (d.texts.sv.checkSpam!.body = 'Ny text.'));
    const saved = await drafts.save(draft.id, changed, author, { ifRevision: 1, sourceLng: 'sv', note: 'sv body' });
    expect(saved.revision).toBe(2);
    // Someone who opened revision 1 saves too: refused, with the revision it is at, and nothing overwritten.
    const other = edit(draft.document, (d) => (d.texts.en.checkSpam!.title = 'Other'));
    const conflict = await drafts.save(draft.id, other, author, { ifRevision: 1, sourceLng: 'en' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(AppError);
    expect(conflict).toMatchObject({ status: 409, code: 'draft_conflict', details: { revision: 2 } });
    expect((await drafts.get(draft.id)).document.texts.sv.checkSpam!.body).toBe('Ny text.');

    // A translator of German may change German texts only, checked against the draft as it is.
    await expect(drafts.save(draft.id, edit(saved.document, (d) => (d.texts.sv.checkSpam!.title = 'x')), translatorDe, { ifRevision: 2, sourceLng: 'de' })).rejects.toMatchObject({ status: 403 });
    // An incomplete document is a draft all the same; publishing it is refused with its problems.
    const incomplete = edit(saved.document, (d) => delete d.texts.de.howLongAgo);
    const s3 = await drafts.save(draft.id, incomplete, author, { ifRevision: 2, sourceLng: 'sv' });
    expect(drafts.problems(s3).some((p) => p.path === 'texts.de.howLongAgo')).toBe(true);
    await expect(drafts.publish(s3, author, 'x')).rejects.toMatchObject({ status: 422, code: 'invalid_document' });
    const s4 = await drafts.save(draft.id, saved.document, author, { ifRevision: 3, sourceLng: 'sv' });

    const v = await drafts.publish(s4, author, 'new Swedish body');
    expect(v.number).toBe(2);
    expect(staleTexts(v.document, v.origins, 'de').map((s) => s.key)).toEqual(['checkSpam.body']);
    await expect(drafts.save(draft.id, s4.document, author, { ifRevision: 4, sourceLng: 'sv' })).rejects.toMatchObject({ code: 'draft_closed' });
    expect(await drafts.list(FLOW)).toEqual([]);
    const audit = await content.audit({ flowId: FLOW, limit: 10, offset: 0 });
    expect(audit.map((a) => a.action)).toEqual(['publish', 'edit', 'edit', 'edit', 'draft', 'publish']);
    await t.close();

    // What was acknowledged is in the file: a new process reads the version's origins and the closed draft.
    const store = createSqliteStore(path);
    close = () => store.close();
    const again = await store.getVersion(FLOW, 2);
    expect(again?.origins['checkSpam.body']?.source).toBe('sv');
    expect((await store.getDraft(draft.id))?.status).toBe('published');
  });

  it('a draft started from the published version of a translator carries the stale marks on', async () => {
    const t = await syncedApp(file());
    close = () => t.close();
    const { drafts } = t.app.locals.ctx;
    const d1 = await drafts.start(FLOW, author);
    const s = await drafts.save(d1.id, edit(d1.document, (d) => (d.texts.sv.checkSpam!.title = 'Ny titel')), author, { ifRevision: 1, sourceLng: 'sv' });
    await drafts.publish(s, author, null);
    const d2 = await drafts.start(FLOW, translatorDe);
    expect(staleTexts(d2.document, d2.origins, 'de').map((x) => x.key)).toEqual(['checkSpam.title']);
    const confirmed = await drafts.confirm(d2.id, 'de', 'checkSpam.title', translatorDe, 1);
    expect(staleTexts(confirmed.document, confirmed.origins, 'de')).toEqual([]);
    await expect(drafts.confirm(d2.id, 'sv', 'checkSpam.title', translatorDe, 2)).rejects.toMatchObject({ status: 403 });
    await drafts.discard(d2.id, translatorDe);
    expect(await drafts.list()).toEqual([]);

    // An agency's export of what is out of date: that text only, with what its source said when it was translated.
    const { selected, all } = await latestDocuments(t.app.locals.ctx.content, FLOW);
    const stale = unitsOf(selected[0]!, all, { source: 'sv', target: 'de', only: 'stale' });
    expect(stale.units.map((u) => u.key)).toEqual(['checkSpam.title']);
    expect(stale.units[0]!.notes.join(' ')).toContain(`It was: ${d1.document.texts.sv.checkSpam!.title}`);
    expect(unitsOf(selected[0]!, all, { source: 'sv', target: 'de', only: 'todo' }).units.map((u) => u.key)).toEqual(['checkSpam.title']);
    // Its import is a translation: German comes up to date, and Swedish stays the source of the others.
    const xliff = toXliff([{ ...stale, units: stale.units.map((u) => ({ ...u, target: 'Neuer Titel' })) }], { source: 'sv', target: 'de', only: 'stale' });
    const outcome = await importTranslation(t.app.locals.ctx.content, 'de', readXliff(xliff, 'de'), author);
    const imported = await drafts.get(outcome.drafts[0]!.draft);
    expect(staleTexts(imported.document, imported.origins, 'de')).toEqual([]);
    expect(staleTexts(imported.document, imported.origins, 'no').map((x) => x.key)).toEqual(['checkSpam.title']);
  });
});
