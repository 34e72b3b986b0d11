import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { openSqliteFile } from '../../server/store/sqlite/index.ts';
import { tempDir } from '../support/app.ts';
import { flowsInProcess, runTool } from '../support/cli.ts';

/*
 * `npm run flows -- translation export|import`: a language's texts for an agency and their work back as a draft,
 * on a real database file; the first run is a real process, so the entry point is covered too.
 */

const dir = tempDir();
const db = join(dir.dir, 'translation.db');
const file = (name: string) => join(dir.dir, name);
afterAll(() => dir.remove());
const FLOW = 'participant-no-email';

const run = (args: string[]) => runTool('flows', args, { env: { DB_PATH: db } });
const flows = (...args: string[]) => flowsInProcess(db, ...args);

function drafts(): { id: number; document: FlowDocument }[] {
  const { db: file } = openSqliteFile(db);
  const rows = file.prepare('SELECT id, document FROM drafts ORDER BY id').all() as { id: number; document: string }[];
  file.close();
  return rows.map((r) => ({ id: r.id, document: JSON.parse(r.document) as FlowDocument }));
}

describe('npm run flows -- translation', () => {
  it('exports German XLIFF, and an edited file comes back as a draft with the change', { timeout: 30_000 }, async () => {
    const res = await run(['translation', 'export', 'de', '--flow', FLOW, '--out', file('pne.de.xlf')]);
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/Wrote \d+ units of participant-no-email \(en → de\)/);
    const xml = readFileSync(file('pne.de.xlf'), 'utf8');
    expect(xml).toContain('trgLang="de"');
    const title = /<unit id="participant-no-email:checkSpam.title">[\s\S]*?<target xml:space="preserve">([^<]*)<\/target>/.exec(xml)![1]!;
    writeFileSync(file('edited.xlf'), xml.replace(`>${title}</target>`, '>Im Spam-Ordner nachsehen</target>'));
    const imported = await flows('translation', 'import', 'de', file('edited.xlf'));
    expect(imported.err).not.toContain('problem');
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/Stored 1 changed text of participant-no-email \(de\) as draft \d+ \(not published\)/);
    const draft = drafts().at(-1)!;
    expect(draft.document.texts.de.checkSpam!.title).toBe('Im Spam-Ordner nachsehen');

    // A broken placeholder exits 1 naming the unit; nothing is stored.
    const body = /<unit id="participant-no-email:howLongAgo.body">[\s\S]*?<target xml:space="preserve">([^<]*)<\/target>/.exec(xml)![1]!;
    writeFileSync(file('broken.xlf'), xml.replace(`>${body}</target>`, `>${body.replace('{{facts.product}}', '{{ facts.product }')}</target>`));
    const count = drafts().length;
    const broken = await flows('translation', 'import', 'de', file('broken.xlf'));
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/^ {2}- participant-no-email:howLongAgo\.body: the placeholders differ/m);
    expect(drafts()).toHaveLength(count);
  });

  it('round trips i18next JSON of every guide, and refuses a usage mistake', { timeout: 30_000 }, async () => {
    const res = await flows('translation', 'export', 'sv', '--format', 'json', '--only', 'all', '--out', file('all.sv.json'));
    expect(res.code).toBe(0);
    const all = JSON.parse(readFileSync(file('all.sv.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(all)).toContain(FLOW);
    all[FLOW]!.summary = 'En ny sammanfattning';
    writeFileSync(file('all.sv.json'), JSON.stringify(all));
    const imported = await flows('translation', 'import', 'sv', file('all.sv.json'));
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('Stored 1 changed text of participant-no-email (sv)');
    expect(drafts().at(-1)!.document.texts.sv.summary).toBe('En ny sammanfattning');
    const missing = await flows('translation', 'export', 'sv', '--only', 'missing');
    expect(missing.out).not.toContain('<unit');
    expect((await flows('translation', 'export', 'fr')).code).toBe(2);
    expect((await flows('translation', 'export', 'de', '--format', 'po')).code).toBe(2);
  });
});
