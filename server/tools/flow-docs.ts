/**
 * Writes each guide's generated diagram into the README beside its document (between the diagram markers), so the
 * README shows what the app runs. `npm run flow-docs` does the built-in guides (flows/<id>/README.md);
 * `npm run flow-docs -- path/to/flow.json …` the guides of those documents. A test fails when a README is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { builtinDocumentPath, readDocumentFile } from '../content/builtin.ts';
import { compileDocument } from '../content/compile.ts';
import { createI18n } from '../i18n/i18n.ts';
import { StepRenderer } from '../render/step.ts';
import { readmeWithDiagram } from './readme-diagram.ts';

const files = process.argv.length > 2 ? process.argv.slice(2) : BUILTIN_FLOW_IDS.map(builtinDocumentPath);
const renderer = new StepRenderer(createI18n());
for (const file of files) {
  const flow = compileDocument(readDocumentFile(file));
  const path = join(dirname(file), 'README.md');
  const before = existsSync(path) ? readFileSync(path, 'utf8') : `# ${flow.id}\n\nEncodes \`${flow.source}\`.\n`;
  const after = readmeWithDiagram(before, flow, renderer);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated ${relative(process.cwd(), path)}`);
  }
}
