import { diffWordsWithSpace } from 'diff';
import { LANGUAGES, type Language } from '../i18n/locales.ts';
import { canonicalJson, contentHash, type FlowDocument, type StateDocument } from './document.ts';
import { textAt, textKeysOf } from './text-keys.ts';

/*
 * What changed between two versions of a guide, for the studio: its structure (steps, options and where they lead,
 * facts, the first step) and its texts word by word in each language — what an author reviews before publishing and
 * what a translator needs to see of a source text that changed. Pure: two documents in, a plain description out;
 * the pages render it (server/render/word-diff.ts for the word diffs).
 *
 * A check step's CHECK_RESULT is an ordered list of guarded routes, and a route has no name of its own: it is known
 * by its guard, written `spfIs ok` (the guard and its statuses), or `otherwise` for the route without a guard. A
 * change to one route is reported on the event `CHECK_RESULT[spfIs ok]`, so a redirect of that route reads
 * `{ event: 'CHECK_RESULT[spfIs ok]', from: 'spfVerified', to: 'contactSupport' }`. A whole list added or removed is
 * one option whose target describes every route: `spfIs ok → spfVerified; otherwise → checkUnavailable`.
 */

export interface WordPart {
  text: string;
  added?: true;
  removed?: true;
}

type Meta = StateDocument['meta'];
export interface FromTo<T> {
  from: T;
  to: T;
}

/** A step in both versions whose own settings differ (its options are compared under `options`). */
export interface StepChange {
  step: string;
  kind?: FromTo<Meta['kind']>;
  outcome?: FromTo<Meta['outcome']>;
  check?: FromTo<Meta['check']>;
}

/** An option of a step: its event and where it leads (a step id, or a description of guarded routes). */
export interface OptionRef {
  step: string;
  event: string;
  target: string;
}

/** An option in both versions that leads elsewhere. */
export interface Redirect {
  step: string;
  event: string;
  from: string;
  to: string;
}

/** One text that differs, keyed as i18next keys it inside `texts.<lng>` (text-keys.ts); absent on one side when it is new or gone. */
export interface TextChange {
  lng: Language;
  key: string;
  from?: string;
  to?: string;
  parts: WordPart[];
}

export interface Comparison {
  /** Steps are matched by id: a renamed step is one removed and one added. */
  steps: { added: string[]; removed: string[]; changed: StepChange[]; reordered: boolean };
  /** Options of the steps in both versions (those of an added or removed step go with the step). */
  options: { added: OptionRef[]; removed: OptionRef[]; redirected: Redirect[]; reordered: string[] };
  facts: { added: string[]; removed: string[]; changed: { name: string; from: unknown; to: unknown }[] };
  /** Language by language (sv, no, de, en), each in reading order: the guide's texts, then each step's. */
  texts: TextChange[];
  initial?: FromTo<string>;
  /**
   * The two have the same content (their content hashes are equal). A difference nothing above describes — the
   * guide's id or source article, texts of steps the machine does not have — makes this false with no change listed.
   */
  same: boolean;
}

type Transition = NonNullable<StateDocument['on']>[string];
type Route = Exclude<Transition, string>[number];

/** `older`'s order where it has items `newer` lacks, `newer`'s otherwise: each item only in `older` follows the item it followed there. */
function mergeOrder(older: readonly string[], newer: readonly string[]): string[] {
  const out = [...newer];
  let at = 0;
  for (const item of older) {
    const i = out.indexOf(item);
    if (i >= 0) at = i + 1;
    else out.splice(at++, 0, item);
  }
  return out;
}

/** Whether the items both lists have come in the same order in both. */
function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  const inB = new Set(b);
  const inA = new Set(a);
  const common = a.filter((x) => inB.has(x));
  const commonB = b.filter((x) => inA.has(x));
  return common.every((x, i) => x === commonB[i]);
}

const equal = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** A route's name (its guard), unique within its list: a repeated guard gets `#2`, `#3`. */
function routeNames(routes: readonly Route[]): string[] {
  const seen = new Map<string, number>();
  return routes.map((r) => {
    const name = r.guard ? `${r.guard.type} ${r.guard.params.status.join(', ')}` : 'otherwise';
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} #${n}`;
  });
}

/** Where an option leads, as one line. */
function describe(t: Transition): string {
  if (typeof t === 'string') return t;
  const names = routeNames(t);
  return t.map((r, i) => `${names[i]} → ${r.target}`).join('; ');
}

function compareSteps(from: FlowDocument, to: FlowDocument, order: readonly string[], c: Comparison) {
  const a = from.machine.states;
  const b = to.machine.states;
  for (const step of order) {
    const x = a[step];
    const y = b[step];
    if (!x) c.steps.added.push(step);
    else if (!y) c.steps.removed.push(step);
    else {
      const change: StepChange = { step };
      if (x.meta.kind !== y.meta.kind) change.kind = { from: x.meta.kind, to: y.meta.kind };
      if (x.meta.outcome !== y.meta.outcome) change.outcome = { from: x.meta.outcome, to: y.meta.outcome };
      if (!equal(x.meta.check, y.meta.check)) change.check = { from: x.meta.check, to: y.meta.check };
      if (Object.keys(change).length > 1) c.steps.changed.push(change);
      compareOptions(step, x.on ?? {}, y.on ?? {}, c);
    }
  }
  c.steps.reordered = !sameOrder(Object.keys(a), Object.keys(b));
}

function compareOptions(step: string, a: NonNullable<StateDocument['on']>, b: NonNullable<StateDocument['on']>, c: Comparison) {
  let reordered = !sameOrder(Object.keys(a), Object.keys(b));
  for (const event of mergeOrder(Object.keys(a), Object.keys(b))) {
    const x = a[event];
    const y = b[event];
    if (x === undefined) c.options.added.push({ step, event, target: describe(y!) });
    else if (y === undefined) c.options.removed.push({ step, event, target: describe(x) });
    else if (typeof x !== 'string' && typeof y !== 'string') reordered = compareRoutes(step, event, x, y, c) || reordered;
    else if (describe(x) !== describe(y)) c.options.redirected.push({ step, event, from: describe(x), to: describe(y) });
  }
  if (reordered) c.options.reordered.push(step);
}

/** Route by route, matched by guard; returns whether the routes both have are in another order (the first that matches is taken). */
function compareRoutes(step: string, event: string, a: readonly Route[], b: readonly Route[], c: Comparison): boolean {
  const namesA = routeNames(a);
  const namesB = routeNames(b);
  const targetA = new Map(namesA.map((n, i) => [n, a[i]!.target]));
  const targetB = new Map(namesB.map((n, i) => [n, b[i]!.target]));
  for (const name of mergeOrder(namesA, namesB)) {
    const x = targetA.get(name);
    const y = targetB.get(name);
    const routeEvent = `${event}[${name}]`;
    if (x === undefined) c.options.added.push({ step, event: routeEvent, target: y! });
    else if (y === undefined) c.options.removed.push({ step, event: routeEvent, target: x });
    else if (x !== y) c.options.redirected.push({ step, event: routeEvent, from: x, to: y });
  }
  return !sameOrder(namesA, namesB);
}

function compareFacts(from: FlowDocument, to: FlowDocument, c: Comparison) {
  for (const name of mergeOrder(Object.keys(from.facts), Object.keys(to.facts))) {
    const x = from.facts[name];
    const y = to.facts[name];
    if (x === undefined) c.facts.added.push(name);
    else if (y === undefined) c.facts.removed.push(name);
    else if (!equal(x, y)) c.facts.changed.push({ name, from: x, to: y });
  }
}

function compareTexts(from: FlowDocument, to: FlowDocument, c: Comparison) {
  for (const lng of LANGUAGES) {
    const keysA = textKeysOf(from, lng);
    const keysB = textKeysOf(to, lng);
    // A text counts where its key is one of the version's (a label left behind by a removed option is gone).
    const inA = new Set(keysA);
    const inB = new Set(keysB);
    for (const key of mergeOrder(keysA, keysB)) {
      const x = inA.has(key) ? textAt(from, lng, key) : undefined;
      const y = inB.has(key) ? textAt(to, lng, key) : undefined;
      if (x === y) continue;
      c.texts.push({ lng, key, ...(x !== undefined ? { from: x } : {}), ...(y !== undefined ? { to: y } : {}), parts: wordDiff(x ?? '', y ?? '') });
    }
  }
}

/** Compares version `from` with version `to` of a guide (or any two guides: steps are matched by id). */
export function compareDocuments(from: FlowDocument, to: FlowDocument): Comparison {
  const c: Comparison = {
    steps: { added: [], removed: [], changed: [], reordered: false },
    options: { added: [], removed: [], redirected: [], reordered: [] },
    facts: { added: [], removed: [], changed: [] },
    texts: [],
    same: contentHash(from) === contentHash(to),
  };
  if (from.machine.initial !== to.machine.initial) c.initial = { from: from.machine.initial, to: to.machine.initial };
  compareSteps(from, to, mergeOrder(Object.keys(from.machine.states), Object.keys(to.machine.states)), c);
  compareFacts(from, to, c);
  compareTexts(from, to, c);
  return c;
}

/**
 * Beyond this many words and spaces changed, a word diff is no longer read as one (and costs time on long bodies):
 * the whole old text is shown removed and the new one added.
 */
const MAX_EDIT_LENGTH = 1000;

/** Word by word, whitespace kept, so the parts joined without the added ones give `from` and without the removed ones `to`. */
export function wordDiff(from: string, to: string): WordPart[] {
  const changes = diffWordsWithSpace(from, to, { maxEditLength: MAX_EDIT_LENGTH });
  if (!changes) return [...(from ? [{ text: from, removed: true as const }] : []), ...(to ? [{ text: to, added: true as const }] : [])];
  return changes.map((ch) => ({ text: ch.value, ...(ch.added ? { added: true as const } : {}), ...(ch.removed ? { removed: true as const } : {}) }));
}

/** How many changes a comparison lists, for a summary line ("12 changes"); a reordering of steps counts as one. */
export function changeCount(c: Comparison): number {
  return (
    c.steps.added.length +
    c.steps.removed.length +
    c.steps.changed.length +
    (c.steps.reordered ? 1 : 0) +
    c.options.added.length +
    c.options.removed.length +
    c.options.redirected.length +
    c.options.reordered.length +
    c.facts.added.length +
    c.facts.removed.length +
    c.facts.changed.length +
    c.texts.length +
    (c.initial ? 1 : 0)
  );
}
