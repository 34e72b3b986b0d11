import { createHash } from 'node:crypto';
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import type { FlowDocument } from '../content/document.ts';

/*
 * Where the diagram's boxes and arrows go, laid out by dagre from the document itself (not the compiled machine),
 * so a draft that cannot be compiled is drawn too: every step, reachable or not, and a small box for each target
 * that names no step.
 */

export const BOX_W = 190;
export const BOX_H = 58;
export const MISSING_W = 130;
export const MISSING_H = 34;
const MARGIN = 16;

export interface Point {
  x: number;
  y: number;
}
/** A box by its top-left corner. */
export interface Box extends Point {
  width: number;
  height: number;
}
/** One option of a step (or one route of a check's result) and the line dagre routed for it. */
export interface LaidEdge {
  from: string;
  event: string;
  to: string;
  points: readonly Point[];
}
export interface Layout {
  width: number;
  height: number;
  /** Every step: the first step first, then the others in the document's order. */
  steps: ReadonlyMap<string, Box>;
  /** Targets that name no step, in the order they are first met. */
  missing: ReadonlyMap<string, Box>;
  edges: readonly LaidEdge[];
}

interface Graph {
  steps: string[];
  missing: string[];
  edges: { from: string; event: string; to: string }[];
}

/** The steps and arrows of a document: one arrow per option and target, however many routes repeat it. */
function graphOf(doc: FlowDocument): Graph {
  const { states, initial } = doc.machine;
  // The first step goes in first: dagre breaks cycles from the nodes in order, so loops point back up to it.
  const steps = states[initial] ? [initial, ...Object.keys(states).filter((s) => s !== initial)] : Object.keys(states);
  const missing: string[] = [];
  const seen = new Set<string>();
  const edges: Graph['edges'] = [];
  for (const [from, state] of Object.entries(states))
    for (const [event, to] of Object.entries(state.on ?? {}))
      for (const target of typeof to === 'string' ? [to] : to.map((r) => r.target)) {
        const key = JSON.stringify([from, event, target]);
        if (seen.has(key)) continue;
        seen.add(key);
        edges.push({ from, event, to: target });
        if (!states[target] && !missing.includes(target)) missing.push(target);
      }
  return { steps, missing, edges };
}

/** Missing targets live beside steps in dagre's one namespace; a step id never starts with "?". */
const missingNode = (id: string) => `?${id}`;
const round = (n: number) => Math.round(n * 10) / 10;

function layoutGraph({ steps, missing, edges }: Graph): Layout {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, edgesep: 14, ranksep: 56, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of steps) g.setNode(id, { width: BOX_W, height: BOX_H });
  for (const id of missing) g.setNode(missingNode(id), { width: MISSING_W, height: MISSING_H });
  const nodeOf = (id: string) => (missing.includes(id) ? missingNode(id) : id);
  // Edges carry no label box: the option shows as the arrow's tooltip, so ranks stay close together.
  edges.forEach((e, i) => g.setEdge(e.from, nodeOf(e.to), {}, String(i)));
  dagre.layout(g);

  // dagre centres nodes on x/y; self-loops and long arrows may stray past the boxes, so the frame takes both.
  const centred = (id: string): Box => {
    const n = g.node(id);
    return { x: n.x! - n.width / 2, y: n.y! - n.height / 2, width: n.width, height: n.height };
  };
  const boxes = [...steps, ...missing.map(missingNode)].map(centred);
  const lines: Point[][] = edges.map((e, i) => g.edge(e.from, nodeOf(e.to), String(i)).points ?? []);
  const xs = [...boxes.flatMap((b) => [b.x, b.x + b.width]), ...lines.flat().map((p) => p.x)];
  const ys = [...boxes.flatMap((b) => [b.y, b.y + b.height]), ...lines.flat().map((p) => p.y)];
  const dx = MARGIN - Math.min(...xs);
  const dy = MARGIN - Math.min(...ys);
  const move = (b: Box): Box => ({ x: round(b.x + dx), y: round(b.y + dy), width: b.width, height: b.height });
  return {
    width: Math.ceil(Math.max(...xs) + dx + MARGIN),
    height: Math.ceil(Math.max(...ys) + dy + MARGIN),
    steps: new Map(steps.map((id) => [id, move(centred(id))])),
    missing: new Map(missing.map((id) => [id, move(centred(missingNode(id)))])),
    edges: edges.map((e, i) => ({ ...e, points: lines[i]!.map((p) => ({ x: round(p.x + dx), y: round(p.y + dy) })) })),
  };
}

/*
 * dagre takes 8 to 25 ms for a built-in guide of 12 to 32 steps, and the analytics page draws its guide on every
 * request: layouts are kept by the shape of the graph (texts and counts do not move a box), the most recent few.
 */
const CACHE_SIZE = 64;
const cache = new Map<string, Layout>();

/** The layout of a document's steps and arrows; the same graph always gets the same layout. */
export function layoutDocument(doc: FlowDocument): Layout {
  if (Object.keys(doc.machine.states).length === 0) return { width: MARGIN * 2, height: MARGIN * 2, steps: new Map(), missing: new Map(), edges: [] };
  const graph = graphOf(doc);
  const key = createHash('sha256').update(JSON.stringify(graph)).digest('base64url');
  const known = cache.get(key);
  if (known) {
    // Most recently used last, so the oldest is the one let go.
    cache.delete(key);
    cache.set(key, known);
    return known;
  }
  const layout = layoutGraph(graph);
  cache.set(key, layout);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return layout;
}
