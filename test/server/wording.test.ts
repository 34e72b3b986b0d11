import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import type { EmailDomainReport } from '../../server/checks/email-domain.ts';
import { factIn } from '../../server/content/document.ts';
import { createI18n, tFor } from '../../server/i18n/i18n.ts';
import { LANGUAGES, LOCALES_DIR, type Language } from '../../server/i18n/locales.ts';
import { checkView } from '../../server/render/check.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { builtinFlow } from '../fixtures/documents.ts';
import { testApp } from '../support/app.ts';

/*
 * What a Swedish, Norwegian or German reader sees is in their language: every step of every guide (both audiences),
 * every common text, the check's verdicts (a failed lookup included) and the pages. Facts (domains, addresses,
 * records, a product's UI labels, which may be English where the product is) and code are exempt.
 */
const NON_ENGLISH = LANGUAGES.filter((l) => l !== 'en');

/** English words that are no word in Swedish, Norwegian or German (so "in", "for", "be", "at", "was" are left out). */
const ENGLISH = new Set(
  'the and did didn\'t does doesn\'t your you with which would should could please this these those that there their they were been have has into only when what where who why how answer error missing found email emails of'.split(' '),
);

const i18n = createI18n();
const renderer = new StepRenderer(i18n);
const flows = BUILTIN_FLOW_IDS.map((id) => builtinFlow(id));

/** Every value any fact of any guide has, in any language: exempt wherever it stands. */
const factValues = flows.flatMap((f) =>
  Object.values(f.facts).flatMap((fact) => LANGUAGES.flatMap((lng) => [factIn(fact, lng)].flat())),
).sort((a, b) => b.length - a.length);

const decode = (html: string) =>
  html.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&#x3D;/g, '=');

/** The words a reader sees in a piece of HTML or text, without code, facts and tags. */
function words(htmlOrText: string): string[] {
  let text = decode(htmlOrText.replace(/<(pre|code|script|style)\b[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' '));
  for (const value of factValues) text = text.split(value).join(' ');
  return text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
}

const englishIn = (where: string, text: string) => words(text).filter((w) => ENGLISH.has(w)).map((w) => `${where}: "${w}"`);

function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value.replace(/\{\{[^}]*\}\}/g, ' ')]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
  return out;
}

/** Every step of every guide as a reader in this language sees it. */
function stepTexts(lng: Language): [string, string][] {
  const out: [string, string][] = [];
  for (const flow of flows) {
    out.push([`${flow.id} title`, renderer.text(flow, 'title', lng)], [`${flow.id} summary`, renderer.text(flow, 'summary', lng)]);
    for (const state of Object.keys(flow.machine.states))
      for (const audience of ['participant', 'agent'] as const) {
        const step = renderer.step(flow, state, lng, audience);
        out.push([`${flow.id} ${state} (${audience}) title`, step.title], [`${flow.id} ${state} (${audience}) body`, step.bodyHtml]);
        for (const o of step.options) out.push([`${flow.id} ${state} ${o.event}`, o.label]);
      }
  }
  return out;
}

const failedLookup = {
  domain: 'skola.se',
  domainUnicode: 'skola.se',
  spf: { status: 'error', records: [], lookups: 0, voidLookups: 0, missingIncludes: [], suggestedRecord: null, bindLine: null, all: null, problems: [], errors: [], message: 'DNS did not answer for skola.se in time' },
  mx: { status: 'missing', hosts: [] },
  dmarc: { status: 'error', record: null, policy: null, message: 'DNS failed for _dmarc.skola.se (ESERVFAIL)' },
} as unknown as EmailDomainReport;

describe('no English in Swedish, Norwegian and German', () => {
  it('finds English where it is (the test sees what it must)', () => {
    expect(englishIn('x', '<p>DNS did not answer for <code>skola.se</code> in time</p>')).toEqual(['x: "did"', 'x: "answer"']);
    expect(englishIn('x', 'Klicka på <strong>Manage allowlist</strong> och välj <code>the record</code>')).toEqual([]);
  });

  it.each(NON_ENGLISH)('%s: every step of every guide, for participants and agents', (lng) => {
    expect(stepTexts(lng).flatMap(([where, text]) => englishIn(where, text))).toEqual([]);
  });

  it.each(NON_ENGLISH)('%s: every common text, and a failed check as the page shows it', (lng) => {
    const common = JSON.parse(readFileSync(join(LOCALES_DIR, lng, 'common.json'), 'utf8'));
    expect(strings(common, 'common').flatMap(([where, text]) => englishIn(where, text))).toEqual([]);
    for (const asks of [{}, { dmarc: true }]) {
      const view = checkView(failedLookup, tFor(i18n, lng), asks);
      expect(view.verdicts.flatMap((v) => englishIn(`check ${v.part}`, v.text))).toEqual([]);
    }
  });

  const t = testApp();
  afterAll(() => t.close());
  it.each(NON_ENGLISH)("%s: the start page, a missing page, and each guide's page and first step, as served", async (lng) => {
    const found: string[] = [];
    const home = await request(t.app).get(`/?lng=${lng}`).expect(200);
    found.push(...englishIn('/', home.text.replace(/<(nav|footer)\b[^>]*class="languages[\s\S]*?<\/\1>/g, ' ')));
    const missing = await request(t.app).get(`/no-such-page?lng=${lng}`).set('Accept', 'text/html').expect(404);
    found.push(...englishIn('404', missing.text));
    for (const id of BUILTIN_FLOW_IDS) {
      found.push(...englishIn(`/flows/${id}`, (await request(t.app).get(`/flows/${id}?lng=${lng}`).expect(200)).text));
      const start = await request(t.app).post(`/flows/${id}?lng=${lng}`).type('form').send({}).expect(303);
      const page = await request(t.app).get(start.headers.location as string).expect(200);
      found.push(...englishIn(id, page.text));
    }
    expect(found).toEqual([]);
  });
});

describe('phrasing a native reader flagged', () => {
  const flagged: Record<Language, RegExp[]> = {
    sv: [/går i god för/i, /din sida är i ordning/i, /\blaga[sd]\b/i, /inom 1 minut/i, /\b1 minut\b/i],
    no: [/svakeste alternativet/i, /leser også (deltakernes )?svar/i, /går god for/i, /\b1 minutt\b/i],
    de: [/Hilfe beim DNS/, /Hilfe mit DNS/, /bis zu 1 Minute/, /\b1 Minute\b/, /bürgt für/],
    en: [/\b1 minute\b/],
  };

  it.each(LANGUAGES)('%s: none of it is left in any step', (lng) => {
    const found = stepTexts(lng).flatMap(([where, text]) => flagged[lng].filter((re) => re.test(decode(text))).map((re) => `${where}: ${re}`));
    expect(found).toEqual([]);
  });

  it('German guide titles start with a capital letter, as card titles do', () => {
    for (const flow of flows) expect(renderer.text(flow, 'title', 'de'), flow.id).toMatch(/^\p{Lu}/u);
  });

  it('the Swedish survey guide says du throughout, never ni (a message quoted for the IT department may say ni)', () => {
    const flow = flows.find((f) => f.id === 'survey-emails-blocked')!;
    const texts = Object.keys(flow.machine.states).flatMap((state) => {
      const step = renderer.step(flow, state, 'sv', 'participant');
      return [step.title, step.bodyHtml, ...step.options.map((o) => o.label)].map((text) => [state, text] as const);
    });
    const ni = texts.filter(([, text]) => /\b(ni|er|ert|era)\b/i.test(words(text.replace(/<blockquote>[\s\S]*?<\/blockquote>/g, ' ')).join(' ')));
    expect(ni.map(([state]) => state)).toEqual([]);
  });

  it("example addresses are written in the reader's language", () => {
    const flow = flows.find((f) => f.id === 'survey-emails-blocked')!;
    const shown = (lng: Language) => Object.keys(flow.machine.states).map((s) => renderer.step(flow, s, lng, 'participant').bodyHtml).join(' ');
    expect(shown('sv')).toContain('förnamn.efternamn@företag.se');
    expect(shown('no')).toContain('fornavn.etternavn@firma.no');
    expect(shown('de')).toContain('vorname.nachname@firma.de');
    expect(shown('en')).toContain('firstname.lastname@company.com');
  });
});
