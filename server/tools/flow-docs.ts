/**
 * Writes each flow's generated diagram into its README (between the diagram markers), so the README shows what the
 * app runs. `npm run flow-docs`; a test fails when a README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { FlowRegistry } from '../engine/flow-registry.ts';
import { createI18n } from '../i18n/i18n.ts';
import { StepRenderer } from '../render/step.ts';
import { readmeWithDiagram } from './readme-diagram.ts';

const flows = new FlowRegistry();
const renderer = new StepRenderer(createI18n());
for (const flow of flows.list) {
  const path = new URL(`../../flows/${flow.id}/README.md`, import.meta.url);
  const before = readFileSync(path, 'utf8');
  const after = readmeWithDiagram(before, flow, renderer);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated flows/${flow.id}/README.md`);
  }
}
