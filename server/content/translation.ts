import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError, invalidInput } from '../http/errors.ts';
import { LANGUAGES, LOCALES_DIR, type Language } from '../i18n/locales.ts';
import { canonicalJson, factIn, type FlowDocument, type StepTexts } from './document.ts';
import { resolveFacts } from './fact-refs.ts';
import type { ContentService, Editor } from './service.ts';
import { staleTexts, type TextOrigins } from './origins.ts';
import { setTextAt, textAt, textKeysOf as keysOf } from './text-keys.ts';
import { PLACEHOLDER } from './validate.ts';

/*
 * Export and import for translation agencies (README: "Changing a guide", "Translation agencies"): a guide's texts
 * of one language as translation units, written as XLIFF 2.0 or as i18next JSON, and read back into a draft.
 *
 * What is exported is the guide's latest published version (what people see; drafts are many and nobody's in
 * particular). An import is applied onto the latest published version at the time of the import and stored as a
 * draft through the content service, so the same validation, permissions and audit log apply as to any draft.
 *
 * A unit's id is `<flowId>:<key>`, the key being the text's path inside `texts.<lng>`: `title`, `summary`,
 * `keywords`, `<step>.title`, `<step>.body`, `<step>.body_agent`, `<step>.options.<EVENT>`.
 */

export const TRANSLATION_FORMATS = ['xliff', 'json'] as const;
export type TranslationFormat = (typeof TRANSLATION_FORMATS)[number];
/** Which units an export has: the missing ones, the stale ones (translated from an older source text), both, or all. */
export const TRANSLATION_FILTERS = ['missing', 'stale', 'todo', 'all'] as const;
export type TranslationFilter = (typeof TRANSLATION_FILTERS)[number];

/** An upload is a few hundred kilobytes for every guide in one language; two megabytes leave room, not abuse. */
export const TRANSLATION_UPLOAD_LIMIT = 2 * 1024 * 1024;

export const XLIFF_NAMESPACE = 'urn:oasis:names:tc:xliff:document:2.0';

export interface TranslationUnit {
  /** `<flowId>:<key>` */
  id: string;
  /** The text's path inside `texts.<lng>`, dotted. */
  key: string;
  source: string;
  /** The current text in the target language; absent or empty when it is missing. */
  target?: string;
  notes: string[];
}

export interface GuideUnits {
  flowId: string;
  /** The published version the texts are from. */
  version: number;
  units: TranslationUnit[];
}

export interface ExportOptions {
  source: Language;
  target: Language;
  only: TranslationFilter;
}

/** A guide's document with its published number, as exports read it. */
export interface VersionedDocument {
  document: FlowDocument;
  number: number;
  /** Where its texts came from: what tells a stale translation (origins.ts). */
  origins?: TextOrigins;
}

/** The placeholders of a text, each as written inside the braces (trimmed), sorted: a multiset to compare. */
const placeholders = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim()).sort();

/** Translator notes by key, from locales/context.json (read once). */
let contextNotes: Record<string, string> | undefined;
export function translatorNotes(dir: string = LOCALES_DIR): Record<string, string> {
  if (dir !== LOCALES_DIR) return JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')) as Record<string, string>;
  return (contextNotes ??= JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')) as Record<string, string>);
}

/** What a fact shows in language `lng`, as one line. */
const shown = (value: string | readonly string[]) => (typeof value === 'string' ? value : value.join(', '));

/**
 * A guide's units for translating into `target`: each text the source language has, with the current target text,
 * the translator notes for its key (locales/context.json, `<flowId>.<key>`) and the value of each fact it shows.
 */
export function unitsOf(v: VersionedDocument, all: readonly VersionedDocument[], options: ExportOptions, notes = translatorNotes()): GuideUnits {
  const doc = v.document;
  const others = new Map(all.map((g) => [g.document.id, g.document.facts]));
  const facts = resolveFacts(doc.facts, (id) => others.get(id));
  const units: TranslationUnit[] = [];
  const stale = new Map(staleTexts(doc, v.origins ?? {}, options.target).map((x) => [x.key, x]));
  for (const key of keysOf(doc, options.source)) {
    const source = textAt(doc, options.source, key)!;
    if (!source.trim()) continue;
    const target = textAt(doc, options.target, key);
    const missing = !target?.trim();
    const outdated = stale.get(key);
    if (options.only === 'missing' && !missing) continue;
    if (options.only === 'stale' && !outdated) continue;
    if (options.only === 'todo' && !missing && !outdated) continue;
    const unitNotes: string[] = [];
    const own = notes[`${doc.id}.${key}`];
    if (own) unitNotes.push(own);
    if (outdated) unitNotes.push(`Out of date: the ${outdated.source} text changed after this was translated. It was: ${outdated.was}`);
    if (key.endsWith('.body_agent')) unitNotes.push('Read by a support agent to a customer.');
    for (const name of new Set(placeholders(source))) {
      const fact = /^facts\.([A-Za-z0-9]+)$/.exec(name)?.[1];
      if (fact && facts[fact] !== undefined) unitNotes.push(`{{${name}}} shows: ${shown(factIn(facts[fact]!, options.target))}`);
      else if (name === 'session.ref') unitNotes.push(`{{${name}}} shows the session's short code, like K7Q-4M2`);
      else if (name === 'session.domain') unitNotes.push(`{{${name}}} shows the domain the check looked up`);
    }
    units.push({ id: `${doc.id}:${key}`, key, source, ...(target !== undefined ? { target } : {}), notes: unitNotes });
  }
  return { flowId: doc.id, version: v.number, units };
}

// Writing

const escapeXml = (s: string) =>
  s.replace(/[&<>"\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' })[c]!);

/** XLIFF 2.0: one <file> per guide (its `original` names the version), one <unit> per text, the source and target kept as plain text. */
export function toXliff(guides: readonly GuideUnits[], options: ExportOptions, notes = translatorNotes()): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<xliff xmlns="${XLIFF_NAMESPACE}" version="2.0" srcLang="${options.source}" trgLang="${options.target}">`,
  ];
  const general = notes['flow texts'];
  for (const g of guides) {
    lines.push(`  <file id="${escapeXml(g.flowId)}" original="${escapeXml(`${g.flowId}@v${g.version}`)}">`);
    if (general) lines.push('    <notes>', `      <note>${escapeXml(general)}</note>`, '    </notes>');
    for (const u of g.units) {
      lines.push(`    <unit id="${escapeXml(u.id)}">`);
      if (u.notes.length) lines.push('      <notes>', ...u.notes.map((n) => `        <note>${escapeXml(n)}</note>`), '      </notes>');
      lines.push('      <segment>', `        <source xml:space="preserve">${escapeXml(u.source)}</source>`);
      if (u.target !== undefined && u.target !== '') lines.push(`        <target xml:space="preserve">${escapeXml(u.target)}</target>`);
      lines.push('      </segment>', '    </unit>');
    }
    lines.push('  </file>');
  }
  lines.push('</xliff>', '');
  return lines.join('\n');
}

/**
 * i18next JSON: the nested shape of `texts.<lng>` with the target texts of the units (empty where one is missing),
 * one guide's texts alone or, for several guides, an object keyed by guide id.
 */
export function toI18next(guides: readonly GuideUnits[], single: boolean): string {
  const byGuide: Record<string, Record<string, unknown>> = {};
  for (const g of guides) {
    const texts: Record<string, unknown> = {};
    for (const u of g.units) {
      const [step, field, event] = u.key.split('.');
      if (field === undefined) texts[step!] = u.target ?? '';
      else {
        const st = (texts[step!] ??= {}) as Record<string, unknown>;
        if (field === 'options') ((st.options ??= {}) as Record<string, string>)[event!] = u.target ?? '';
        else st[field] = u.target ?? '';
      }
    }
    byGuide[g.flowId] = texts;
  }
  return `${JSON.stringify(single && guides.length === 1 ? byGuide[guides[0]!.flowId] : byGuide, null, 2)}\n`;
}

// Reading

/** A unit as an upload gives it: its id and its target text. */
export interface ImportedUnit {
  flowId: string;
  id: string;
  key: string;
  target: string;
}

export interface ImportProblem {
  message: string;
  unit?: string;
  flowId?: string;
  path?: string;
}

/** Thrown for an upload that cannot be read at all (not XML, a DTD, not XLIFF 2.0, another language): 400. */
const unreadable = (message: string) => invalidInput(message);

type XmlNode = Record<string, unknown>;
const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded below, the five of XML and character references only: no DTD is ever read.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9A-Fa-f]{1,6}));|&/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** XML's predefined entities and character references; any other `&` is refused (no DTD can define more). */
function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name) return NAMED[name]!;
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? Number.parseInt(hex, 16) : Number.NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      throw unreadable(`The XML has an entity or "&" that is not XML's own (${whole}…); write & as &amp;.`);
    return String.fromCodePoint(code);
  });
}

const tagOf = (node: XmlNode) => Object.keys(node).find((k) => k !== ':@');
const childrenOf = (node: XmlNode) => (node[tagOf(node)!] as XmlNode[] | undefined) ?? [];
const attr = (node: XmlNode, name: string) => {
  const value = (node[':@'] as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? decodeEntities(value) : undefined;
};
/** An element's name without its namespace prefix. */
const local = (tag: string) => tag.slice(tag.indexOf(':') + 1);
const elements = (nodes: XmlNode[], name: string) => nodes.filter((n) => {
  const tag = tagOf(n);
  return tag !== undefined && !tag.startsWith('#') && tag !== '?xml' && local(tag) === name;
});

/** The plain text of a <source> or <target>: text and CDATA; any markup inside is refused with the unit named. */
function plainText(nodes: XmlNode[], unit: string, problems: ImportProblem[]): string {
  let text = '';
  for (const n of nodes) {
    const tag = tagOf(n);
    if (tag === '#text') text += decodeEntities(String(n['#text']));
    else if (tag === '#cdata') text += (n['#cdata'] as XmlNode[]).map((c) => String(c['#text'] ?? '')).join('');
    else if (tag === '#comment') continue;
    else {
      problems.push({ unit, message: `${unit}: the target contains the element <${tag}>; write placeholders and Markdown as plain text` });
    }
  }
  return text;
}

/**
 * Reads an XLIFF 2.0 file for language `lng`: malformed XML, a DTD or entity declaration, another root, version or
 * target language is a 400; a unit's markup is a problem naming the unit.
 */
export function readXliff(xml: string, lng: Language): { source: Language; units: ImportedUnit[]; problems: ImportProblem[] } {
  // No DTD at all: it is where external entities and entity expansion come from, and XLIFF has no use for one.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw unreadable('The XML declares a DTD or an entity; XLIFF needs neither, and none is read.');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw unreadable(`The XML is not well-formed: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`);
  let root: XmlNode | undefined;
  try {
    root = elements(PARSER.parse(xml) as XmlNode[], 'xliff')[0];
  } catch (e) {
    throw unreadable(`The XML cannot be read: ${(e as Error).message}`);
  }
  if (!root) throw unreadable('This is not XLIFF: the root element is not <xliff>.');
  if (attr(root, 'xmlns') !== XLIFF_NAMESPACE || !/^2\.\d$/.test(attr(root, 'version') ?? ''))
    throw unreadable(`This is not XLIFF 2: the root needs xmlns="${XLIFF_NAMESPACE}" and version="2.0".`);
  const trgLang = attr(root, 'trgLang');
  if (trgLang !== lng) throw unreadable(`The file translates into "${trgLang ?? '(no trgLang)'}", not into "${lng}".`);
  const srcLang = attr(root, 'srcLang') as Language | undefined;
  if (!srcLang || !(LANGUAGES as readonly string[]).includes(srcLang)) throw unreadable(`srcLang must be one of ${LANGUAGES.join(', ')}.`);
  if (srcLang === lng) throw unreadable('srcLang and trgLang are the same language.');

  const units: ImportedUnit[] = [];
  const problems: ImportProblem[] = [];
  for (const file of elements(childrenOf(root), 'file')) {
    const flowId = attr(file, 'id') ?? '';
    for (const unit of elements(childrenOf(file), 'unit')) {
      const id = attr(unit, 'id') ?? '';
      const prefix = `${flowId}:`;
      if (!id.startsWith(prefix)) {
        problems.push({ unit: id, flowId, message: `${id || '(a unit without id)'}: not a unit of guide "${flowId}" (unit ids are "${prefix}<key>")` });
        continue;
      }
      let target: string | undefined;
      for (const segment of elements(childrenOf(unit), 'segment')) {
        const t = elements(childrenOf(segment), 'target')[0];
        if (t) target = (target ?? '') + plainText(childrenOf(t), id, problems);
      }
      if (target !== undefined) units.push({ flowId, id, key: id.slice(prefix.length), target });
    }
  }
  return { source: srcLang, units, problems };
}

/**
 * Reads i18next JSON: one guide's texts (`flowId` given) or an object keyed by guide id. Every string is a unit;
 * anything else where a text belongs is a problem naming the unit.
 */
export function readI18next(text: string | unknown, flowId: string | undefined): { units: ImportedUnit[]; problems: ImportProblem[] } {
  let value: unknown = text;
  if (typeof text === 'string') {
    try {
      value = JSON.parse(text);
    } catch {
      throw unreadable('The file is not valid JSON.');
    }
  }
  if (!isObject(value)) throw unreadable('i18next JSON is an object: one guide\'s texts (with "flow"), or every guide\'s keyed by guide id.');
  const guides: [string, unknown][] = flowId ? [[flowId, value]] : Object.entries(value);
  const units: ImportedUnit[] = [];
  const problems: ImportProblem[] = [];
  for (const [guide, texts] of guides) {
    if (!isObject(texts)) {
      problems.push({ flowId: guide, message: `"${guide}": a guide's texts are an object` });
      continue;
    }
    const walk = (v: unknown, path: string[]) => {
      const id = `${guide}:${path.join('.')}`;
      if (typeof v === 'string') units.push({ flowId: guide, id, key: path.join('.'), target: v });
      else if (isObject(v) && path.length < 3) for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
      else problems.push({ unit: id, flowId: guide, message: `${id}: a text is a string` });
    };
    walk(texts, []);
  }
  return { units, problems };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Importing

export interface ImportOutcome {
  drafts: { flowId: string; draft: number; units: number }[];
  unchanged: string[];
}

/**
 * Applies imported units of language `lng` onto each guide's latest version and stores one draft per changed guide
 * (note "translation import (<lng>)"), or nothing at all when any unit has a problem: 422 listing every problem
 * with its unit id. A unit's placeholders must be the source's (none missing, none added); everything else a text
 * must be (known facts, no raw HTML) is validate.ts's, run on the whole document as any draft is.
 * An empty target leaves the text as it is (a unit not translated yet), and a target the same as the current text
 * is not looked at again (it is what was published).
 */
export async function importTranslation(
  content: ContentService,
  lng: Language,
  upload: { source: Language; units: ImportedUnit[]; problems: ImportProblem[] },
  editor: Editor,
): Promise<ImportOutcome> {
  const problems = [...upload.problems];
  const byGuide = new Map<string, ImportedUnit[]>();
  for (const u of upload.units) byGuide.set(u.flowId, [...(byGuide.get(u.flowId) ?? []), u]);
  if (!byGuide.size && !problems.length) throw unreadable('The file has no units.');

  const changed: { flowId: string; document: FlowDocument; units: number }[] = [];
  const unchanged: string[] = [];
  for (const [flowId, units] of byGuide) {
    let latest;
    try {
      latest = await content.version(flowId);
    } catch (e) {
      if (e instanceof AppError && e.status === 404) {
        problems.push({ flowId, message: `"${flowId}": there is no such guide`, ...(units[0] ? { unit: units[0].id } : {}) });
        continue;
      }
      throw e;
    }
    const doc = structuredClone(latest.document) as FlowDocument;
    const known = new Set(keysOf(doc, upload.source));
    const before = problems.length;
    let applied = 0;
    for (const u of units) {
      if (!known.has(u.key)) {
        problems.push({ unit: u.id, flowId, message: `${u.id}: no such text in the guide (${upload.source} has none at "${u.key}")` });
        continue;
      }
      // Empty: not translated yet; the same as now: not the agency's change (and judged when it was published).
      if (!u.target.trim() || textAt(doc, lng, u.key) === u.target) continue;
      const source = textAt(doc, upload.source, u.key)!;
      const want = placeholders(source);
      const got = placeholders(u.target);
      const missing = difference(want, got);
      const extra = difference(got, want);
      if (missing.length || extra.length)
        problems.push({
          unit: u.id,
          flowId,
          message: `${u.id}: the placeholders differ from the source's${missing.length ? `; missing ${missing.map((p) => `{{${p}}}`).join(', ')}` : ''}${extra.length ? `; not in the source ${extra.map((p) => `{{${p}}}`).join(', ')}` : ''}`,
        });
      applied++;
      setTextAt(doc, lng, u.key, u.target);
    }
    if (problems.length > before) continue;
    // The document's own checks, exactly as a draft gets them; a problem in this language's texts names its unit.
    for (const p of content.problemsOf(doc)) {
      const prefix = `texts.${lng}.`;
      const unit = p.path?.startsWith(prefix) ? `${flowId}:${p.path.slice(prefix.length)}` : undefined;
      problems.push({ message: unit ? `${unit}: ${p.message}` : `${flowId}: ${p.message}`, flowId, ...(unit ? { unit } : {}), ...(p.path ? { path: p.path } : {}) });
    }
    if (canonicalJson(doc) === canonicalJson(latest.document)) unchanged.push(flowId);
    else changed.push({ flowId, document: doc, units: applied });
  }
  if (problems.length)
    throw new AppError(422, 'invalid_document', `The translation has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was stored.`, {
      details: { problems },
    });
  const drafts: ImportOutcome['drafts'] = [];
  for (const c of changed) {
    const draft = await content.createDraft(c.flowId, c.document, editor, { action: 'import', note: `translation import (${lng})`, role: 'translator' });
    drafts.push({ flowId: c.flowId, draft: draft.id, units: c.units });
  }
  return { drafts, unchanged };
}

/** The items of `a` not matched one for one in `b`. */
function difference(a: readonly string[], b: readonly string[]): string[] {
  const left = [...b];
  return a.filter((x) => {
    const i = left.indexOf(x);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

// Exporting

/** The guides to export: one (404 when it does not exist) or all, each its latest published version. */
export async function latestDocuments(content: ContentService, flow: string): Promise<{ selected: VersionedDocument[]; all: VersionedDocument[] }> {
  const ids = (await content.list()).map((g) => g.id);
  const all = await Promise.all(
    ids.map(async (id) => {
      const v = await content.version(id);
      return { document: v.document, number: v.number, origins: v.origins };
    }),
  );
  if (flow === 'all') return { selected: all, all };
  const one = all.find((g) => g.document.id === flow);
  if (!one) await content.version(flow); // throws unknown_flow
  return { selected: [one!], all };
}

/** A translator may export and import only their languages; others every language. 403 otherwise. */
export function checkLanguage(editor: Editor, lng: Language) {
  if (editor.onlyTexts && !editor.onlyTexts.includes(lng))
    throw new AppError(403, 'forbidden', `A translator (${editor.onlyTexts.join(', ') || 'no language'}) works only on those languages, not on ${lng}.`);
}

/** The file an export is saved as: `<flow or all>.<lng>.xlf` or `.json`. */
export const exportFileName = (flow: string, lng: Language, format: TranslationFormat) => `${flow}.${lng}.${format === 'xliff' ? 'xlf' : 'json'}`;
