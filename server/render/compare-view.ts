import type { Comparison } from '../content/compare.ts';
import type { FlowDocument } from '../content/document.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../i18n/locales.ts';
import { wordDiffHtml } from './word-diff.ts';

/** A step as a comparison names it: its title in the reader's language where either version has one, and its id. */
const stepName = (from: FlowDocument, to: FlowDocument, lng: Language) => (id: string) => {
  const title = (d: FlowDocument) => (d.texts[lng] as Record<string, { title?: string } | string>)[id];
  const t = title(to) ?? title(from);
  return { id, title: typeof t === 'object' && t?.title ? t.title : id };
};

/**
 * A comparison as the studio shows it: the structure's changes with step titles in the reader's language, and
 * the texts' word-level changes grouped by language (`<del>`/`<ins>`, escaped).
 */
export function comparisonView(c: Comparison, from: FlowDocument, to: FlowDocument, lng: Language) {
  const name = stepName(from, to, lng);
  const texts = LANGUAGES.map((l) => ({
    lng: l,
    name: LANGUAGE_NAMES[l],
    changes: c.texts.filter((x) => x.lng === l).map((x) => ({ key: x.key, added: x.from === undefined, removed: x.to === undefined, html: wordDiffHtml(x.parts) })),
  })).filter((g) => g.changes.length);
  return {
    same: c.same,
    initial: c.initial ? { from: name(c.initial.from), to: name(c.initial.to) } : undefined,
    stepsAdded: c.steps.added.map(name),
    stepsRemoved: c.steps.removed.map(name),
    stepsChanged: c.steps.changed.map((s) => ({
      ...name(s.step),
      kind: s.kind,
      outcome: s.outcome ? { from: s.outcome.from ?? '–', to: s.outcome.to ?? '–' } : undefined,
      check: s.check ? { from: JSON.stringify(s.check.from ?? null), to: JSON.stringify(s.check.to ?? null) } : undefined,
    })),
    stepsReordered: c.steps.reordered,
    optionsAdded: c.options.added.map((o) => ({ step: name(o.step), event: o.event, target: o.target })),
    optionsRemoved: c.options.removed.map((o) => ({ step: name(o.step), event: o.event, target: o.target })),
    optionsRedirected: c.options.redirected.map((o) => ({ step: name(o.step), event: o.event, from: o.from, to: o.to })),
    optionsReordered: c.options.reordered.map(name),
    factsAdded: c.facts.added,
    factsRemoved: c.facts.removed,
    factsChanged: c.facts.changed.map((f) => ({ name: f.name, from: JSON.stringify(f.from), to: JSON.stringify(f.to) })),
    texts,
  };
}
