import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../server/i18n/i18n.ts';
import { LANGUAGES, LOCALES_DIR, loadResources, type Language } from '../../server/i18n/locales.ts';
import { everyDocument } from '../fixtures/documents.ts';

/*
 * One word per concept per language. Each language's glossary (locales/glossary.json, notes for translators,
 * not texts) names the word we write and the variants we do not; no guide text and no common text may use a rejected
 * variant. Keywords are exempt: they are the words people type, variants included. Facts are exempt too: a product's
 * menu label is written as the product writes it.
 */
interface Glossary {
  terms: { concept: string; use: string; forms: string[]; reject: string[]; note: string }[];
}
const glossaries = JSON.parse(readFileSync(join(LOCALES_DIR, 'glossary.json'), 'utf8')) as Record<Language, Glossary>;
const glossary = (lng: Language): Glossary => glossaries[lng];

/** A rejected variant at the start of a word (so `vitlist` also catches `vitlistan`), in any case. */
const variant = (v: string) => new RegExp(`(?<![\\p{L}\\p{N}_-])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'iu');

function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value.replace(/\{\{[^}]*\}\}/g, ' ')]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

/** Every text of a language, named by where it stands: common.json, and each guide's texts without its keywords. */
function textsOf(lng: Language): [string, string][] {
  const common = JSON.parse(readFileSync(join(LOCALES_DIR, lng, 'common.json'), 'utf8'));
  const out = strings(common, `common(${lng})`);
  for (const doc of everyDocument()) {
    const { keywords: _, ...texts } = doc.texts[lng] as Record<string, unknown>;
    strings(texts, `${doc.id}(${lng})`, out);
  }
  return out;
}

describe('terminology', () => {
  it.each(LANGUAGES)('%s: a glossary naming the word to use for each concept, with its rejected variants', (lng) => {
    const { terms } = glossary(lng);
    expect(terms.length).toBeGreaterThan(2);
    for (const term of terms) {
      expect(term.use, term.concept).toBeTruthy();
      for (const r of term.reject) expect(variant(r).test(term.use), `${term.concept}: ${r} rejects the word to use`).toBe(false);
    }
    expect(terms.map((t) => t.concept)).toContain('allowlist');
  });

  it.each(LANGUAGES)('%s: no guide and no common text uses a rejected variant', (lng) => {
    const texts = textsOf(lng);
    const found = glossary(lng).terms.flatMap((term) =>
      term.reject.flatMap((r) => {
        const around = new RegExp(`.{0,30}${variant(r).source}.{0,20}`, 'iu');
        return texts.filter(([, text]) => variant(r).test(text)).map(([where, text]) => `${where}: "${r}" (write "${term.use}") in …${around.exec(text)?.[0]}…`);
      }),
    );
    expect(found).toEqual([]);
  });

  it('the glossary is not loaded as texts', () => {
    const resources = loadResources();
    for (const lng of LANGUAGES) expect(Object.keys(resources[lng])).not.toContain('glossary');
    expect(createI18n().hasResourceBundle('sv', 'glossary')).toBe(false);
  });
});
