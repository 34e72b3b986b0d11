import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { addAgent, hidden, PASSWORD, signIn } from '../support/agents.ts';
import type { TestApp } from '../support/app.ts';
import { syncedApp } from '../support/content.ts';

/*
 * The studio as a person without JavaScript uses it: every change a form post, then a page. Real app, real SQLite
 * file, real sign-in with roles and CSRF.
 */

const FLOW = 'participant-no-email';
type Client = Awaited<ReturnType<typeof signIn>>;

let t: TestApp;
let author: Client;
let translator: Client;
beforeAll(async () => {
  t = await syncedApp();
  await addAgent(t, 'author@example.com', 'author', 'Ann Author');
  await addAgent(t, 'agent@example.com', 'agent', 'Al Agent');
  await t.store.createAgent({ email: 'de@example.com', name: 'Dana', role: 'translator', passwordHash: await hashPassword(PASSWORD), languages: ['de'] });
  author = await signIn(t, 'author@example.com');
  translator = await signIn(t, 'de@example.com');
});
afterAll(() => t.close());

/** Posts a studio form made on the page at `page` (its current revision), the way a browser without scripts does. */
async function post(c: Client, page: string, action: string, fields: Record<string, string>) {
  const shown = await c.client.get(page).expect(200);
  const revision = hidden(shown.text, 'revision');
  return c.client.post(action).type('form').send({ _csrf: c.csrf, ...(revision ? { revision } : {}), ...fields });
}

/** A form that went through: 303 to the next page (else the page it showed, for the failure message). */
const saved = (r: request.Response) => {
  expect(r.status, r.text.replace(/\s+/g, ' ').slice(0, 2000)).toBe(303);
  return r;
};

const texts = (lng: string, fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${lng}.${k}`, v]));

describe('the studio without JavaScript', () => {
  it('is for people who edit guides: sign-in first, agents refused, links in the console for editors', async () => {
    const anonymous = await request(t.app).get('/admin/studio').expect(302);
    expect(anonymous.headers.location).toBe('/agent/login?next=%2Fadmin%2Fstudio');
    const agent = await signIn(t, 'agent@example.com');
    await agent.client.get('/admin/studio').expect(403);
    expect((await agent.client.get('/agent').expect(200)).text).not.toContain('href="/admin/studio"');
    expect((await author.client.get('/agent').expect(200)).text).toContain('href="/admin/studio"');
    await author.client.get('/admin/studio/nothing-here').expect(404);
    // A form without the login's CSRF token is refused.
    await author.client.post(`/admin/studio/guides/${FLOW}/drafts`).type('form').send({}).expect(403);
  });

  it('an author builds a three-step guide from scratch and publishes it; participants can run it at once', async () => {
    const made = await author.client.post('/admin/studio/guides?lng=sv').type('form').send({ _csrf: author.csrf, id: 'printer-mail', title: 'Skrivaren mejlar inte', copyOf: '' }).expect(303);
    const draft = made.headers.location as string;
    expect(draft).toMatch(/^\/admin\/studio\/drafts\/\d+$/);

    // A new step, and the first question's option to it: "a new step…" makes one from the label.
    const added = await post(author, draft, draft, { op: 'addStep', title: 'Starta om skrivaren', lng: 'sv', kind: 'instruction', after: 'start' }).then(saved);
    const restart = added.headers.location as string;
    expect(restart).toBe(`${draft}/steps/startaOmSkrivaren`);
    await post(author, restart, restart, { op: 'addOption', label: 'Klart, nu fungerar det', lng: 'sv', target: 'done' }).then(saved);
    await post(author, `${draft}/steps/start`, `${draft}/steps/start`, { op: 'addOption', label: 'Nej', lng: 'sv', target: 'startaOmSkrivaren', event: 'NO' }).then(saved);

    // Problems are listed with links to where they are fixed, and publishing is refused while there are any.
    const before = await author.client.get(draft).expect(200);
    expect(before.text).toContain(`href="${draft}/steps/start#texts-de"`);
    const refused = await post(author, draft, `${draft}/publish`, { note: 'first' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('role="alert"');

    // Every text in all four languages, in the columns of each step.
    const steps = {
      start: { title: 'Fungerar utskriften?', body: 'Skriv ut en testsida.', 'options.WORKS_NOW': 'Ja', 'options.NO': 'Nej' },
      startaOmSkrivaren: { title: 'Starta om', body: 'Stäng av och slå på skrivaren.', 'options.KLART_NU_FUNGERAR_DET': 'Klart' },
      done: { title: 'Bra', body: 'Skrivaren fungerar.' },
    };
    for (const [step, fields] of Object.entries(steps)) {
      const page = `${draft}/steps/${step}`;
      const form = Object.fromEntries(LANGUAGES.flatMap((lng) => Object.entries(texts(lng, Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${v} (${lng})`]))))));
      await post(author, page, page, { op: 'texts', sourceLng: 'sv', ...form }).then(saved);
    }
    const guide = Object.fromEntries(LANGUAGES.flatMap((lng) => Object.entries(texts(lng, { title: `Skrivaren (${lng})`, summary: `När skrivaren inte mejlar (${lng})`, keywords: 'skrivare' }))));
    await post(author, draft, draft, { op: 'guideTexts', ...guide }).then(saved);

    const ready = await author.client.get(draft).expect(200);
    expect(ready.text).not.toContain('class="problems"');
    const published = await post(author, draft, `${draft}/publish`, { note: 'A new guide' }).then(saved);
    expect(published.headers.location).toBe('/admin/studio/guides/printer-mail?published=1');

    const start = await request(t.app).post('/flows/printer-mail?lng=sv').type('form').send('').expect(303);
    const page = await request(t.app).get(start.headers.location as string).expect(200);
    expect(page.text).toContain('Fungerar utskriften? (sv)');
    expect(page.text).toContain('Nej (sv)');
    // The draft is closed: a form of it now says so instead of saving.
    const late = await author.client.post(draft).type('form').send({ _csrf: author.csrf, revision: '99', op: 'guideTexts' });
    expect(late.status).toBe(409);
  });

  it('two people saving the same draft: the second sees the draft as saved, with their own text kept beside it', async () => {
    const started = await author.client.post(`/admin/studio/guides/${FLOW}/drafts`).type('form').send({ _csrf: author.csrf }).expect(303);
    const step = `${started.headers.location}/steps/checkSpam`;
    const opened = await author.client.get(step).expect(200);
    const revision = hidden(opened.text, 'revision')!;
    const send = (title: string) => author.client.post(step).type('form').send({ _csrf: author.csrf, revision, op: 'texts', sourceLng: 'en', 'en.title': title });
    await send('First person').then(saved);
    const second = await send('Second person');
    expect(second.status).toBe(409);
    expect(second.text).toContain('value="Second person"');
    expect(second.text).toMatch(/<q>First person<\/q>/);
    // Saving from that page (its revision is the current one) is a knowing choice, and goes through.
    const again = hidden(second.text, 'revision')!;
    await author.client.post(step).type('form').send({ _csrf: author.csrf, revision: again, op: 'texts', sourceLng: 'en', 'en.title': 'Second person' }).expect(303);
    // The autosave script gets the new revision as JSON, or a 409.
    const auto = await author.client.post(step).set('x-autosave', '1').type('form').send({ _csrf: author.csrf, revision: String(Number(again) + 1), op: 'texts', 'en.title': 'Autosaved' }).expect(200);
    expect(auto.body).toMatchObject({ revision: Number(again) + 2 });
    await author.client.post(step).set('x-autosave', '1').type('form').send({ _csrf: author.csrf, revision: again, op: 'texts', 'en.title': 'Old' }).expect(409);
  });

  it('a step used by others is deleted only with where they lead instead; a used fact cannot be deleted', async () => {
    const started = await author.client.post(`/admin/studio/guides/${FLOW}/drafts`).type('form').send({ _csrf: author.csrf }).expect(303);
    const draft = started.headers.location as string;
    const step = `${draft}/steps/checkSpam`;
    const page = await author.client.get(step).expect(200);
    expect(page.text).toContain('name="redirectTo"');
    const refused = await post(author, step, step, { op: 'delete' });
    expect(refused.status).toBe(409);
    await post(author, step, step, { op: 'delete', redirectTo: 'contactSupport' }).then(saved);
    const after = await author.client.get(draft).expect(200);
    expect(after.text).not.toContain('data-step="checkSpam"');

    const facts = await author.client.get(`${draft}/facts`).expect(200);
    const used = /id="fact-([a-zA-Z0-9]+)"[\s\S]*?class="hint">[^<]*used/.exec(facts.text);
    expect(used).not.toBeNull();
    const del = await post(author, `${draft}/facts`, draft, { op: 'factDelete', name: used![1]! });
    expect(del.status).toBe(409);
    // A new fact, then renamed: the table shows it under its new name.
    await post(author, `${draft}/facts`, draft, { op: 'factSet', name: 'printerHost', kind: 'text', list: 'printer.example.com' }).then(saved);
    await post(author, `${draft}/facts`, draft, { op: 'factRename', name: 'printerHost', to: 'printerName' }).then(saved);
    expect((await author.client.get(`${draft}/facts`).expect(200)).text).toContain('id="fact-printerName"');
  });

  it('a translator changes the texts of their languages only: the server refuses the rest', async () => {
    const started = await translator.client.post(`/admin/studio/guides/${FLOW}/drafts`).type('form').send({ _csrf: translator.csrf }).expect(303);
    const step = `${started.headers.location}/steps/checkSpam`;
    const page = await translator.client.get(step).expect(200);
    // Other languages are shown, read-only; no structure forms at all.
    expect(page.text).toMatch(/name="sv\.title" value="[^"]*" readonly/);
    expect(page.text).not.toContain('value="addOption"');
    await post(translator, step, step, { op: 'texts', 'sv.title': 'Ändrad av översättaren' }).then((r) => expect(r.status).toBe(303));
    expect((await translator.client.get(step).expect(200)).text).not.toContain('Ändrad av översättaren');
    await post(translator, step, step, { op: 'rename', to: 'other' }).then((r) => expect(r.status).toBe(403));
    await post(translator, step, step, { op: 'texts', 'de.title': 'Neuer Titel' }).then(saved);
    expect((await translator.client.get(step).expect(200)).text).toContain('value="Neuer Titel"');
    await translator.client.post(`/admin/studio/guides/${FLOW}/rollback`).type('form').send({ _csrf: translator.csrf, version: '1' }).expect(403);
  });

  it('versions are compared word by word, and rolled back in one click', async () => {
    const started = await author.client.post(`/admin/studio/guides/${FLOW}/drafts`).type('form').send({ _csrf: author.csrf }).expect(303);
    const draft = started.headers.location as string;
    const step = `${draft}/steps/checkSpam`;
    await post(author, step, step, { op: 'texts', sourceLng: 'en', 'en.title': 'Look in the junk folder first' }).then(saved);
    const v = await post(author, draft, `${draft}/publish`, { note: 'junk' }).then(saved);
    const number = Number(/published=(\d+)/.exec(v.headers.location as string)![1]);
    const compare = await author.client.get(`/admin/studio/guides/${FLOW}/compare?from=${number - 1}&to=${number}`).expect(200);
    expect(compare.text).toContain('<del>Is</del><ins>Look</ins> <del>the email </del>in the <del>spam</del><ins>junk</ins> folder<del>?</del><ins> first</ins>');
    await author.client.get(`/admin/studio/guides/${FLOW}/compare?from=1&to=abc`).expect(400);
    const guide = await author.client.get(`/admin/studio/guides/${FLOW}`).expect(200);
    expect(guide.text).toContain('junk');
    await author.client.post(`/admin/studio/guides/${FLOW}/rollback`).type('form').send({ _csrf: author.csrf, version: String(number - 1) }).expect(303);
    const latest = await t.app.locals.ctx.content.version(FLOW);
    expect(latest.number).toBe(number + 1);
    expect(latest.document.texts.en.checkSpam!.title).not.toBe('Look in the junk folder first');
  });
});
