import { createHash } from 'node:crypto';
import { z } from 'zod';
import { OUTCOMES } from '../../flows/types.ts';
import { LANGUAGES } from '../i18n/locales.ts';

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
      type: z.string().min(1).max(40),
      params: z.strictObject({ status: z.array(z.string().min(1).max(40)).min(1).max(20) }),
    })
    .optional(),
});

const stepMeta = z.strictObject({
  kind: z.enum(['question', 'instruction', 'check', 'outcome']),
  outcome: z.enum(OUTCOMES).optional(),
  /** A live check of the sender's domain; `includes` are literal names or `{{facts.x}}` references. */
  check: z
    .strictObject({
      type: z.literal('email-domain'),
      includes: z.array(z.string().min(1).max(300)).max(10),
    })
    .optional(),
});

const stateConfig = z.strictObject({
  meta: stepMeta,
  type: z.literal('final').optional(),
  /** Event → target step, or for a check's CHECK_RESULT an ordered list of guarded routes. */
  on: z.record(eventName, z.union([stepId, z.array(guardedTarget).min(1).max(20)])).optional(),
});

const machineConfig = z.strictObject({
  id: z.string().regex(FLOW_ID).optional(),
  initial: stepId,
  states: z.record(stepId, stateConfig),
});

/** A fact: one value, a list (shown as a bulleted list of code), or a value per language (a UI label as each language's product shows it). */
const factValue = z.union([
  z.string().max(2000),
  z.array(z.string().max(2000)).min(1).max(100),
  z.partialRecord(z.enum(LANGUAGES), z.string().max(2000)),
]);

const stepTexts = z.strictObject({
  title: z.string().max(300),
  body: z.string().max(20_000).optional(),
  body_agent: z.string().max(20_000).optional(),
  options: z.record(eventName, z.string().max(300)).optional(),
});

/** One language's texts: the guide's title, summary and search keywords, and each step's texts by step id. */
const languageTexts = z
  .object({ title: z.string().max(300), summary: z.string().max(1000), keywords: z.string().max(2000) })
  .catchall(stepTexts);

export const flowDocumentSchema = z.strictObject({
  id: z.string().regex(FLOW_ID, 'a guide id is kebab-case, like participant-no-email').max(80),
  /** The article the guide encodes (a file under shared/articles/), for reviewers. */
  source: z.string().max(300).optional(),
  /** Set on export only: the published version number this document is. */
  version: z.number().int().positive().optional(),
  machine: machineConfig,
  facts: z.record(z.string().regex(FACT_NAME, 'a fact name is camelCase, like spfInclude'), factValue),
  texts: z.strictObject(Object.fromEntries(LANGUAGES.map((l) => [l, languageTexts])) as Record<(typeof LANGUAGES)[number], typeof languageTexts>),
});

export type FlowDocument = z.infer<typeof flowDocumentSchema>;
export type StateDocument = z.infer<typeof stateConfig>;

/** Canonical JSON: keys sorted at every level, so equal content has one text and one hash whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/**
 * A document's content hash: what a session pins and what tells an unchanged import from a new version. `version`
 * is left out (it says where a document was published, not what it is).
 */
export function contentHash(doc: FlowDocument): string {
  const { version: _version, ...content } = doc;
  return createHash('sha256').update(canonicalJson(content)).digest('base64url').slice(0, 16);
}
