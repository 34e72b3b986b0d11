import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password.ts';
import type { FlowDocument } from '../../server/content/document.ts';
import { missingTexts, staleTexts } from '../../server/content/origins.ts';
import type { Editor } from '../../server/content/service.ts';
import { textAt } from '../../server/content/text-keys.ts';
import { addAgent, hidden, PASSWORD, signIn } from '../support/agents.ts';
import type { TestApp } from '../support/app.ts';
import { syncedApp } from '../support/content.ts';

/*
 * The translator's pages of the studio, through the real app: an author's Swedish edit is published with ctx.drafts,
 * and a German translator finds the German text stale, works on it in the focused view and saves into their own
 * draft. Missing texts cannot be published, so they are tested where they can exist: on a draft the person works in
 * themselves (an author's draft that adds a step in Swedish only; an author works on every language).
 */

const FLOW = 'participant-no-email';
const KEY = 'checkSpam.body';
const NEW_SV = 'Be deltagaren öppna skräppostmappen och söka efter mejlet från oss där.';
const BASE = `/admin/studio/translate/de/${FLOW}`;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const edit = (doc: FlowDocument, change: (d: FlowDocument) => void) => {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
};

/** The app with an author's published change of the Swedish body of checkSpam, and a German translator signed in. */
async function setUp() {
  t = await syncedApp();
  const { drafts } = t.app.locals.ctx;
  const author = await addAgent(t, 'author@example.com', 'author', 'Ann');
  const authorEditor: Editor = { actor: { agentId: author.id, via: 'console' } };
  const draft = await drafts.start(FLOW, authorEditor);
  const saved = await drafts.save(draft.id, edit(draft.document, (d) => (d.texts.sv.checkSpam!.body = NEW_SV)), authorEditor, { ifRevision: draft.revision, sourceLng: 'sv' });
  await drafts.publish(saved, authorEditor, 'Clearer Swedish');
  const translator = await t.store.createAgent({ email: 'de@example.com', name: 'Dora', role: 'translator', passwordHash: await hashPassword(PASSWORD), languages: ['de'] });
  const signedIn = await signIn(t, 'de@example.com');
  return { ...signedIn, translator, author, authorEditor, app: t, ctx: t.app.locals.ctx };
}

/** The translator's open drafts of the guide. */
const draftsOf = async (s: Awaited<ReturnType<typeof setUp>>, agentId: number) => (await s.ctx.drafts.list(FLOW)).filter((d) => d.createdBy === agentId);

const row = (html: string, lng: string, flow: string) => {
  const section = html.split(`id="lng-${lng}"`)[1]?.split('</section>')[0] ?? '';
  return section.match(new RegExp(`data-guide="${flow}" data-missing="(\\d+)" data-stale="(\\d+)"`))?.slice(1).map(Number);
};
const listed = (html: string, kind: 'missing' | 'stale') => [...(html.split(`data-kind="${kind}"`)[1]?.split('</ul>')[0] ?? '').matchAll(/data-key="([^"]+)"/g)].map((m) => m[1]);
const field = (html: string) => html.match(/<textarea id="text"[^>]*>([\s\S]*?)<\/textarea>/)?.[1];

describe('the translator’s studio pages', () => {
  it('a German translator sees the stale German text after the Swedish edit, reads what changed, and updates it in their draft', async () => {
    const s = await setUp();
    const overview = await s.client.get('/admin/studio/translate').expect(200);
    expect(row(overview.text, 'de', FLOW)).toEqual([0, 1]);
    // Only their language is listed.
    expect(overview.text).not.toContain('id="lng-sv"');

    const list = await s.client.get(BASE).expect(200);
    expect(listed(list.text, 'stale')).toEqual([KEY]);
    expect(listed(list.text, 'missing')).toEqual([]);
    expect(list.text).toContain(`href="${BASE}/${KEY}"`);

    const page = await s.client.get(`${BASE}/${KEY}`).expect(200);
    expect(page.text).toContain('data-state="stale"');
    // The Swedish text now, what the German was translated from, and the word diff between them.
    expect(page.text).toContain(NEW_SV);
    expect(page.text).toContain('Be deltagaren öppna sin skräppostmapp');
    expect(page.text).toMatch(/<del>[^<]*sin[^<]*<\/del>/);
    expect(page.text).toMatch(/<ins>[^<]*skräppostmappen[^<]*<\/ins>/);
    const before = textAt((await s.ctx.content.version(FLOW)).document, 'de', KEY)!;
    expect(field(page.text)).toBe(before);
    expect(page.text).toMatch(/<label for="text">[^<]*Deutsch/);
    // The glossary of German is beside it.
    expect(page.text).toContain('Zulassungsliste');
    expect(hidden(page.text, 'version')).toBe('2');

    const text = 'Bitten Sie den Teilnehmer, im Spam-Ordner nach unserer E-Mail zu suchen.';
    const saved = await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text, version: hidden(page.text, 'version') }).expect(303);
    // Nothing else is left in German: back to the list.
    expect(saved.headers.location).toBe(`${BASE}?done=saved`);

    const [mine] = await draftsOf(s, s.translator.id);
    const draft = await s.ctx.drafts.get(mine!.id);
    expect(textAt(draft.document, 'de', KEY)).toBe(text);
    expect(staleTexts(draft.document, draft.origins, 'de')).toEqual([]);
    // Published texts are as they were until the draft is published (from the draft page).
    expect(textAt((await s.ctx.content.version(FLOW)).document, 'de', KEY)).toBe(before);

    const after = await s.client.get(BASE).expect(200);
    expect(listed(after.text, 'stale')).toEqual([]);
    expect(after.text).toContain(`href="/admin/studio/drafts/${draft.id}"`);
    expect(after.text).toContain('1 text changed in your draft');
    expect(row((await s.client.get('/admin/studio/translate').expect(200)).text, 'de', FLOW)).toEqual([0, 0]);
    expect(s.app.errors).toEqual([]);
  });

  it('a translator cannot save, confirm or even open a Swedish text: 403, and nothing changes', async () => {
    const s = await setUp();
    const version = await s.ctx.content.version(FLOW);
    await s.client.get(`/admin/studio/translate/sv/${FLOW}`).expect(403);
    await s.client.get(`/admin/studio/translate/sv/${FLOW}/${KEY}`).expect(403);
    const res = await s.client.post(`/admin/studio/translate/sv/${FLOW}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Översatt av fel person.', version: version.number }).expect(403);
    expect(res.text).toMatch(/<html lang="(sv|no|de|en)">/);
    await s.client.post(`/admin/studio/translate/sv/${FLOW}/${KEY}/confirm`).type('form').send({ _csrf: s.csrf, version: version.number }).expect(403);
    expect(await draftsOf(s, s.translator.id)).toEqual([]);
    expect((await s.ctx.content.version(FLOW)).hash).toBe(version.hash);

    // Into their own draft (named by hand), a Swedish text is refused the same way.
    const page = await s.client.get(`${BASE}/${KEY}`).expect(200);
    await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Neu.', version: hidden(page.text, 'version') }).expect(303);
    const [mine] = await draftsOf(s, s.translator.id);
    const draft = await s.ctx.drafts.get(mine!.id);
    await s.client.post(`/admin/studio/translate/sv/${FLOW}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Fel.', draftId: draft.id, revision: draft.revision }).expect(403);
    expect((await s.ctx.drafts.get(draft.id)).revision).toBe(draft.revision);
    expect(textAt((await s.ctx.drafts.get(draft.id)).document, 'sv', KEY)).toBe(NEW_SV);

    // Nor into someone else's draft, even in German.
    const other = await s.ctx.drafts.start(FLOW, s.authorEditor);
    await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Fremd.', draftId: other.id, revision: other.revision }).expect(403);
    expect((await s.ctx.drafts.get(other.id)).revision).toBe(other.revision);
    expect(s.app.errors).toEqual([]);
  });

  it('the focused view shows the notes an agency export gives the same text', async () => {
    const s = await setUp();
    const page = await s.client.get(`${BASE}/checkSpam.body_agent`).expect(200);
    expect(page.text).toContain('<li class="note">Read by a support agent to a customer.</li>');
    // The general note on guide texts, and the step the text belongs to.
    expect(page.text).toContain('body_agent&#x60; is read by a support agent');
    expect(page.text).toContain('In the step “Is the email in the spam folder?”');
  });

  it('whatever a form or address holds, the pages answer with a 4xx at worst', { timeout: 60_000 }, async () => {
    const s = await setUp();
    // With a draft of their own, so that forms naming it reach the save itself.
    const page = await s.client.get(`${BASE}/${KEY}`).expect(200);
    await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Neu.', version: hidden(page.text, 'version') }).expect(303);
    const [mine] = await draftsOf(s, s.translator.id);
    const segment = fc.oneof(fc.constantFrom(KEY, 'title', 'keywords', 'checkSpam.options.FOUND_IN_SPAM', '__proto__', 'constructor', 'a.b.c.d', '%ff', '..'), fc.string({ maxLength: 30 }).map(encodeURIComponent));
    const value = fc.oneof(fc.constantFrom(String(mine!.id), String(mine!.revision), '1', '2', '0', '-1', '1e99', 'x', '', '999999'), fc.string({ maxLength: 20 }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('de', 'de', 'sv', 'xx'), segment, fc.boolean(), fc.record({ text: fc.oneof(value, fc.string({ maxLength: 200 })), draftId: value, revision: value, version: value }, { requiredKeys: [] }), async (lng, key, confirm, form) => {
        const url = `/admin/studio/translate/${lng}/${FLOW}/${key}${confirm ? '/confirm' : ''}`;
        const res = await s.client.post(url).type('form').send({ _csrf: s.csrf, ...form });
        expect(res.status, `${url} ${JSON.stringify(form)} → ${res.status}`).toBeLessThan(500);
        expect((await s.client.get(url.replace(/\/confirm$/, ''))).status).toBeLessThan(500);
      }),
      {
        numRuns: 150,
        // Sure cases of a form that names a draft but not its revision, or a revision but no draft.
        examples: [
          ['de', KEY, false, { text: 'Neu.', draftId: String(mine!.id) }],
          ['de', KEY, true, { draftId: String(mine!.id) }],
          ['de', KEY, false, { text: 'Neu.', revision: String(mine!.revision) }],
          ['de', 'title', true, { revision: '1', version: '1' }],
        ],
      },
    );
    expect(s.app.errors).toEqual([]);
  });

  it('"Still correct" clears the stale mark and keeps the German text', async () => {
    const s = await setUp();
    const page = await s.client.get(`${BASE}/${KEY}`).expect(200);
    const german = field(page.text);
    const res = await s.client.post(`${BASE}/${KEY}/confirm`).type('form').send({ _csrf: s.csrf, version: hidden(page.text, 'version') }).expect(303);
    expect(res.headers.location).toBe(`${BASE}?done=confirmed`);
    const [mine] = await draftsOf(s, s.translator.id);
    const draft = await s.ctx.drafts.get(mine!.id);
    expect(staleTexts(draft.document, draft.origins, 'de')).toEqual([]);
    expect(textAt(draft.document, 'de', KEY)).toBe(german);
    const again = await s.client.get(`${BASE}/${KEY}`).expect(200);
    expect(again.text).toContain('data-state="current"');
    expect(again.text).not.toContain('/confirm"');
    expect(hidden(again.text, 'draftId')).toBe(String(draft.id));
  });

  it('an unknown text, guide or language is a 404 page', async () => {
    const s = await setUp();
    await s.client.get(`${BASE}/checkSpam.nothing`).expect(404);
    await s.client.get(`${BASE}/noSuchStep.title`).expect(404);
    await s.client.get(`${BASE}/constructor`).expect(404);
    await s.client.post(`${BASE}/noSuchStep.title`).type('form').send({ _csrf: s.csrf, text: 'x', version: 2 }).expect(404);
    await s.client.get('/admin/studio/translate/de/no-such-guide').expect(404);
    await s.client.get(`/admin/studio/translate/xx/${FLOW}`).expect(404);
    expect(await draftsOf(s, s.translator.id)).toEqual([]);
    expect(s.app.errors).toEqual([]);
  });

  it('two saves on the same revision: the second gets the conflict page with its text kept, and the first stays', async () => {
    const s = await setUp();
    // The first save starts the draft; the page of the second was made before it (on the version).
    const page = await s.client.get(`${BASE}/${KEY}`).expect(200);
    const version = hidden(page.text, 'version');
    await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Erste Fassung.', version }).expect(303);
    const late = await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Zweite <b>Fassung</b>.', version }).expect(409);
    expect(late.text).toContain('role="alert"');
    expect(field(late.text)).toBe('Zweite &lt;b&gt;Fassung&lt;/b&gt;.');
    expect(late.text).toContain('Erste Fassung.');

    // In the draft: two pages made on one revision, both saved.
    const onDraft = await s.client.get(`${BASE}/${KEY}`).expect(200);
    const at = { draftId: hidden(onDraft.text, 'draftId'), revision: hidden(onDraft.text, 'revision') };
    expect(at.draftId).toBeDefined();
    await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Dritte Fassung.', ...at }).expect(303);
    const conflict = await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Vierte Fassung.', ...at }).expect(409);
    expect(field(conflict.text)).toBe('Vierte Fassung.');
    // The page names the draft's new revision, so saving again from it goes through.
    expect(Number(hidden(conflict.text, 'revision'))).toBe(Number(at.revision) + 1);
    const draft = await s.ctx.drafts.get(Number(at.draftId));
    expect(textAt(draft.document, 'de', KEY)).toBe('Dritte Fassung.');
    await s.client.post(`${BASE}/${KEY}`).type('form').send({ _csrf: s.csrf, text: 'Vierte Fassung.', draftId: at.draftId, revision: hidden(conflict.text, 'revision') }).expect(303);
    expect(textAt((await s.ctx.drafts.get(draft.id)).document, 'de', KEY)).toBe('Vierte Fassung.');
    expect(await draftsOf(s, s.translator.id)).toHaveLength(1);
    expect(s.app.errors).toEqual([]);
  });

  it('missing texts: an author works through the German of a step they added in Swedish, in their own draft', async () => {
    const s = await setUp();
    const { drafts } = s.ctx;
    const draft = await drafts.start(FLOW, s.authorEditor);
    const added = edit(draft.document, (d) => {
      d.machine.states.askAgain = { meta: { kind: 'instruction' }, on: { DONE: 'checkSpam' } };
      d.texts.sv.askAgain = { title: 'Fråga igen', body: 'Be deltagaren titta en gång till.', options: { DONE: 'Klart' } };
    });
    await drafts.save(draft.id, added, s.authorEditor, { ifRevision: draft.revision, sourceLng: 'sv' });
    expect(missingTexts(added, 'de')).toEqual(['askAgain.title', 'askAgain.body', 'askAgain.options.DONE']);

    const author = await signIn(s.app, 'author@example.com');
    const overview = await author.client.get('/admin/studio/translate').expect(200);
    // The author's working state is their draft: German lacks three texts and has the stale one.
    expect(row(overview.text, 'de', FLOW)).toEqual([3, 1]);
    expect(row(overview.text, 'sv', FLOW)).toEqual([0, 0]);
    // The translator's working state is the published version, which has no such step.
    expect(row((await s.client.get('/admin/studio/translate').expect(200)).text, 'de', FLOW)).toEqual([0, 1]);

    const list = await author.client.get(BASE).expect(200);
    expect(listed(list.text, 'missing')).toEqual(['askAgain.title', 'askAgain.body', 'askAgain.options.DONE']);
    const page = await author.client.get(`${BASE}/askAgain.body`).expect(200);
    expect(page.text).toContain('data-state="missing"');
    expect(page.text).toContain('Be deltagaren titta en gång till.');
    expect(field(page.text)).toBe('');
    expect(page.text).toContain(`href="${BASE}/askAgain.options.DONE" rel="next"`);
    const saved = await author.client
      .post(`${BASE}/askAgain.body`)
      .type('form')
      .send({ _csrf: author.csrf, text: 'Bitten Sie den Teilnehmer,\r\nnoch einmal nachzusehen.', draftId: hidden(page.text, 'draftId'), revision: hidden(page.text, 'revision') })
      .expect(303);
    expect(saved.headers.location).toBe(`${BASE}/askAgain.options.DONE?done=saved`);
    const now = await drafts.get(draft.id);
    expect(textAt(now.document, 'de', 'askAgain.body')).toBe('Bitten Sie den Teilnehmer,\nnoch einmal nachzusehen.');
    expect(missingTexts(now.document, 'de')).toEqual(['askAgain.title', 'askAgain.options.DONE']);
    // The author's German text is a translation: Swedish stays the source, and no other language goes stale.
    expect(staleTexts(now.document, now.origins, 'sv')).toEqual([]);
    expect(s.app.errors).toEqual([]);
  });
});
