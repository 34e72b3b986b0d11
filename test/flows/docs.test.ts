import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mermaidDiagram } from '../../server/render/diagram.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { readmeWithDiagram } from '../../server/tools/readme-diagram.ts';
import { stateMeta } from '../support/walk.ts';
import { CHECK, CHECK_RESULT } from '../../flows/types.ts';

const flows = new FlowRegistry();
const renderer = new StepRenderer(createI18n());

describe.each(flows.list.map((f) => [f.id, f] as const))('docs of %s', (id, flow) => {
  it('has a README whose diagram is the generated one (run `npm run flow-docs`)', () => {
    const readme = readFileSync(new URL(`../../flows/${id}/README.md`, import.meta.url), 'utf8');
    expect(readme).toMatch(new RegExp(`^# ${id}\\n`));
    expect(readme).toContain(flow.source);
    expect(readmeWithDiagram(readme, flow, renderer)).toBe(readme);
  });

  it('draws every step and every option', () => {
    const diagram = mermaidDiagram(flow, (s) => `title of ${s}`);
    for (const state of Object.keys(flow.machine.states)) {
      expect(diagram).toMatch(new RegExp(`  ${state}(\\[|\\()`));
      for (const { event } of stateMeta(flow.machine, state).options ?? [])
        // A check's CHECK option reaches the machine as CHECK_RESULT, one edge per verdict it branches on.
        expect(diagram).toMatch(new RegExp(`  ${state} -->\\|${event === CHECK ? CHECK_RESULT : event}[^|]*\\| \\w+`));
    }
  });
});
