import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mermaidDiagram } from '../../server/render/diagram.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { readmeWithDiagram } from '../../server/tools/readme-diagram.ts';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { compileLinked, everyDocument } from '../fixtures/documents.ts';
import { stateMeta } from '../support/walk.ts';
import { CHECK, CHECK_RESULT } from '../../flows/types.ts';

const renderer = new StepRenderer(createI18n());

/** A guide's README sits beside its document: flows/<id>/ for a built-in guide, test/fixtures/<id>/ for the others. */
const readmeOf = (id: string) =>
  new URL((BUILTIN_FLOW_IDS as readonly string[]).includes(id) ? `../../flows/${id}/README.md` : `../fixtures/${id}/README.md`, import.meta.url);

describe.each(everyDocument().map((d) => [d.id, compileLinked(d)] as const))('docs of %s', (id, flow) => {
  it('has a README whose diagram is the generated one (run `npm run flow-docs`)', () => {
    const readme = readFileSync(readmeOf(id), 'utf8');
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
