import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '../../flows/types.ts';
import { CHANNELS } from '../../server/store/types.ts';
import { NOTICES } from '../../server/engine/engine.ts';
import { ERROR_CODES } from '../../server/http/errors.ts';
import { LANGUAGES, loadResources, type Language } from '../../server/i18n/locales.ts';
import { VIEWS_DIR } from '../../server/render/views.ts';
import { everyDocument } from '../fixtures/documents.ts';

const resources = loadResources();

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? templates(join(dir, e.name)) : e.name.endsWith('.hbs') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
}
const SERVER_DIR = new URL('../../server/', import.meta.url).pathname;

/** Every `common` key a page can show: those named in templates and code, and those the server builds from a code. */
const keys = new Set<string>([
  ...templates(VIEWS_DIR).flatMap((text) => [...text.matchAll(/\{\{t "([^"]+)"/g)].map((m) => m[1]!)),
  ...sources(SERVER_DIR).flatMap((text) => [...text.matchAll(/\bt\('((?:studio:)?[a-z]+\.[\w.]+)'/g)].map((m) => m[1]!)),
  ...CHANNELS.map((c) => `channel.${c}`),
  ...OUTCOMES.map((o) => `session.outcome.${o}`),
  ...NOTICES.map((n) => `session.notice.${n}`),
  ...ERROR_CODES.flatMap((c) => [`errors.${c}.title`, `errors.${c}.message`]),
]);

const lookup = (obj: unknown, key: string) =>
  key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
/** The app's own namespaces: `common`, and `studio` for the studio's pages (keys written `studio:…`). */
const APP_NAMESPACES = ['common', 'studio'] as const;
/** A key as i18next reads it: `studio:draft.title` is `draft.title` of the `studio` namespace, anything else is `common`'s. */
const inNamespace = (lng: Language, key: string) => {
  const [ns, rest] = key.includes(':') ? (key.split(':', 2) as [string, string]) : ['common', key];
  return { texts: resources[lng][ns], key: rest };
};

function leaves(obj: unknown, prefix = ''): string[] {
  if (obj && typeof obj === 'object')
    return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

describe('common texts', () => {
  it('finds the keys the views use', () => {
    expect(keys.size).toBeGreaterThan(30);
    expect(keys).toContain('feedback.question');
    expect(keys).toContain('transcript.heading');
  });

  it.each(LANGUAGES)('exist, non-empty, in %s', (lng) => {
    const missing = [...keys].filter((k) => {
      // A counted text exists in plural forms (`_one`, `_other`).
      const { texts, key } = inNamespace(lng, k);
      const v = lookup(texts, key) ?? lookup(texts, `${key}_other`);
      return typeof v !== 'string' || v.trim() === '';
    });
    expect(missing).toEqual([]);
  });

  it('have the same keys in every language', () => {
    for (const ns of APP_NAMESPACES) {
      const en = leaves(resources.en[ns]).sort();
      for (const lng of LANGUAGES) expect(leaves(resources[lng][ns]).sort(), `${lng} ${ns}`).toEqual(en);
    }
  });

  it('have the same interpolation placeholders in every language', () => {
    for (const key of leaves(resources.en.common)) {
      const names = (lng: string) =>
        [...String(lookup(resources[lng as 'en'].common, key)).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
      for (const lng of LANGUAGES) expect(names(lng), `${lng} ${key}`).toEqual(names('en'));
    }
  });
});

/*
 * A guide's texts live in its document. Validation holds every text present in every language; here, across the
 * languages of each document (built-in or from a file): the same optional texts (agent wording) and the same facts.
 * Keywords are each language's own search words, so they may name other facts.
 */
describe.each(everyDocument().map((d) => [d.id, d] as const))('texts of the guide %s', (_id, doc) => {
  const facts = (text: string) => [...text.matchAll(/\{\{\s*facts\.(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
  const texts = (lng: Language) => Object.fromEntries(leavesWithValues(doc.texts[lng]).filter(([key]) => key !== 'keywords'));

  it('have the same keys in every language', () => {
    const en = Object.keys(texts('en')).sort();
    for (const lng of LANGUAGES) expect(Object.keys(texts(lng)).sort(), lng).toEqual(en);
  });

  it('name the same facts in every language', () => {
    const en = texts('en');
    for (const lng of LANGUAGES) {
      const other = texts(lng);
      for (const key of Object.keys(en)) expect(facts(other[key] ?? ''), `${lng} ${key}`).toEqual(facts(en[key]!));
    }
  });
});

function leavesWithValues(obj: unknown, prefix = ''): [string, string][] {
  if (obj && typeof obj === 'object') return Object.entries(obj).flatMap(([k, v]) => leavesWithValues(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, String(obj)]];
}
