import { OUTCOMES } from '../../flows/types.ts';
import { stepMeta, type RegisteredFlow } from '../engine/flow-registry.ts';

/** Mermaid labels are quoted strings: a quote or bracket inside would end them early. */
const label = (s: string) => s.replace(/"/g, '#quot;').replace(/[[\]{}<>]/g, ' ');

/** An option's event, or for a check's result the verdicts it branches on (`CHECK_RESULT spf=ok`). */
export function edgeLabel(event: string, guard: unknown): string {
  const g = guard as { type?: string; params?: { status?: string[] } } | undefined;
  if (!g?.type) return event;
  return `${event} ${g.type.replace(/Is$/, '')}=${(g.params?.status ?? []).join('/')}`;
}

/**
 * The flow as a Mermaid flowchart: each step a box with its title, each option an edge with its event, endings as
 * rounded boxes named by outcome. Generated from the machine, so it cannot drift from what the app runs.
 */
export function mermaidDiagram(flow: RegisteredFlow, title: (state: string) => string): string {
  const lines = ['flowchart TD'];
  for (const [id, node] of Object.entries(flow.machine.states)) {
    const meta = stepMeta(flow, id)!;
    const text = label(title(id));
    lines.push(node.type === 'final' ? `  ${id}(["${text}<br/>(${meta.outcome})"])` : `  ${id}["${text}"]`);
  }
  for (const [id, node] of Object.entries(flow.machine.states))
    for (const [event, transitions] of node.transitions)
      for (const t of transitions) for (const to of t.target ?? []) lines.push(`  ${id} -->|${edgeLabel(event, t.guard)}| ${to.key}`);
  for (const outcome of OUTCOMES) {
    const ids = Object.entries(flow.machine.states)
      .filter(([id]) => stepMeta(flow, id)?.outcome === outcome)
      .map(([id]) => id);
    if (ids.length) lines.push(`  class ${ids.join(',')} ${outcome}`);
  }
  lines.push(
    '  classDef resolved fill:#d9f2e1,stroke:#1d6b36',
    '  classDef workaround fill:#fbe8cf,stroke:#8a4b00',
    '  classDef escalated fill:#f8d8d5,stroke:#a1261c',
    '  classDef informational fill:#e6e9ee,stroke:#4a5360',
  );
  return lines.join('\n');
}
