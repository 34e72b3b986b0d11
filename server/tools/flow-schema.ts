/**
 * Writes flows/schema.json, the JSON Schema of a guide document, from the zod schema every document is validated
 * with (server/content/document.ts), so an editor can check a flow.json as it is written. `npm run flow-schema`;
 * a test fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { flowDocumentSchema } from '../content/document.ts';
import { FLOWS_DIR } from '../content/builtin.ts';

const file = join(FLOWS_DIR, 'schema.json');
writeFileSync(file, `${JSON.stringify(z.toJSONSchema(flowDocumentSchema), null, 2)}\n`);
console.log(`wrote ${file}`);
