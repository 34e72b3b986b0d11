import type { Outcome } from '../../flows/types.ts';
import type { FlowDocument } from '../content/document.ts';
import type { RegisteredFlow } from '../engine/flow-registry.ts';
import { layoutDocument, type Box, type Point } from './flow-layout.ts';
import { escapeHtml } from './markdown.ts';
import type { StepMark } from './step-marks.ts';

export type { StepMark } from './step-marks.ts';

const OUTCOME_FILL: Record<Outcome, string> = { resolved: '#d9f2e1', workaround: '#fbe8cf', escalated: '#f8d8d5', informational: '#e6e9ee' };
const INK = '#1b1f24';
const LINE = '#4a5360';
const COUNT = '#0b57a4';
/** A step that breaks the guide (cannot be reached, leads nowhere, is wrong) is red; one only waiting for texts, amber. */
const BROKEN = '#b3261e';
const UNTRANSLATED = '#8a5300';
const FONT = 'font-family="system-ui, sans-serif"';

/** Counts drawn on the diagram: per step, sessions that reached it and left there; per arrow, sessions that took it. */
export interface DiagramCounts {
  steps: Record<string, { reached: number; abandoned: number }>;
  edges: Map<string, number>;
  /** Labels for the counts, in the reader's language. */
  reachedLabel: (n: number) => string;
  abandonedLabel: (n: number) => string;
}

export interface DiagramOptions {
  /** The diagram's accessible name. */
  flowTitle: string;
  /** A step's title in the reader's language; empty where the draft has none yet. */
  title(step: string): string;
  /** An option's label, shown when hovering its arrow. */
  label(step: string, event: string): string;
  counts?: DiagramCounts;
  /** With it, each step is a link (the studio's way to open a step), so the diagram can be walked by keyboard. */
  href?(step: string): string;
  /** What is wrong with each step, drawn as a coloured outline and a badge, and said in its tooltip. */
  problems?: ReadonlyMap<string, readonly StepMark[]>;
  /** The step being looked at. */
  selected?: string;
}

export const edgeKey = (from: string, event: string, to: string) => `${from} ${event} ${to}`;

/** Up to two lines of about `width` characters, cut on word boundaries. */
function wrap(text: string, width = 26): string[] {
  const lines: string[] = [''];
  for (const word of text.split(/\s+/)) {
    const last = lines.length - 1;
    if ((lines[last] + ' ' + word).trim().length <= width) lines[last] = (lines[last] + ' ' + word).trim();
    else if (lines.length < 2) lines.push(word);
    else {
      // Cut after a whole word: a title read out in full must still contain what the box shows.
      lines[last] = `${lines[last]}…`;
      break;
    }
  }
  return lines.map((line) => (line.length > width + 1 ? `${line.slice(0, width - 1)}…` : line));
}

const at = (p: Point) => `${p.x} ${p.y}`;

/** dagre's route as one smooth line: straight through its ends (so the arrowhead points along it), rounded at its bends. */
function pathOf(points: readonly Point[]): string {
  if (points.length < 3) return points.map((p, i) => `${i ? 'L' : 'M'}${at(p)}`).join(' ');
  const mid = (a: Point, b: Point) => ({ x: Math.round((a.x + b.x) * 5) / 10, y: Math.round((a.y + b.y) * 5) / 10 });
  const parts = [`M${at(points[0]!)}`];
  for (let i = 1; i < points.length - 1; i++) parts.push(`Q${at(points[i]!)} ${at(mid(points[i]!, points[i + 1]!))}`);
  parts.push(`L${at(points.at(-1)!)}`);
  return parts.join(' ');
}

/** The point halfway along a route, where its count is written. */
function halfway(points: readonly Point[]): Point {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p.x - points[i]!.x, p.y - points[i]!.y));
  let rest = lengths.reduce((a, b) => a + b, 0) / 2;
  for (const [i, length] of lengths.entries()) {
    if (rest <= length && length > 0) {
      const a = points[i]!;
      const b = points[i + 1]!;
      return { x: Math.round((a.x + ((b.x - a.x) * rest) / length) * 10) / 10, y: Math.round((a.y + ((b.y - a.y) * rest) / length) * 10) / 10 };
    }
    rest -= length;
  }
  return points[0] ?? { x: 0, y: 0 };
}

function edgeSvg(from: string, event: string, to: string, points: readonly Point[], dangling: boolean, { label, counts }: DiagramOptions): string[] {
  const taken = counts?.edges.get(edgeKey(from, event, to));
  // Arrows thicken with use, so the well-trodden paths stand out.
  const width = taken === undefined ? 1.4 : Math.min(1 + Math.log2(1 + taken) * 1.2, 9);
  const tip = `${label(from, event) || event}${taken === undefined ? '' : `: ${taken}`}`;
  const ids = `data-from="${escapeHtml(from)}" data-to="${escapeHtml(to)}" data-event="${escapeHtml(event)}"`;
  const out = [
    `<path d="${pathOf(points)}" fill="none" stroke="${LINE}" stroke-width="${width.toFixed(1)}"${dangling ? ' stroke-dasharray="5 3"' : ''} marker-end="url(#arrow)" ${ids}${taken === undefined ? '' : ` data-count="${taken}"`}><title>${escapeHtml(tip)}</title></path>`,
  ];
  if (taken) {
    const m = halfway(points);
    out.push(
      `<text class="edge-count" x="${m.x}" y="${m.y + 4}" text-anchor="middle" font-size="12" ${FONT} fill="${COUNT}" stroke="#fff" stroke-width="3" paint-order="stroke" ${ids}>${taken}</text>`,
    );
  }
  return out;
}

function stepSvg(doc: FlowDocument, id: string, box: Box, options: DiagramOptions): string[] {
  const { counts, problems, selected, href } = options;
  const meta = doc.machine.states[id]!.meta;
  const fill = (meta.outcome && OUTCOME_FILL[meta.outcome]) ?? '#ffffff';
  const stat = counts?.steps[id] ?? (counts ? { reached: 0, abandoned: 0 } : undefined);
  const title = options.title(id).trim();
  // A step without a title yet (a draft) shows its id, set apart, so no box is ever blank.
  const lines = wrap(title || id);
  const statLine = stat ? `${counts!.reachedLabel(stat.reached)}${stat.abandoned ? ` · ${counts!.abandonedLabel(stat.abandoned)}` : ''}` : undefined;
  const all = statLine ? [...lines, statLine] : lines;
  const marks = problems?.get(id) ?? [];
  const markColour = marks.length === 0 ? undefined : marks.every((m) => m.kind === 'missingText') ? UNTRANSLATED : BROKEN;
  const isSelected = selected === id;
  const strokeWidth = isSelected ? 3.5 : markColour ? 2 : 1;
  const name = [title || id, ...marks.map((m) => m.message)].join('\n');
  const current = isSelected ? ' aria-current="true"' : '';
  const rx = meta.outcome ? 20 : 6;
  const out = [
    `<g class="node" data-state="${escapeHtml(id)}"${stat ? ` data-reached="${stat.reached}" data-abandoned="${stat.abandoned}"` : ''}${marks.length ? ` data-marks="${[...new Set(marks.map((m) => m.kind))].join(' ')}"` : ''}${href ? '' : current}>`,
    `<title>${escapeHtml(name)}</title>`,
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="${rx}" fill="${fill}" stroke="${markColour ?? LINE}" stroke-width="${strokeWidth}"/>`,
    ...all.map((line, i) => {
      const isStat = i === lines.length;
      const y = Math.round((box.y + box.height / 2 + (i - (all.length - 1) / 2) * 15 + 5) * 10) / 10;
      const untitled = !isStat && !title ? ' font-style="italic"' : '';
      // Each line but the last ends in a space: read one after another (a link's name is checked against them) they
      // are the title's words, not words run together. The space takes no room.
      return `<text x="${box.x + box.width / 2}" y="${y}" text-anchor="middle" font-size="${isStat ? 12 : 13}" ${FONT} fill="${isStat ? COUNT : title ? INK : '#5f6b7a'}"${untitled}${isStat ? ' class="step-count"' : ''}>${escapeHtml(line)}${i < all.length - 1 ? ' ' : ''}</text>`;
    }),
  ];
  if (markColour)
    out.push(
      `<circle class="mark" cx="${box.x + box.width - 2}" cy="${box.y + 2}" r="9" fill="${markColour}"/>`,
      `<text x="${box.x + box.width - 2}" y="${box.y + 6.5}" text-anchor="middle" font-size="13" font-weight="bold" ${FONT} fill="#fff" aria-hidden="true">!</text>`,
    );
  out.push('</g>');
  if (!href) return out;
  const linkName = marks.length ? `${title || id} (${marks.map((m) => m.message).join('; ')})` : title || id;
  return [`<a href="${escapeHtml(href(id))}" aria-label="${escapeHtml(linkName)}"${current}>`, ...out, '</a>'];
}

function missingSvg(id: string, box: Box): string[] {
  const shown = id.length > 18 ? `${id.slice(0, 17)}…` : id;
  return [
    `<g class="missing-step" data-missing="${escapeHtml(id)}"><title>${escapeHtml(id)}</title>`,
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="4" fill="#fff" stroke="${BROKEN}" stroke-dasharray="4 3"/>`,
    `<text x="${box.x + box.width / 2}" y="${box.y + box.height / 2 + 4}" text-anchor="middle" font-size="12" ${FONT} fill="${BROKEN}">${escapeHtml(shown)}</text>`,
    '</g>',
  ];
}

/**
 * A guide drawn from its document as a server-rendered SVG laid out by dagre: boxes for steps, rounded boxes
 * coloured by outcome for endings, arrows for options (hovering one shows the option). Every step is drawn,
 * reachable or not, and a target that names no step gets a dashed box, so a broken draft can be looked at. No
 * script; the same document and options always give the same text.
 */
export function documentSvg(doc: FlowDocument, options: DiagramOptions): string {
  const layout = layoutDocument(doc);
  // role="img" makes what is inside presentational, which would hide the links; with links the diagram is a group.
  // Without links it is a tab stop of its own: a guide wider than the page scrolls, and keys scroll what has focus.
  const role = options.href ? 'role="group"' : 'role="img" tabindex="0"';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" ${role} aria-labelledby="flow-svg-title" class="flow-diagram">`,
    `<title id="flow-svg-title">${escapeHtml(options.flowTitle)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${LINE}"/></marker></defs>`,
  ];
  for (const e of layout.edges) out.push(...edgeSvg(e.from, e.event, e.to, e.points, layout.missing.has(e.to), options));
  for (const [id, box] of layout.steps) out.push(...stepSvg(doc, id, box, options));
  for (const [id, box] of layout.missing) out.push(...missingSvg(id, box));
  out.push('</svg>');
  return out.join('\n');
}

/** A compiled guide's diagram, as analytics and the admin page draw it; `title('__flow__')` is the guide's title. */
export function flowSvg(
  flow: RegisteredFlow,
  title: (state: string) => string,
  label: (state: string, event: string) => string,
  counts?: DiagramCounts,
): string {
  return documentSvg(flow.document, { flowTitle: title('__flow__'), title, label, ...(counts ? { counts } : {}) });
}
