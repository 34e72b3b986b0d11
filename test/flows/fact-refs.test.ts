import { afterEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { validateDocument } from '../../server/content/validate.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { AppError } from '../../server/http/errors.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { fixtureDocuments } from '../fixtures/documents.ts';
import { testApp, useTempFiles, type TestApp } from '../support/app.ts';

/*
 * A guide that shows another guide's fact: the fixture guide (Bookly's sender guide) states the sender address, and
 * a copy of it standing for a recipient's guide refers to that fact instead of writing it again.
 */
const SOURCE_ID = 'booking-confirmation-missing';
const source = fixtureDocuments().find((d) => d.id === SOURCE_ID)!;
const SENDER = source.facts.defaultSender as string;
const PERSON = { actor: { agentId: null, via: 'cli' as const } };

function recipientGuide(): FlowDocument {
  const doc = structuredClone(source);
  doc.id = 'booking-recipient';
  delete doc.machine.id;
  doc.facts.defaultSender = { guide: SOURCE_ID, fact: 'defaultSender' };
  return doc;
}
const recipient = recipientGuide();
/** The first step that shows the sender address, in Swedish. */
const STEP = 'checkSpam';

function withSender(doc: FlowDocument, sender: string): FlowDocument {
  const copy = structuredClone(doc);
  copy.facts.defaultSender = sender;
  return copy;
}

const renderer = () => new StepRenderer(createI18n());
const shown = (r: StepRenderer, registry: FlowRegistry, hash?: string) => {
  const flow = hash ? registry.version(recipient.id, hash)! : registry.get(recipient.id)!;
  return r.step(flow, STEP, 'sv', 'participant').bodyHtml;
};

describe("a guide showing another guide's fact", () => {
  it('shows the value the other guide states, whichever of the two was installed first', () => {
    for (const order of [
      [source, recipient],
      [recipient, source],
    ]) {
      const registry = new FlowRegistry(order);
      expect(registry.get(recipient.id)!.facts.defaultSender).toBe(SENDER);
      expect(shown(renderer(), registry)).toContain(SENDER);
    }
  });

  it('shows the new value once the other guide publishes one, in its current and its older versions', () => {
    const registry = new FlowRegistry([source, recipient]);
    const r = renderer();
    const older = registry.get(recipient.id)!.version;
    expect(shown(r, registry)).toContain(SENDER);
    // A later version of the recipient's guide (a text edit), so the first one is a pinned, older version.
    const edited = structuredClone(recipient);
    edited.texts.en.title = 'Edited';
    registry.install(edited, { current: true });

    registry.install(withSender(source, 'bokning@bookly.example'), { current: true });
    expect(shown(r, registry)).toContain('bokning@bookly.example');
    expect(shown(r, registry, older)).toContain('bokning@bookly.example');
    expect(shown(r, registry)).not.toContain(SENDER);
    // Its own version (what sessions are pinned to) is its content: unchanged by the other guide's edit.
    expect(registry.version(recipient.id, older)!.version).toBe(older);
  });
});

describe('validation of references, with the guides a document is published alongside', () => {
  const others = new Map([[SOURCE_ID, source.facts]]);
  const problems = (doc: unknown, with_ = others) => {
    const result = validateDocument(doc, { others: with_ });
    return result.ok ? [] : result.problems.map((p) => p.message);
  };
  const referring = (ref: { guide: string; fact: string }) => {
    const doc = structuredClone(recipient);
    doc.facts.defaultSender = ref;
    return doc;
  };

  it('accepts a reference to a fact the other guide states', () => {
    expect(problems(recipient)).toEqual([]);
  });

  it('refuses a reference to a guide or fact that does not exist, to the guide itself, or to another reference', () => {
    expect(problems(referring({ guide: 'no-such-guide', fact: 'defaultSender' }))).toEqual([
      'the fact "defaultSender" refers to the guide "no-such-guide", which does not exist',
    ]);
    expect(problems(referring({ guide: SOURCE_ID, fact: 'noSuchFact' }))).toEqual([
      `the fact "defaultSender" refers to "noSuchFact", which the guide "${SOURCE_ID}" does not have`,
    ]);
    expect(problems(referring({ guide: recipient.id, fact: 'product' }))).toEqual([
      `the fact "defaultSender" refers to this guide's own fact; write {{facts.product}} instead`,
    ]);
    const chained = new Map([...others, ['middle', { alias: { guide: SOURCE_ID, fact: 'defaultSender' } }]]);
    expect(problems(referring({ guide: 'middle', fact: 'alias' }), chained)).toEqual([
      'the fact "defaultSender" refers to "alias" of "middle", which is itself a reference; refer to the guide that states it',
    ]);
  });

  it('refuses a new version of the other guide that drops a fact a guide shows', () => {
    const dropped = structuredClone(source);
    delete (dropped.facts as Record<string, unknown>).defaultSender;
    for (const lng of ['sv', 'no', 'de', 'en'] as const)
      for (const texts of Object.values(dropped.texts[lng]))
        if (typeof texts === 'object') for (const key of ['body', 'body_agent'] as const) if (texts[key]) texts[key] = texts[key].replaceAll('{{facts.defaultSender}}', 'x@y.example');
    expect(problems(dropped, new Map([[recipient.id, recipient.facts]]))).toEqual([
      `the guide "${recipient.id}" shows this guide's fact "defaultSender" (as "defaultSender"); keep the fact, or change "${recipient.id}" first`,
    ]);
  });
});

describe('publishing, with references', () => {
  const file = useTempFiles();
  let t: TestApp | undefined;
  afterEach(() => t?.close());

  it('refuses to publish a guide referring to a guide that is not published, and publishes it once that guide is', async () => {
    t = testApp(file());
    const { content } = t.app.locals.ctx;
    const refused = await content.publish(recipient.id, { document: recipient }, PERSON).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(422);
    expect(JSON.stringify(refused)).toContain(`refers to the guide \\"${SOURCE_ID}\\", which does not exist`);

    await content.publish(SOURCE_ID, { document: source }, PERSON);
    await content.publish(recipient.id, { document: recipient }, PERSON);
    expect(t.app.locals.ctx.flows.get(recipient.id)!.facts.defaultSender).toBe(SENDER);
  });
});

describe('a fact per language', () => {
  it("shows the English value in a language the product's article gives none for", () => {
    const doc = structuredClone(source);
    const menu = doc.facts.bookingsMenu as Record<string, string>;
    delete menu.sv;
    const registry = new FlowRegistry([doc]);
    const r = renderer();
    const flow = registry.get(SOURCE_ID)!;
    expect(r.step(flow, 'checkAddress', 'sv', 'participant').bodyHtml).toContain(`<strong>${menu.en}</strong>`);
    expect(r.step(flow, 'checkAddress', 'no', 'participant').bodyHtml).toContain(`<strong>${menu.no}</strong>`);
  });
});
