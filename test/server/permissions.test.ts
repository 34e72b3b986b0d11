import { describe, expect, it } from 'vitest';
import { builtinDocuments } from '../../server/content/builtin.ts';
import type { FlowDocument } from '../../server/content/document.ts';
import { changesOutside } from '../../server/content/permissions.ts';

const original = () => structuredClone(builtinDocuments()[0]!) as FlowDocument;

describe('what a translator of Swedish and German may change', () => {
  it('their own texts, and nothing else', () => {
    const next = original();
    next.texts.sv.title = 'Ny titel';
    next.texts.de.howLongAgo!.title = 'Neuer Titel';
    expect(changesOutside(original(), next, ['sv', 'de'])).toEqual([]);
    next.texts.no.title = 'Ny tittel';
    expect(changesOutside(original(), next, ['sv', 'de'])).toEqual(['texts.no.title']);
  });

  it('not the order of a step’s options, nor of the steps, though every value stays the same', () => {
    const options = original();
    const on = options.machine.states.howLongAgo!.on!;
    options.machine.states.howLongAgo!.on = Object.fromEntries(Object.entries(on).reverse());
    expect(changesOutside(original(), options, ['sv'])).toEqual(['the order of steps or options']);

    const steps = original();
    steps.machine.states = Object.fromEntries(Object.entries(steps.machine.states).reverse());
    expect(changesOutside(original(), steps, ['sv'])).toEqual(['the order of steps or options']);
  });

  it('facts, whatever their key order, only by value', () => {
    const next = original();
    next.facts = Object.fromEntries(Object.entries(next.facts).reverse());
    expect(changesOutside(original(), next, ['sv'])).toEqual([]);
  });
});
