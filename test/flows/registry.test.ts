import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK } from '../../flows/types.ts';
import { builtinDocumentPath, builtinDocuments } from '../../server/content/builtin.ts';
import { exportDocument } from '../../server/content/compile.ts';
import { contentHash, formatDocument, type FlowDocument } from '../../server/content/document.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { fixtureDocuments } from '../fixtures/documents.ts';
import { stateMeta } from '../support/walk.ts';

const builtin = builtinDocuments();
const sixth = fixtureDocuments().find((d) => d.id === 'booking-confirmation-missing')!;
const BUILTIN_IDS = builtin.map((d) => d.id);

/** The guide with its English title changed: a new version of the same guide. */
function edited(doc: FlowDocument, title: string): FlowDocument {
  const copy = structuredClone(doc);
  copy.texts.en.title = title;
  return copy;
}

describe.each(builtin.map((d) => [d.id, d] as const))('the document of %s', (id, doc) => {
  it('round-trips: compiled, installed and exported, it is the same document with the same hash', () => {
    const registry = new FlowRegistry();
    const exported = exportDocument(registry.get(id)!);
    expect(exported).toEqual(doc);
    expect(contentHash(exported)).toBe(contentHash(doc));
    expect(registry.get(id)!.version).toBe(contentHash(doc));
    // And as a file: the built-in document is stored exactly as formatDocument writes it (stable key order).
    expect(formatDocument(exported)).toBe(readFileSync(builtinDocumentPath(id), 'utf8'));
  });

  it('derives each step\'s options from its transitions: a check offers CHECK first', () => {
    const flow = new FlowRegistry([doc]).get(id)!;
    for (const [step, state] of Object.entries(doc.machine.states)) {
      const events = Object.keys(state.on ?? {});
      const expected = state.type === 'final' ? undefined : state.meta.kind === 'check' ? [CHECK, ...events.filter((e) => e !== 'CHECK_RESULT')] : events;
      expect(stateMeta(flow.machine, step).options?.map((o) => o.event), step).toEqual(expected);
    }
  });
});

describe('the registry', () => {
  it('lists the built-in guides in the order of flows/index.ts', () => {
    expect(new FlowRegistry().list.map((f) => f.id)).toEqual(BUILTIN_IDS);
  });

  it('exports a published version with its number, and the same content hash', () => {
    const registry = new FlowRegistry();
    const flow = registry.install(builtin[0]!, { number: 4, current: true });
    const exported = exportDocument(flow);
    expect(exported.version).toBe(4);
    expect(contentHash(exported)).toBe(contentHash(builtin[0]!));
  });

  it('compiles a content once, however often it is installed, and keeps the latest number', () => {
    const registry = new FlowRegistry();
    const first = registry.install(edited(builtin[0]!, 'Edited'), { number: 2, current: false });
    const again = registry.install(edited(builtin[0]!, 'Edited'), { number: 5, current: true });
    expect(again.machine).toBe(first.machine);
    expect(again.number).toBe(5);
    expect(registry.get(first.id)).toBe(again);
  });

  it('keeps every installed version for pinned sessions, and makes only a current one what get and list give', () => {
    const registry = new FlowRegistry();
    const original = registry.get('participant-no-email')!;
    const draft = registry.install(edited(builtin[0]!, 'A draft'), { current: false });
    expect(registry.get('participant-no-email')).toBe(original);
    const published = registry.install(edited(builtin[0]!, 'Published'), { number: 2, current: true });
    expect(registry.get('participant-no-email')).toBe(published);
    expect(registry.list.filter((f) => f.id === 'participant-no-email')).toEqual([published]);
    expect(registry.version('participant-no-email', original.version)).toBe(original);
    expect(registry.version('participant-no-email', draft.version)).toBe(draft);
    // A version is found under its own guide only.
    expect(registry.version('track-sent-email', original.version)).toBeUndefined();
    expect(new Set([original.version, draft.version, published.version]).size).toBe(3);
  });

  it('lists a new guide after the built-in ones, new guides by id', () => {
    const registry = new FlowRegistry();
    registry.install({ ...structuredClone(sixth), id: 'zz-last-guide', machine: { ...sixth.machine, id: 'zz-last-guide' } }, { current: true });
    registry.install(sixth, { current: true });
    expect(registry.list.map((f) => f.id)).toEqual([...BUILTIN_IDS, 'booking-confirmation-missing', 'zz-last-guide']);
  });

  it('tells listeners after the current set changed, not when a version is only stored', () => {
    const registry = new FlowRegistry();
    const seen: string[][] = [];
    const stop = registry.onChange(() => seen.push(registry.list.map((f) => f.id)));
    registry.install(sixth, { current: false });
    expect(seen).toEqual([]);
    registry.install(sixth, { current: true });
    expect(seen).toEqual([[...BUILTIN_IDS, 'booking-confirmation-missing']]);
    stop();
    registry.install(edited(sixth, 'Again'), { current: true });
    expect(seen).toHaveLength(1);
  });
});

describe('rendering installed versions', () => {
  it('keeps two versions of one guide apart: texts and steps are cached by version', () => {
    const registry = new FlowRegistry();
    const renderer = new StepRenderer(createI18n());
    const before = registry.get('participant-no-email')!;
    const doc = edited(builtin[0]!, 'Edited title');
    doc.texts.en.howLongAgo!.title = 'When was it sent?';
    const after = registry.install(doc, { current: true });
    for (let round = 0; round < 2; round++) {
      expect(renderer.text(before, 'title', 'en')).toBe('A participant did not get an email from Learnifier');
      expect(renderer.text(after, 'title', 'en')).toBe('Edited title');
      expect(renderer.step(before, 'howLongAgo', 'en', 'participant').title).toBe('How long ago was the email sent?');
      expect(renderer.step(after, 'howLongAgo', 'en', 'participant').title).toBe('When was it sent?');
    }
  });

  it.each(LANGUAGES)('shows a fact given per language in its own language (%s)', (lng) => {
    const flow = new FlowRegistry([sixth]).get(sixth.id)!;
    const renderer = new StepRenderer(createI18n());
    const menu = (sixth.facts.bookingsMenu as Record<string, string>)[lng]!;
    const others = LANGUAGES.filter((l) => l !== lng).map((l) => (sixth.facts.bookingsMenu as Record<string, string>)[l]!);
    for (const audience of ['participant', 'agent'] as const) {
      const { bodyHtml } = renderer.step(flow, 'checkAddress', lng, audience);
      expect(bodyHtml).toContain(`<strong>${menu}</strong>`);
      for (const other of others) expect(bodyHtml).not.toContain(other);
    }
  });

  it('shows agents the participant\'s body where a step has no agent wording', () => {
    const flow = new FlowRegistry([sixth]).get(sixth.id)!;
    const renderer = new StepRenderer(createI18n());
    expect(sixth.texts.de.senderSetup!.body_agent).toBeUndefined();
    expect(renderer.step(flow, 'senderSetup', 'de', 'agent').bodyHtml).toBe(renderer.step(flow, 'senderSetup', 'de', 'participant').bodyHtml);
    expect(renderer.step(flow, 'checkSpam', 'de', 'agent').bodyHtml).not.toBe(renderer.step(flow, 'checkSpam', 'de', 'participant').bodyHtml);
  });
});
