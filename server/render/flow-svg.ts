import type { Outcome } from '../../flows/types.ts';
import { stepMeta, type RegisteredFlow } from '../engine/flow-registry.ts';
import { escapeHtml } from './markdown.ts';

const BOX_W = 190;
const BOX_H = 58;
const GAP_X = 24;
const GAP_Y = 64;
const MARGIN = 16;
const OUTCOME_FILL: Record<Outcome, string> = { resolved: '#d9f2e1', workaround: '#fbe8cf', escalated: '#f8d8d5', informational: '#e6e9ee' };

/** Up to two lines of about 26 characters, cut on word boundaries. */
function wrap(text: string, width = 26): string[] {
  const lines: string[] = [''];
  for (const word of text.split(/\s+/)) {
    const last = lines.length - 1;
    if ((lines[last] + ' ' + word).trim().length <= width) lines[last] = (lines[last] + ' ' + word).trim();
    else if (lines.length < 2) lines.push(word);
    else {
      lines[last] = `${lines[last]!.slice(0, width - 1)}…`;
      break;
    }
  }
  return lines;
}

/**
 * The flow drawn as a server-rendered SVG, in rows by distance from the first step: boxes for steps, rounded boxes
 * coloured by outcome for endings, arrows for options (hover shows the option). No script, no external library.
 */
/** Counts drawn on the diagram: per step, sessions that reached it and left there; per arrow, sessions that took it. */
export interface DiagramCounts {
  steps: Record<string, { reached: number; abandoned: number }>;
  edges: Map<string, number>;
  /** Labels for the counts, in the reader's language. */
  reachedLabel: (n: number) => string;
  abandonedLabel: (n: number) => string;
}

export const edgeKey = (from: string, event: string, to: string) => `${from} ${event} ${to}`;

export function flowSvg(
  flow: RegisteredFlow,
  title: (state: string) => string,
  label: (state: string, event: string) => string,
  counts?: DiagramCounts,
): string {
  const states = flow.machine.states;
  const depth = new Map<string, number>([[flow.initial, 0]]);
  const queue = [flow.initial];
  const edges: { from: string; to: string; event: string }[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    for (const [event, transitions] of states[id]!.transitions)
      for (const t of transitions)
        for (const to of t.target ?? []) {
          edges.push({ from: id, to: to.key, event });
          if (!depth.has(to.key)) {
            depth.set(to.key, depth.get(id)! + 1);
            queue.push(to.key);
          }
        }
  }
  const rows: string[][] = [];
  for (const [id, d] of depth) (rows[d] ??= []).push(id);
  const pos = new Map<string, { x: number; y: number }>();
  const widest = Math.max(...rows.map((r) => r.length));
  const width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X;
  rows.forEach((row, d) => {
    const rowWidth = row.length * BOX_W + (row.length - 1) * GAP_X;
    const left = (width - rowWidth) / 2;
    row.forEach((id, i) => pos.set(id, { x: left + i * (BOX_W + GAP_X), y: MARGIN + d * (BOX_H + GAP_Y) }));
  });
  const height = MARGIN * 2 + rows.length * BOX_H + (rows.length - 1) * GAP_Y;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="flow-svg-title" class="flow-diagram">`,
    `<title id="flow-svg-title">${escapeHtml(title('__flow__'))}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#4a5360"/></marker></defs>',
  ];
  for (const e of edges) {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const x1 = a.x + BOX_W / 2;
    const y1 = a.y + BOX_H;
    const x2 = b.x + BOX_W / 2;
    const y2 = b.y;
    // Downward arrows are straight-ish curves; arrows to an earlier or the same row loop round the side.
    const d =
      y2 > y1
        ? `M${x1} ${y1} C${x1} ${y1 + GAP_Y / 2} ${x2} ${y2 - GAP_Y / 2} ${x2} ${y2}`
        : `M${a.x + BOX_W} ${a.y + BOX_H / 2} C${a.x + BOX_W + 60} ${a.y} ${b.x + BOX_W + 60} ${b.y + BOX_H} ${b.x + BOX_W} ${b.y + BOX_H / 2}`;
    const taken = counts?.edges.get(edgeKey(e.from, e.event, e.to));
    // Arrows thicken with use, so the well-trodden paths stand out.
    const width = taken === undefined ? 1.4 : Math.min(1 + Math.log2(1 + taken) * 1.2, 9);
    const tip = `${label(e.from, e.event)}${taken === undefined ? '' : `: ${taken}`}`;
    out.push(
      `<path d="${d}" fill="none" stroke="#4a5360" stroke-width="${width.toFixed(1)}" marker-end="url(#arrow)" data-from="${e.from}" data-to="${e.to}" data-event="${e.event}"${taken === undefined ? '' : ` data-count="${taken}"`}><title>${escapeHtml(tip)}</title></path>`,
    );
    if (taken) {
      const mx = (x1 + x2) / 2 + (y2 > y1 ? 0 : BOX_W / 2 + 40);
      const my = y2 > y1 ? (y1 + y2) / 2 : (a.y + b.y + BOX_H) / 2;
      out.push(
        `<text class="edge-count" x="${mx}" y="${my + 4}" text-anchor="middle" font-size="12" font-family="system-ui, sans-serif" fill="#0b57a4" stroke="#fff" stroke-width="3" paint-order="stroke" data-from="${e.from}" data-to="${e.to}" data-event="${e.event}">${taken}</text>`,
      );
    }
  }
  for (const [id, p] of pos) {
    const meta = stepMeta(flow, id)!;
    const fill = (meta.outcome && OUTCOME_FILL[meta.outcome]) ?? '#ffffff';
    const stat = counts?.steps[id] ?? (counts ? { reached: 0, abandoned: 0 } : undefined);
    const lines = [...wrap(title(id))];
    const statLine = stat ? `${counts!.reachedLabel(stat.reached)}${stat.abandoned ? ` · ${counts!.abandonedLabel(stat.abandoned)}` : ''}` : undefined;
    const all = statLine ? [...lines, statLine] : lines;
    out.push(
      `<g class="node" data-state="${id}"${stat ? ` data-reached="${stat.reached}" data-abandoned="${stat.abandoned}"` : ''}><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="${meta.outcome ? 20 : 6}" fill="${fill}" stroke="#4a5360"/>`,
      ...all.map(
        (line, i) =>
          `<text x="${p.x + BOX_W / 2}" y="${p.y + BOX_H / 2 + (i - (all.length - 1) / 2) * 15 + 5}" text-anchor="middle" font-size="${i === lines.length ? 12 : 13}" font-family="system-ui, sans-serif" fill="${i === lines.length ? '#0b57a4' : '#1b1f24'}"${i === lines.length ? ' class="step-count"' : ''}>${escapeHtml(line)}</text>`,
      ),
      '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
