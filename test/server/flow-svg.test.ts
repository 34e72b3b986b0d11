import { describe, expect, it, vi } from 'vitest';
import type { FlowDocument, StepTexts } from '../../server/content/document.ts';
import { documentSvg, edgeKey, flowSvg, type DiagramOptions } from '../../server/render/flow-svg.ts';
import type { StepMark } from '../../server/render/step-marks.ts';
import { builtinFlow, everyDocument } from '../fixtures/documents.ts';

/*
 * The guide diagram drawn from a document: every step once, boxes apart, arrows from box to box, broken drafts
 * drawn rather than refused, steps as links, problems marked, text escaped, and the same text for the same input.
 */

const english = (doc: FlowDocument) => (step: string) => (doc.texts.en as Record<string, unknown>)[step] as StepTexts | undefined;

function optionsFor(doc: FlowDocument, more: Partial<DiagramOptions> = {}): DiagramOptions {
  const texts = english(doc);
  return {
    flowTitle: doc.texts.en.title,
    title: (s) => texts(s)?.title ?? '',
    label: (s, e) => texts(s)?.options?.[e] ?? '',
    ...more,
  };
}

interface Rect {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Each step's box and each missing step's box, read back from the SVG text. */
function boxes(svg: string, kind: 'node' | 'missing-step' = 'node'): Rect[] {
  const attribute = kind === 'node' ? 'data-state' : 'data-missing';
  const re = new RegExp(`<g class="${kind}" ${attribute}="([^"]+)"[^>]*>\\s*<title>[^<]*</title>\\s*<rect x="([-\\d.]+)" y="([-\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`, 'g');
  return [...svg.matchAll(re)].map((m) => ({ id: m[1]!, x: Number(m[2]), y: Number(m[3]), width: Number(m[4]), height: Number(m[5]) }));
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The arrows: where each starts and ends, read from its path. */
function arrows(svg: string) {
  return [...svg.matchAll(/<path d="M([-\d.]+) ([-\d.]+) [^"]*?([-\d.]+) ([-\d.]+)" [^>]*data-from="([^"]+)" data-to="([^"]+)" data-event="([^"]+)"/g)].map((m) => ({
    start: { x: Number(m[1]), y: Number(m[2]) },
    end: { x: Number(m[3]), y: Number(m[4]) },
    from: m[5]!,
    to: m[6]!,
    event: m[7]!,
  }));
}

/** Whether a point lies on a box's outline (dagre ends each route where it meets the box). */
const onOutline = (p: { x: number; y: number }, r: Rect, slack = 1.5) =>
  p.x >= r.x - slack &&
  p.x <= r.x + r.width + slack &&
  p.y >= r.y - slack &&
  p.y <= r.y + r.height + slack &&
  Math.min(Math.abs(p.x - r.x), Math.abs(p.x - r.x - r.width), Math.abs(p.y - r.y), Math.abs(p.y - r.y - r.height)) <= slack;

/** A document's options as arrows: one per step, event and target. */
function optionsOf(doc: FlowDocument): string[] {
  const all = Object.entries(doc.machine.states).flatMap(([from, s]) =>
    Object.entries(s.on ?? {}).flatMap(([event, to]) => (typeof to === 'string' ? [to] : to.map((r) => r.target)).map((t) => edgeKey(from, event, t))),
  );
  return [...new Set(all)].sort();
}

/** A built-in guide broken as a draft can be: a step nothing leads to, whose option names no step, and an arrow to a step that does not exist. */
function brokenDraft(): FlowDocument {
  const doc = structuredClone(everyDocument().find((d) => d.id === 'participant-no-email')!);
  doc.machine.states.orphanStep = { meta: { kind: 'question' }, on: { GO_ON: 'nowhereStep' } };
  (doc.machine.states[doc.machine.initial]!.on as Record<string, string>).EXTRA = 'ghostStep';
  return doc;
}

describe('documentSvg', () => {
  it.each(everyDocument().map((d) => [d.id, d] as const))('%s: every step once, boxes apart, arrows from box to box', (_, doc) => {
    const svg = documentSvg(doc, optionsFor(doc));
    const nodes = boxes(svg);
    expect(nodes.map((n) => n.id).sort()).toEqual(Object.keys(doc.machine.states).sort());
    expect(svg.match(/<g class="node" /g)).toHaveLength(nodes.length);
    expect(boxes(svg, 'missing-step')).toEqual([]);
    for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) expect(overlap(a, b), `${a.id} and ${b.id} overlap`).toBe(false);
    const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number);
    for (const n of nodes) expect(n.x >= 0 && n.y >= 0 && n.x + n.width <= width! && n.y + n.height <= height!, `${n.id} inside the frame`).toBe(true);

    const drawn = arrows(svg);
    expect(drawn.map((a) => edgeKey(a.from, a.event, a.to)).sort()).toEqual(optionsOf(doc));
    const box = new Map(nodes.map((n) => [n.id, n]));
    for (const a of drawn) {
      expect(onOutline(a.start, box.get(a.from)!), `${a.from} ${a.event} starts at its box`).toBe(true);
      expect(onOutline(a.end, box.get(a.to)!), `${a.from} ${a.event} ends at ${a.to}'s box`).toBe(true);
    }
  });

  it('gives the same text for the same document, laid out afresh or from the cache', async () => {
    const doc = everyDocument().find((d) => d.id === 'notification-sender-setup')!;
    const first = documentSvg(doc, optionsFor(doc));
    expect(documentSvg(structuredClone(doc), optionsFor(doc))).toBe(first);
    vi.resetModules();
    const fresh = await import('../../server/render/flow-svg.ts');
    expect(fresh.documentSvg(doc, optionsFor(doc))).toBe(first);
  });

  it('draws a broken draft whole: the step nothing leads to, and a dashed box for each target that names no step', () => {
    const doc = brokenDraft();
    const svg = documentSvg(doc, optionsFor(doc));
    const nodes = boxes(svg);
    expect(nodes.map((n) => n.id)).toContain('orphanStep');
    const missing = boxes(svg, 'missing-step');
    expect(missing.map((m) => m.id).sort()).toEqual(['ghostStep', 'nowhereStep']);
    expect(svg).toMatch(/<g class="missing-step" data-missing="ghostStep"><title>ghostStep<\/title>\s*<rect [^>]*stroke-dasharray="4 3"\/>\s*<text [^>]*>ghostStep<\/text>/);
    const all = [...nodes, ...missing];
    for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) expect(overlap(a, b), `${a.id} and ${b.id} overlap`).toBe(false);
    const ghost = arrows(svg).find((a) => a.to === 'ghostStep')!;
    expect(ghost).toMatchObject({ from: doc.machine.initial, event: 'EXTRA' });
    expect(onOutline(ghost.end, missing.find((m) => m.id === 'ghostStep')!)).toBe(true);
  });

  it('shows the id, in italics, where a step has no title yet', () => {
    const doc = brokenDraft();
    const svg = documentSvg(doc, optionsFor(doc));
    expect(svg).toMatch(/<g class="node" data-state="orphanStep">\s*<title>orphanStep<\/title>\s*<rect [^>]*\/>\s*<text [^>]*font-style="italic"[^>]*>orphanStep<\/text>/);
    expect(svg).not.toMatch(/<text [^>]*><\/text>/);
  });

  it('with href, makes each step a link named by its title, and marks the selected one', () => {
    const doc = everyDocument()[0]!;
    const selected = Object.keys(doc.machine.states)[2]!;
    const svg = documentSvg(doc, optionsFor(doc, { href: (s) => `/studio/${doc.id}/steps/${s}?a=1&b=2`, selected }));
    // Links are reached by Tab; without them the picture itself is the tab stop that scrolls a wide diagram.
    expect(svg).toMatch(/^<svg [^>]*role="group" aria-labelledby/);
    const links = [...svg.matchAll(/<a href="([^"]+)" aria-label="([^"]*)"( aria-current="true")?>\s*<g class="node" data-state="([^"]+)"/g)];
    expect(links.map((m) => m[4]).sort()).toEqual(Object.keys(doc.machine.states).sort());
    for (const [, href, name, current, step] of links) {
      expect(href).toBe(`/studio/${doc.id}/steps/${step}?a=1&amp;b=2`);
      expect(name).toBe(english(doc)(step!)!.title.replaceAll('&', '&amp;').replaceAll("'", '&#39;').replaceAll('"', '&quot;'));
      expect(Boolean(current)).toBe(step === selected);
    }
    const outline = (step: string) => new RegExp(`data-state="${step}">\\s*<title>[^<]*</title>\\s*<rect [^>]*stroke-width="([\\d.]+)"`).exec(svg)![1];
    expect(Number(outline(selected))).toBeGreaterThan(Number(outline(doc.machine.initial)));
    expect(documentSvg(doc, optionsFor(doc))).not.toContain('<a ');
    expect(documentSvg(doc, optionsFor(doc))).toMatch(/^<svg [^>]*role="img" tabindex="0"/);
  });

  it('marks a step with problems: coloured outline, a badge, and the messages in its tooltip and link name', () => {
    const doc = brokenDraft();
    const problems = new Map<string, StepMark[]>([
      ['orphanStep', [{ kind: 'unreachable', message: 'no path from the first step leads here' }, { kind: 'deadEnd', message: 'no ending can be reached from here' }]],
      [doc.machine.initial, [{ kind: 'missingText', message: 'missing or empty texts in de' }]],
    ]);
    const svg = documentSvg(doc, optionsFor(doc, { problems, href: (s) => `/s/${s}` }));
    const node = (step: string) => new RegExp(`<a [^>]*>\\s*<g class="node" data-state="${step}"[\\s\\S]*?</g>\\s*</a>`).exec(svg)![0];
    const orphan = node('orphanStep');
    expect(orphan).toContain('aria-label="orphanStep (no path from the first step leads here; no ending can be reached from here)"');
    expect(orphan).toContain('data-marks="unreachable deadEnd"');
    expect(orphan).toContain('<title>orphanStep\nno path from the first step leads here\nno ending can be reached from here</title>');
    expect(orphan).toMatch(/<rect [^>]*stroke="#b3261e" stroke-width="2"/);
    expect(orphan).toMatch(/<circle class="mark" [^>]*fill="#b3261e"\/>/);
    // Waiting for a translation is amber, not the red of a broken step.
    const first = node(doc.machine.initial);
    expect(first).toMatch(/<rect [^>]*stroke="#8a5300"/);
    expect(first).toContain('missing or empty texts in de</title>');
    const unmarked = node(Object.keys(doc.machine.states)[1]!);
    expect(unmarked).not.toContain('class="mark"');
    expect(unmarked).not.toContain('data-marks');
  });

  it('escapes every text it is given', () => {
    const doc = brokenDraft();
    const evil = '<script>alert("x")</script> & more';
    const svg = documentSvg(doc, { flowTitle: evil, title: () => evil, label: () => evil, href: () => `/s?q=${evil}`, problems: new Map([['orphanStep', [{ kind: 'problem', message: evil }]]]) });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('"x")');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
  });
});

describe('flowSvg', () => {
  it('draws a compiled guide from its document, with counts on steps and arrows', () => {
    const flow = builtinFlow('participant-no-email');
    const title = (s: string) => (s === '__flow__' ? 'The guide' : (english(flow.document)(s)?.title ?? ''));
    const label = (s: string, e: string) => english(flow.document)(s)?.options?.[e] ?? '';
    expect(flowSvg(flow, title, label)).toBe(documentSvg(flow.document, { flowTitle: 'The guide', title, label }));

    const svg = flowSvg(flow, title, label, {
      steps: { howLongAgo: { reached: 7, abandoned: 1 } },
      edges: new Map([[edgeKey('howLongAgo', 'OVER_A_MINUTE', 'checkSpam'), 5]]),
      reachedLabel: (n) => `${n} reached`,
      abandonedLabel: (n) => `${n} left`,
    });
    expect(svg).toContain('<title id="flow-svg-title">The guide</title>');
    expect(svg).toMatch(/<g class="node" data-state="howLongAgo" data-reached="7" data-abandoned="1">[\s\S]*?<text [^>]*class="step-count">7 reached · 1 left<\/text>/);
    expect(svg).toContain('data-state="checkSpam" data-reached="0" data-abandoned="0"');
    expect(svg).toMatch(/<path [^>]*data-from="howLongAgo" data-to="checkSpam" data-event="OVER_A_MINUTE" data-count="5"><title>[^<]*: 5<\/title><\/path>/);
    expect(svg).toMatch(/<text class="edge-count" [^>]*data-from="howLongAgo" data-to="checkSpam" data-event="OVER_A_MINUTE">5<\/text>/);
    expect(svg.match(/class="edge-count"/g)).toHaveLength(1);
  });
});
