import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CHECK_TYPES, OUTCOMES, type FactValue } from '../../flows/types.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../i18n/locales.ts';

/*
 * A guide as one JSON document: its machine (an XState config, with no code), its facts and its texts in every
 * language. A published version of a guide is one such document, immutable, stored in the database; the built-in
 * guides are documents in flows/<id>/flow.json. This module is the document's one definition: the type, the shape
 * check, the content hash and the JSON Schema (flows/schema.json) all come from the schema below.
 */

const STEP_ID = /^[a-z][A-Za-z0-9]*$/;
const EVENT = /^[A-Z][A-Z0-9_]*$/;
const FLOW_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FACT_NAME = /^[a-z][A-Za-z0-9]*$/;
/** Step ids a guide's texts cannot use: the same object holds the guide's own title, summary and keywords. */
export const RESERVED_TEXT_KEYS = ['title', 'summary', 'keywords'] as const;

const stepId = z.string().regex(STEP_ID, 'a step id is camelCase letters and digits, like checkSpam');
const eventName = z.string().regex(EVENT, 'an event is UPPER_SNAKE, like FOUND_IN_SPAM');

/** A guarded route of a check's result: `{ guard: { type: 'spfIs', params: { status: ['ok'] } }, target }`. */
const guardedTarget = z.strictObject({
  target: stepId,
  guard: z
    .strictObject({
      type: z.string().min(1).max(40).describe('A guard of flows/guards.ts: spfIs, mxIs or dmarcIs'),
      params: z.strictObject({ status: z.array(z.string().min(1).max(40)).min(1).max(20).describe("Statuses of the guard's part that take this route") }),
    })
    .optional()
    .describe('Without a guard the route takes any result; the last route has none'),
});

const stepMeta = z.strictObject({
  kind: z.enum(['question', 'instruction', 'check', 'outcome']).describe('How the step is shown; an ending is an outcome'),
  outcome: z.enum(OUTCOMES).optional().describe('How a session ending here ended; on endings only'),
  /** A live check of the sender's domain; `includes` are literal names or `{{facts.x}}` references. */
  check: z
    .strictObject({
      type: z.enum(CHECK_TYPES, { error: `an unknown check; the engine runs ${CHECK_TYPES.join(', ')}` }),
      includes: z.array(z.string().min(1).max(300)).max(10).describe('SPF includes the domain must carry, as {{facts.name}} or literally'),
      dmarc: z
        .boolean()
        .optional()
        .describe('Whether the article asks for a DMARC policy: then a missing or weak DMARC record is a finding, otherwise neutral information'),
    })
    .optional()
    .describe('On a check step: the check the engine runs when the person sends a domain'),
});

const stateConfig = z.strictObject({
  meta: stepMeta,
  type: z.literal('final').optional().describe('An ending'),
  /** Event → target step, or for a check's CHECK_RESULT an ordered list of guarded routes. */
  on: z
    .record(eventName, z.union([stepId, z.array(guardedTarget).min(1).max(20)]))
    .optional()
    .describe("The step's options in order (event → next step); a check step's CHECK_RESULT lists guarded routes"),
});

const machineConfig = z.strictObject({
  id: z.string().regex(FLOW_ID).optional().describe("The guide's id, if written"),
  initial: stepId.describe('The first step'),
  states: z.record(stepId, stateConfig).describe('The steps, in the order they are listed'),
});

/**
 * A fact: one value, a list (shown as a bulleted list of code), a value per language (a UI label as each language's
 * product shows it; a language without one shows the English label), or another guide's fact by reference.
 */
const factValue = z.union(
  [
    z.string().max(2000),
    z.array(z.string().max(2000)).min(1).max(100),
    z
      .strictObject({ guide: z.string().regex(FLOW_ID).max(80), fact: z.string().regex(FACT_NAME).max(100) })
      .describe("Another guide's fact, shown as that guide's current version states it"),
    z.partialRecord(z.enum(LANGUAGES), z.string().max(2000)),
  ],
  {
    error:
      'a fact is a value (at most 2,000 characters), a list of 1 to 100 values, a value per language ({"en": "…", "de": "…"}) or another guide\'s fact ({"guide": "guide-id", "fact": "factName"})',
  },
);

const stepTexts = z.strictObject({
  title: z.string().max(300),
  body: z.string().max(20_000).optional().describe('Markdown, no HTML; every step has one'),
  body_agent: z.string().max(20_000).optional().describe("What a support agent reads; without it agents read the body"),
  options: z.record(eventName, z.string().max(300)).optional().describe('A label for each option of the step'),
});

/** One language's texts: the guide's title, summary and search keywords, and each step's texts by step id. */
const languageTexts = z
  .object({ title: z.string().max(300), summary: z.string().max(1000), keywords: z.string().max(2000) })
  .catchall(stepTexts);

export const flowDocumentSchema = z.strictObject({
  id: z.string().regex(FLOW_ID, 'a guide id is kebab-case, like participant-no-email').max(80),
  /** The article the guide encodes (a file under shared/articles/), for reviewers. */
  source: z.string().max(300).optional().describe('The article the guide encodes'),
  /** Set on export only: the published version number this document is. */
  version: z.number().int().positive().optional().describe('Set on export: the published version number'),
  machine: machineConfig.describe('An XState machine config of plain data, compiled with the guards of flows/guards.ts'),
  facts: z
    .record(z.string().regex(FACT_NAME, 'a fact name is camelCase, like spfInclude'), factValue)
    .describe('Values the article states, shown in texts as {{facts.name}}'),
  texts: z
    .strictObject(Object.fromEntries(LANGUAGES.map((l) => [l, languageTexts])) as Record<(typeof LANGUAGES)[number], typeof languageTexts>)
    .describe('Every text in every language'),
});

export type FlowDocument = z.infer<typeof flowDocumentSchema>;
export type StateDocument = z.infer<typeof stateConfig>;

/*
 * Where the order of keys is content: the order of `machine.states` is the order steps are listed and searched in
 * (and the first step leading to an ending is where a search hit into it starts), and the order of a step's `on` is
 * the order of its options on the page. Everywhere else the order of keys means nothing.
 */
type Place = 'document' | 'machine' | 'states' | 'state' | 'on' | 'other';
/** Where a key leads from each place of a document; anything not named here is `other`. */
const NEXT: Partial<Record<Place, Record<string, Place>>> = { document: { machine: 'machine' }, machine: { states: 'states' }, state: { on: 'on' } };
/** The places whose keys keep their order (above); everywhere else keys are sorted. */
const KEEPS_ORDER: readonly Place[] = ['states', 'on'];

/**
 * Canonical JSON of a document: keys sorted at every level except where their order is content (above), so equal
 * content has one text and one hash whatever the key order, and content that differs only in the order of options
 * does not.
 */
export function canonicalJson(value: unknown): string {
  const canonical = (v: unknown, place: Place): unknown => {
    if (Array.isArray(v)) return v.map((item) => canonical(item, 'other'));
    if (!v || typeof v !== 'object') return v;
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    if (!KEEPS_ORDER.includes(place)) keys.sort();
    const child = (k: string): Place => (place === 'states' ? 'state' : (NEXT[place]?.[k] ?? 'other'));
    return Object.fromEntries(keys.map((k) => [k, canonical(record[k], child(k))]));
  };
  return JSON.stringify(canonical(value, 'document'));
}

/**
 * A document's content hash: what a session pins and what tells an unchanged import from a new version. `version`
 * is left out (it says where a document was published, not what it is).
 */
export function contentHash(doc: FlowDocument): string {
  const { version: _version, ...content } = doc;
  return createHash('sha256').update(canonicalJson(content)).digest('base64url').slice(0, 16);
}

/** Keys in the order a person reads them; keys not listed follow in their own order. */
const READING_ORDER: Record<string, readonly string[]> = {
  '': ['id', 'source', 'version', 'machine', 'facts', 'texts'],
  machine: ['id', 'initial', 'states'],
  state: ['type', 'meta', 'on'],
  meta: ['kind', 'outcome', 'check'],
  check: ['type', 'includes', 'dmarc'],
  route: ['guard', 'target'],
  guard: ['type', 'params'],
  texts: [...LANGUAGES],
  language: ['title', 'summary', 'keywords'],
  step: ['title', 'body', 'body_agent', 'options'],
};

function ordered<T extends object>(value: T, order: readonly string[]): T {
  const keys = [...order.filter((k) => k in value), ...Object.keys(value).filter((k) => !order.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, (value as Record<string, unknown>)[k]])) as T;
}

/**
 * A document as a file: two-space JSON with its keys in reading order (the guide, then its machine, facts and
 * texts; each language's texts step by step in the machine's order, each step's option labels in its options'
 * order), so a change to a guide is a small, readable diff.
 */
export function formatDocument(doc: FlowDocument): string {
  const stepOrder = Object.keys(doc.machine.states);
  const states = Object.fromEntries(
    Object.entries(doc.machine.states).map(([id, state]) => {
      const meta = ordered({ ...state.meta, ...(state.meta.check ? { check: ordered(state.meta.check, READING_ORDER.check!) } : {}) }, READING_ORDER.meta!);
      const on = state.on
        ? Object.fromEntries(
            Object.entries(state.on).map(([event, to]) => [
              event,
              typeof to === 'string' ? to : to.map((r) => ordered({ ...r, ...(r.guard ? { guard: ordered(r.guard, READING_ORDER.guard!) } : {}) }, READING_ORDER.route!)),
            ]),
          )
        : undefined;
      return [id, ordered({ ...state, meta, ...(on ? { on } : {}) }, READING_ORDER.state!)];
    }),
  );
  const texts = Object.fromEntries(
    Object.entries(doc.texts).map(([lng, t]) => {
      const steps = Object.fromEntries(
        Object.entries(t)
          .filter(([k]) => !(RESERVED_TEXT_KEYS as readonly string[]).includes(k))
          .map(([step, st]) => {
            const s = st as StepTexts;
            const events = Object.keys(doc.machine.states[step]?.on ?? {});
            return [step, ordered({ ...s, ...(s.options ? { options: ordered(s.options, ['CHECK', ...events]) } : {}) }, READING_ORDER.step!)];
          }),
      );
      return [lng, ordered({ ...t, ...ordered(steps, stepOrder) }, [...READING_ORDER.language!, ...stepOrder])];
    }),
  );
  const machine = ordered({ ...doc.machine, states }, READING_ORDER.machine!);
  return `${JSON.stringify(ordered({ ...doc, machine, texts: ordered(texts, READING_ORDER.texts!) }, READING_ORDER['']!), null, 2)}\n`;
}

export type StepTexts = z.infer<typeof stepTexts>;

/**
 * A fact as a step in `lng` shows it: a value per language gives the one of that language, or the English one where
 * the product (or its article) gives no label in that language.
 */
export function factIn(value: FactValue, lng: Language): string | readonly string[] {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const byLanguage = value as Partial<Record<Language, string>>;
  return byLanguage[lng] ?? byLanguage[DEFAULT_LANGUAGE] ?? '';
}
