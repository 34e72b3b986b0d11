import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { CHECK, CHECK_RESULT, OUTCOMES } from '../../flows/types.ts';
import { compileDocument } from '../../server/content/compile.ts';
import { factIn } from '../../server/content/document.ts';
import { validateDocument } from '../../server/content/validate.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { everyDocument } from '../fixtures/documents.ts';
import { optionsBackOnPath, pathsToOutcomes, stateMeta } from '../support/walk.ts';

const FACT_REF = /\{\{\s*facts\.([A-Za-z0-9_]+)\s*\}\}/g;

function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

describe('built-in guides', () => {
  it('lists every flow folder with a document exactly once', () => {
    const folders = readdirSync(new URL('../../flows/', import.meta.url), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(new URL(`../../flows/${d.name}/flow.json`, import.meta.url)))
      .map((d) => d.name)
      .sort();
    expect([...BUILTIN_FLOW_IDS].sort()).toEqual(folders);
    expect(new Set(BUILTIN_FLOW_IDS).size).toBe(BUILTIN_FLOW_IDS.length);
  });
});

/*
 * Every document, built-in or from a file (test/fixtures/<id>/flow.json), is held to the same contract: the
 * validation every import passes, and what a test can ask beyond it (every option on some path to an outcome, every
 * fact shown, no text copying a fact).
 */
describe.each(everyDocument().map((d) => [d.id, d] as const))('flow %s', (id, doc) => {
  const flow = compileDocument(doc);
  const { machine } = flow;
  const stateIds = Object.keys(machine.states);

  it('passes validation with no problem', () => {
    expect(validateDocument(doc)).toEqual({ ok: true, document: doc });
  });

  it('has an id matching its machine', () => {
    expect(machine.id).toBe(id);
    expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('gives every state typed meta: options on steps, an outcome on endings', () => {
    for (const state of stateIds) {
      const meta = stateMeta(machine, state);
      const node = machine.states[state]!;
      expect(meta, state).toBeDefined();
      if (node.type === 'final') {
        expect(meta.kind, state).toBe('outcome');
        expect(OUTCOMES, state).toContain(meta.outcome);
      } else {
        expect(meta.kind, state).not.toBe('outcome');
        const options = meta.options ?? [];
        expect(options.length, state).toBeGreaterThan(0);
        for (const { event } of options) expect(event, state).toMatch(/^[A-Z][A-Z0-9_]*$/);
      }
    }
  });

  it('reaches every state, and every path ends at an outcome', () => {
    const paths = pathsToOutcomes(machine);
    const visited = new Set(paths.flatMap((p) => p.states));
    expect([...visited].sort()).toEqual([...stateIds].sort());
    // Every option of every step is taken on some path to an ending: no option leads into a dead end.
    // A check step's CHECK option is taken by sending a domain, which reaches the machine as CHECK_RESULT.
    const taken = new Set(paths.flatMap((p) => p.events.map((e, i) => `${p.states[i]}/${e === CHECK_RESULT ? CHECK : e}`)));
    for (const back of optionsBackOnPath(machine, paths)) taken.add(back);
    for (const state of stateIds)
      for (const { event } of stateMeta(machine, state).options ?? []) expect(taken, `${state}/${event}`).toContain(`${state}/${event}`);
  });

  it.each(LANGUAGES)('has every text in %s, non-empty, and no stray keys', (lng) => {
    const ns = doc.texts[lng] as Record<string, any>;
    expect(ns.title?.trim()).toBeTruthy();
    expect(ns.summary?.trim()).toBeTruthy();
    expect(ns.keywords?.trim(), `${lng} keywords`).toBeTruthy();
    for (const state of stateIds) {
      const texts = ns[state];
      expect(texts, `${lng} ${state}`).toBeDefined();
      expect(texts.title?.trim(), `${lng} ${state}.title`).toBeTruthy();
      expect(texts.body?.trim(), `${lng} ${state}.body`).toBeTruthy();
      const events = (stateMeta(machine, state).options ?? []).map((o) => o.event);
      for (const event of events) expect(texts.options?.[event]?.trim(), `${lng} ${state}.options.${event}`).toBeTruthy();
      expect(Object.keys(texts.options ?? {}).sort(), `${lng} ${state} options`).toEqual([...events].sort());
    }
    const allowed = new Set(['title', 'summary', 'keywords', ...stateIds]);
    expect(Object.keys(ns).filter((k) => !allowed.has(k)), `${lng} stray keys`).toEqual([]);
  });

  it('keeps facts once: texts refer to them, never copy them', () => {
    const used = new Set<string>();
    for (const lng of LANGUAGES) {
      for (const [key, text] of strings(doc.texts[lng])) {
        for (const [, name] of text.matchAll(FACT_REF)) {
          expect(flow.facts, `${lng} ${key} uses {{facts.${name}}}`).toHaveProperty(name!);
          used.add(name!);
        }
        for (const [name, value] of Object.entries(flow.facts)) {
          for (const v of [factIn(value, lng)].flat()) {
            if (v.length >= 6) expect(text.includes(v), `${lng} ${key} copies fact ${name} ("${v}")`).toBe(false);
          }
        }
      }
    }
    expect(Object.keys(flow.facts).filter((f) => !used.has(f)), 'facts no text shows').toEqual([]);
  });
});
