/**
 * Writes each guide's generated diagram into the README beside its document (between the diagram markers), so the
 * README shows what the app runs, and rewrites the document itself as formatDocument does (keys in reading order),
 * so a hand-edited file diffs cleanly. `npm run flow-docs` does the built-in guides (flows/<id>/);
 * `npm run flow-docs -- path/to/flow.json …` the guides of those documents. Tests fail when either is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { builtinDocumentPath, readDocumentFile } from '../content/builtin.ts';
import { compileDocument } from '../content/compile.ts';
import { formatDocument } from '../content/document.ts';
import { createI18n } from '../i18n/i18n.ts';
import { StepRenderer } from '../render/step.ts';
import { readmeWithDiagram } from './readme-diagram.ts';

const files = process.argv.length > 2 ? process.argv.slice(2) : BUILTIN_FLOW_IDS.map(builtinDocumentPath);
const renderer = new StepRenderer(createI18n());
for (const file of files) {
  const doc = readDocumentFile(file);
  if (formatDocument(doc) !== readFileSync(file, 'utf8')) {
    writeFileSync(file, formatDocument(doc));
    console.log(`formatted ${relative(process.cwd(), file)}`);
  }
  const flow = compileDocument(doc);
  const path = join(dirname(file), 'README.md');
  const before = existsSync(path) ? readFileSync(path, 'utf8') : `# ${flow.id}\n\nEncodes \`${flow.source}\`.\n`;
  const after = readmeWithDiagram(before, flow, renderer);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated ${relative(process.cwd(), path)}`);
  }
}
