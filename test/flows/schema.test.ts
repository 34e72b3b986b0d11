import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flowDocumentSchema } from '../../server/content/document.ts';

describe('the JSON Schema of a guide document', () => {
  it('is flows/schema.json, generated from the schema documents are validated with (run `npm run flow-schema`)', () => {
    const shipped = readFileSync(new URL('../../flows/schema.json', import.meta.url), 'utf8');
    expect(shipped).toBe(`${JSON.stringify(z.toJSONSchema(flowDocumentSchema), null, 2)}\n`);
  });
});
