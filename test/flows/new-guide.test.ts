import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocumentFile } from '../../server/content/builtin.ts';
import { compileDocument } from '../../server/content/compile.ts';
import { LANGUAGES, type Language } from '../../server/i18n/locales.ts';
import { escapeHtml } from '../../server/render/markdown.ts';
import { AUDIENCES } from '../../server/store/types.ts';
import { appWithZone, checkZone, engineDriver, expectEveryFactShown, pathWalk } from '../support/flow-paths.ts';

/*
 * A sixth guide from a document file alone: no code, no locale file, no restart. The running app's registry
 * installs it (as publishing does), and from then on it is on the start page and in /api/flows, search finds it,
 * and every path of it ends at its outcome in every language, through the app's own engine, with its check step
 * run against a real DNS server.
 */
const FILE = new URL('../fixtures/booking-confirmation-missing/flow.json', import.meta.url).pathname;
const doc = readDocumentFile(FILE);
const zone = checkZone([compileDocument(doc)]);
let app: Awaited<ReturnType<typeof appWithZone>>;
beforeAll(async () => {
  app = await appWithZone(zone);
});
afterAll(() => app.close());

/** What people with this problem type, in their own words. */
const QUERIES: Record<Language, string> = {
  sv: 'kunden fick ingen bokningsbekräftelse',
  no: 'kunden fikk ikke bestillingsbekreftelse',
  de: 'kunde hat keine buchungsbestätigung bekommen',
  en: 'customer did not get the booking confirmation',
};

/** A guide-level text as shown: its one fact put in. */
const shown = (text: string) => text.replaceAll('{{facts.product}}', doc.facts.product as string);

describe('before it is installed', () => {
  it('is not there: no page, no start-page link, no search hit', async () => {
    await request(app.t.app).get(`/flows/${doc.id}`).expect(404);
    expect((await request(app.t.app).get('/').expect(200)).text).not.toContain(`/flows/${doc.id}`);
    for (const lng of LANGUAGES) {
      const hits = (await request(app.t.app).get('/api/search').query({ q: QUERIES[lng], lng }).expect(200)).body as { flowId: string }[];
      expect(hits.map((h) => h.flowId), lng).not.toContain(doc.id);
    }
  });
});

describe('installed from its document file', () => {
  beforeAll(() => {
    app.t.app.locals.ctx.flows.install(doc, { current: true });
  });

  it.each(LANGUAGES)('is on the start page and last in /api/flows, in %s', async (lng) => {
    const page = await request(app.t.app).get('/').set('accept-language', lng).expect(200);
    expect(page.text).toContain(`href="/flows/${doc.id}"`);
    expect(page.text).toContain(escapeHtml(shown(doc.texts[lng].title)));
    const list = (await request(app.t.app).get('/api/flows').query({ lng }).expect(200)).body as { id: string }[];
    expect(list).toHaveLength(BUILTIN_FLOW_IDS.length + 1);
    expect(list.at(-1)).toEqual({ id: doc.id, title: shown(doc.texts[lng].title), summary: shown(doc.texts[lng].summary) });
    const intro = await request(app.t.app).get(`/flows/${doc.id}`).set('accept-language', lng).expect(200);
    expect(intro.text).toContain(escapeHtml(shown(doc.texts[lng].summary)));
  });

  it.each(LANGUAGES)('is what search finds first for its problem, in %s', async (lng) => {
    const hits = (await request(app.t.app).get('/api/search').query({ q: QUERIES[lng], lng }).expect(200)).body as { flowId: string; title: string }[];
    expect(hits[0]).toMatchObject({ flowId: doc.id, title: shown(doc.texts[lng].title) });
    const page = await request(app.t.app).get('/').query({ q: QUERIES[lng] }).set('accept-language', lng).expect(200);
    expect(page.text).toContain(`href="/flows/${doc.id}"`);
  });

  const paths = zone.pathsOf(compileDocument(doc));

  it('has paths through every outcome and through its check', () => {
    const endings = new Set(paths.map((p) => p.states.at(-1)));
    expect([...endings].sort()).toEqual(['addressCorrected', 'contactSupport', 'domainInOrder', 'foundInSpam', 'includeAdded']);
    expect(paths.some((p) => p.events.includes('CHECK_RESULT'))).toBe(true);
  });

  it.each(LANGUAGES)('ends at its outcome on every path in %s, for both audiences, showing every fact', async (lng) => {
    const driver = engineDriver(app.t.app);
    for (const audience of AUDIENCES) {
      const walk = pathWalk(driver, compileDocument(doc), zone, lng, audience);
      for (const path of paths) await walk.walk(path);
      expectEveryFactShown(compileDocument(doc), walk);
    }
    expect(app.t.errors).toEqual([]);
  });
});
