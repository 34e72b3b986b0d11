import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { addAgent, signIn } from '../support/agents.ts';
import type { TestApp } from '../support/app.ts';
import { editedDocument, syncedApp } from '../support/content.ts';

/*
 * Export and import for translation agencies over real HTTP on a real SQLite file: XLIFF 2.0 and i18next JSON out
 * and back in as drafts, the placeholder and Markdown checks naming the unit, who may do it, and bad uploads.
 */

const TOKEN = 'a-test-admin-token-0123456789';
const FLOW = 'participant-no-email';
const bearer = { authorization: `Bearer ${TOKEN}` };
const XLIFF = 'application/xliff+xml';

let t: TestApp;
beforeAll(async () => {
  t = await syncedApp(undefined, { config: { ADMIN_TOKEN: TOKEN } });
  // A fixture with one German text missing: howLongAgo's agent wording (optional, so the guide stays valid).
  const doc = editedDocument(FLOW, (d) => {
    delete d.texts.de.howLongAgo!.body_agent;
  });
  const draft = await request(t.app).post(`/api/admin/flows/${FLOW}/drafts`).set(bearer).send(doc).expect(201);
  await request(t.app).post(`/api/admin/flows/${FLOW}/publish`).set(bearer).send({ draft: draft.body.draft.id }).expect(201);
});
afterAll(() => t.close());

/** A response body as text, whatever its type. */
const text = (res: request.Response) => (typeof res.body === 'string' ? res.body : res.text);
const exportOf = (lng: string, query: string, headers: Record<string, string> = bearer) =>
  request(t.app).get(`/api/admin/translations/${lng}?${query}`).set(headers).buffer(true).parse(rawText);
/** Reads a response as text (supertest leaves application/xliff+xml unread). */
const rawText = (res: request.Response, done: (err: Error | null, body: unknown) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  let data = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (data += chunk));
  stream.on('end', () => done(null, data));
};
const latest = async (flowId = FLOW) => (await t.store.getVersion(flowId))!.document;
const draftDocument = async (id: number) => (await t.store.getDraft(id))!.document as FlowDocument;

/** The document without one German text: what an import of a change to that text must leave as it was. */
const without = (doc: FlowDocument, step: string, field: 'title' | 'body') => {
  const copy = structuredClone(doc);
  delete (copy.texts.de[step] as Record<string, unknown>)[field];
  return copy;
};

describe('XLIFF 2.0', () => {
  it('exports a guide in German with notes and the source; a changed target comes back as a draft with that change only', async () => {
    const res = await exportOf('de', `flow=${FLOW}&format=xliff`).expect(200);
    expect(res.headers['content-type']).toContain('application/xliff+xml');
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${FLOW}.de.xlf`);
    const xml = text(res);
    expect(xml).toContain('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">');
    expect(xml).toMatch(new RegExp(`<file id="${FLOW}" original="${FLOW}@v2">`));
    const before = await latest();
    // The unit: its id, the English source, the German target and the facts it shows with their values.
    const unit = xml.slice(xml.indexOf(`<unit id="${FLOW}:howLongAgo.body">`), xml.indexOf('</unit>', xml.indexOf(`<unit id="${FLOW}:howLongAgo.body">`)));
    expect(unit).toContain(`<source xml:space="preserve">${before.texts.en.howLongAgo!.body}</source>`);
    expect(unit).toContain(`<target xml:space="preserve">${before.texts.de.howLongAgo!.body}</target>`);
    expect(unit).toMatch(/<note>\{\{facts\.product\}\} shows: .+<\/note>/);
    expect(unit).toContain('{{facts.deliveryMinutes}} shows: ');
    // Notes for translators from locales/context.json, on each guide's file.
    expect(xml).toContain('<note>In a guide&apos;s texts'.replace('&apos;', "'"));

    const changed = xml.replace(
      `<target xml:space="preserve">${before.texts.de.checkSpam!.title}</target>`,
      '<target xml:space="preserve">Schauen Sie im Spam &amp; Junk nach</target>',
    );
    expect(changed).not.toBe(xml);
    const imported = await request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', XLIFF).send(changed).expect(201);
    expect(imported.body).toEqual({ drafts: [{ flowId: FLOW, draft: expect.any(Number), units: 1 }], unchanged: [] });
    const draft = await draftDocument(imported.body.drafts[0].draft);
    expect(draft.texts.de.checkSpam!.title).toBe('Schauen Sie im Spam & Junk nach');
    expect(without(draft, 'checkSpam', 'title')).toEqual(without(before, 'checkSpam', 'title'));
    const audit = (await request(t.app).get(`/api/admin/audit?flow=${FLOW}`).set(bearer).expect(200)).body;
    expect(audit[0]).toMatchObject({ action: 'import', draftId: imported.body.drafts[0].draft, note: 'translation import (de)' });

    // The file as exported, unchanged: nothing to store.
    expect((await request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', XLIFF).send(xml).expect(200)).body).toEqual({
      drafts: [],
      unchanged: [FLOW],
    });
  });

  it('refuses a broken placeholder, raw HTML and an unknown unit, naming each unit, and stores nothing', async () => {
    const xml = text(await exportOf('de', `flow=${FLOW}`).expect(200));
    const before = await latest();
    const drafts = await t.store.listAudit({ flowId: FLOW, limit: 500, offset: 0 });
    const body = before.texts.de.howLongAgo!.body!;
    const broken = xml
      .replace(`<target xml:space="preserve">${body}</target>`, `<target xml:space="preserve">${body.replace('{{facts.product}}', '{{facts.produkt}}')}</target>`)
      .replace(
        `<target xml:space="preserve">${before.texts.de.checkSpam!.title}</target>`,
        '<target xml:space="preserve">Im &lt;b&gt;Spam&lt;/b&gt; nachsehen</target>',
      )
      .replace(`<unit id="${FLOW}:checkSpam.body">`, `<unit id="${FLOW}:checkSpam.bodyy">`);
    const res = await request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', XLIFF).send(broken).expect(422);
    const problems = res.body.error.problems as { unit?: string; message: string }[];
    expect(problems.find((p) => p.unit === `${FLOW}:howLongAgo.body`)?.message).toMatch(/missing \{\{facts\.product\}\}; not in the source \{\{facts\.produkt\}\}/);
    expect(problems.find((p) => p.unit === `${FLOW}:checkSpam.bodyy`)?.message).toContain('no such text');
    expect(res.body.error.message).toContain('nothing was stored');
    expect(await t.store.listAudit({ flowId: FLOW, limit: 500, offset: 0 })).toHaveLength(drafts.length);

    // Raw HTML alone: validate.ts's check, named by the unit.
    const html = xml.replace(
      `<target xml:space="preserve">${before.texts.de.checkSpam!.title}</target>`,
      '<target xml:space="preserve">Im &lt;b&gt;Spam&lt;/b&gt; nachsehen</target>',
    );
    const refused = await request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', XLIFF).send(html).expect(422);
    expect(refused.body.error.problems).toEqual([expect.objectContaining({ unit: `${FLOW}:checkSpam.title`, message: expect.stringContaining('contains HTML') })]);
  });

  it('refuses what is not XLIFF for this language with 400, and reads no DTD or entity', async () => {
    const post = (body: string) => request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', XLIFF).send(body);
    expect((await post('<xliff><file>').expect(400)).body.error.message).toContain('not well-formed');
    const xml = text(await exportOf('de', `flow=${FLOW}`).expect(200));
    const entity = xml.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace(
      '<target xml:space="preserve">',
      '<target xml:space="preserve">&x;',
    );
    expect((await post(entity).expect(400)).body.error.message).toContain('DTD');
    const nbsp = xml.replace('<target xml:space="preserve">', '<target xml:space="preserve">&nbsp;');
    expect((await post(nbsp).expect(400)).body.error.code).toBe('invalid_input');
    expect((await post(xml.replace('trgLang="de"', 'trgLang="sv"')).expect(400)).body.error.message).toContain('not into "de"');
    expect((await post('<?xml version="1.0"?><doc/>').expect(400)).body.error.message).toContain('not XLIFF');
    const big = `<xliff>${'x'.repeat(2 * 1024 * 1024 + 1)}</xliff>`;
    expect((await post(big).expect(413)).body.error.code).toBe('payload_too_large');
    await request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', 'text/plain').send('hello').expect(415);
  });
});

describe('i18next JSON', () => {
  it('round trips: the nested texts of one language, changed and imported as a draft', async () => {
    const res = await exportOf('de', `flow=${FLOW}&format=json`).expect(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${FLOW}.de.json`);
    const texts = JSON.parse(text(res));
    const before = await latest();
    expect(texts.title).toBe(before.texts.de.title);
    expect(texts.checkSpam.options).toEqual(before.texts.de.checkSpam!.options);
    expect(texts.howLongAgo.body_agent).toBe(''); // missing in German
    texts.whyInSpam.title = 'Warum im Spam?';
    const imported = await request(t.app).post(`/api/admin/translations/de?flow=${FLOW}`).set(bearer).send(texts).expect(201);
    const draft = await draftDocument(imported.body.drafts[0].draft);
    expect(draft.texts.de.whyInSpam!.title).toBe('Warum im Spam?');
    expect(draft.texts.de.howLongAgo!.body_agent).toBeUndefined(); // empty: left as it was
    expect(without(draft, 'whyInSpam', 'title')).toEqual(without(before, 'whyInSpam', 'title'));

    // Every guide in one file, keyed by guide id; a broken placeholder names its unit.
    const every = JSON.parse(text(await exportOf('de', 'flow=all&format=json').expect(200)));
    expect(Object.keys(every).sort()).toEqual((await t.store.listLatestVersions()).map((v) => v.flowId).sort());
    expect(every[FLOW].whyInSpam.title).toBe(before.texts.de.whyInSpam!.title);
    every[FLOW].howLongAgo.body = 'Ohne Platzhalter';
    const res2 = await request(t.app).post('/api/admin/translations/de').set(bearer).send(every).expect(422);
    expect(res2.body.error.problems.map((p: { unit: string }) => p.unit)).toEqual([`${FLOW}:howLongAgo.body`]);
    await request(t.app).post('/api/admin/translations/de').set(bearer).send([1, 2]).expect(400);
  });
});

describe('only missing', () => {
  it('lists only the units without a target', async () => {
    const xml = text(await exportOf('de', `flow=${FLOW}&only=missing`).expect(200));
    expect([...xml.matchAll(/<unit id="([^"]+)">/g)].map((m) => m[1])).toEqual([`${FLOW}:howLongAgo.body_agent`]);
    expect(xml).not.toContain('<target');
    const all = text(await exportOf('de', `flow=${FLOW}&only=all`).expect(200));
    expect([...all.matchAll(/<unit id=/g)].length).toBeGreaterThan(20);
    // Filling it in: the draft has it.
    const filled = xml.replace(/(<source xml:space="preserve">[^<]*<\/source>)/, '$1\n        <target>Fragen Sie nach {{facts.product}} und {{facts.deliveryMinutes}}.</target>');
    const source = (await latest()).texts.en.howLongAgo!.body_agent!;
    expect(source).toContain('{{facts.product}}');
    const res = await request(t.app).post('/api/admin/translations/de').set(bearer).set('content-type', XLIFF).send(filled).expect(201);
    expect((await draftDocument(res.body.drafts[0].draft)).texts.de.howLongAgo!.body_agent).toBe('Fragen Sie nach {{facts.product}} und {{facts.deliveryMinutes}}.');
  });
});

describe('who may', () => {
  it('a translator for sv exports and imports sv, and gets 403 for de', async () => {
    await t.store.createAgent({ ...(await addAgent(t, 'tmp-sv@example.com', 'agent')), email: 'sv@example.com', role: 'translator', languages: ['sv'] });
    const { client, csrf } = await signIn(t, 'sv@example.com');
    const de = await client.get(`/api/admin/translations/de?flow=${FLOW}`).expect(403);
    expect(de.body.error.code).toBe('forbidden');
    const german = text(await exportOf('de', `flow=${FLOW}`).expect(200));
    await client.post('/api/admin/translations/de').set('x-csrf-token', csrf).set('content-type', XLIFF).send(german).expect(403);

    const sv = text(await client.get(`/api/admin/translations/sv?flow=${FLOW}`).buffer(true).parse(rawText).expect(200));
    const title = (await latest()).texts.sv.checkSpam!.title;
    const changed = sv.replace(`<target xml:space="preserve">${title}</target>`, '<target xml:space="preserve">Titta i skräpposten</target>');
    const res = await client.post('/api/admin/translations/sv').set('x-csrf-token', csrf).set('content-type', XLIFF).send(changed).expect(201);
    expect((await draftDocument(res.body.drafts[0].draft)).texts.sv.checkSpam!.title).toBe('Titta i skräpposten');
    await client.post('/api/admin/translations/sv').set('content-type', XLIFF).send(changed).expect(403); // no CSRF token
    await request(t.app).get('/api/admin/translations/sv').expect(401);
  });
});
