import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFlowsCommand } from '../../server/tools/flows-command.ts';
import type { FlowDocument } from '../../server/content/document.ts';
import type { Problem } from '../../server/content/validate.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';
import { tempDir, type TestApp } from '../support/app.ts';
import { editedDocument, syncedApp } from '../support/content.ts';

/*
 * Every validation rule, through both doors a document comes in by: the admin API (422 with the problems) and the
 * CLI's import (exit 1 with the problems). Each broken document names where it is broken; nothing is stored.
 */

type Doc = FlowDocument & { machine: { states: Record<string, any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
const TOKEN = 'validation-rules-admin-token';

interface Rule {
  name: string;
  flow: string;
  change: (d: Doc) => void;
  /** What the first problem of its kind names. */
  expected: Partial<Problem>;
}

const RULES: Rule[] = [
  {
    name: 'a target that does not exist',
    flow: 'participant-no-email',
    change: (d) => void (d.machine.states.checkSpam.on.NOT_IN_SPAM = 'nowhere'),
    expected: { step: 'checkSpam', event: 'NOT_IN_SPAM', path: 'machine.states.checkSpam.on.NOT_IN_SPAM' },
  },
  {
    name: 'a step no path leads to',
    flow: 'participant-no-email',
    change: (d) => {
      d.machine.states.orphan = { type: 'final', meta: { kind: 'outcome', outcome: 'resolved' } };
      for (const l of LANGUAGES) d.texts[l].orphan = { title: 'Orphan', body: 'Alone.' };
    },
    expected: { step: 'orphan' },
  },
  {
    name: 'a path that cannot reach an outcome',
    flow: 'participant-no-email',
    change: (d) => {
      d.machine.states.loop = { meta: { kind: 'question' }, on: { AGAIN: 'loop' } };
      d.machine.states.checkSpam.on.LOOP = 'loop';
      for (const l of LANGUAGES) {
        d.texts[l].loop = { title: 'Loop', body: 'Again.', options: { AGAIN: 'Again' } };
        d.texts[l].checkSpam!.options!.LOOP = 'Loop';
      }
    },
    expected: { step: 'loop' },
  },
  {
    name: 'an ending without an outcome',
    flow: 'participant-no-email',
    change: (d) => void delete d.machine.states.arrivedAfterWaiting.meta.outcome,
    expected: { step: 'arrivedAfterWaiting' },
  },
  {
    name: 'a step that is not an ending without options',
    flow: 'participant-no-email',
    change: (d) => void delete d.machine.states.waitAMinute.on,
    expected: { step: 'waitAMinute', path: 'machine.states.waitAMinute' },
  },
  {
    name: 'an empty step title',
    flow: 'participant-no-email',
    change: (d) => void (d.texts.de.checkSpam!.title = ''),
    expected: { step: 'checkSpam', lng: 'de', path: 'texts.de.checkSpam.title' },
  },
  {
    name: 'a missing body',
    flow: 'participant-no-email',
    change: (d) => void delete d.texts.sv.checkSpam!.body,
    expected: { step: 'checkSpam', lng: 'sv' },
  },
  {
    name: 'a missing option label',
    flow: 'participant-no-email',
    change: (d) => void delete d.texts.no.checkSpam!.options!.FOUND_IN_SPAM,
    expected: { step: 'checkSpam', event: 'FOUND_IN_SPAM', lng: 'no' },
  },
  {
    name: "an empty guide summary",
    flow: 'participant-no-email',
    change: (d) => void (d.texts.sv.summary = ' '),
    expected: { lng: 'sv', path: 'texts.sv.summary' },
  },
  {
    name: 'empty keywords',
    flow: 'participant-no-email',
    change: (d) => void (d.texts.en.keywords = ''),
    expected: { lng: 'en', path: 'texts.en.keywords' },
  },
  {
    name: 'a fact that does not exist',
    flow: 'participant-no-email',
    change: (d) => void (d.texts.en.checkSpam!.body = 'See {{facts.nothing}}.'),
    expected: { step: 'checkSpam', lng: 'en', path: 'texts.en.checkSpam.body' },
  },
  {
    name: 'raw HTML in Markdown',
    flow: 'participant-no-email',
    change: (d) => void (d.texts.sv.checkSpam!.body = 'Hej <b>där</b>'),
    expected: { step: 'checkSpam', lng: 'sv' },
  },
  {
    name: 'an unknown guard at a check step',
    flow: 'notification-sender-setup',
    change: (d) => void (d.machine.states.checkDomainRecords.on.CHECK_RESULT[0].guard.type = 'moonIs'),
    expected: { step: 'checkDomainRecords', event: 'CHECK_RESULT' },
  },
  {
    name: 'an unknown check',
    flow: 'notification-sender-setup',
    change: (d) => void (d.machine.states.checkDomainRecords.meta.check.type = 'crystal-ball'),
    expected: { step: 'checkDomainRecords' },
  },
];

const dir = tempDir();
let t: TestApp;
beforeAll(async () => {
  t = await syncedApp(join(dir.dir, 'rules.db'), { config: { ADMIN_TOKEN: TOKEN } });
});
afterAll(async () => {
  await t.close();
  dir.remove();
});

const broken = (rule: Rule) => editedDocument(rule.flow, (d) => rule.change(d as Doc));

/** `npm run flows -- import FILE --publish`, run in this process on the app's database file. */
async function importFile(path: string): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runFlowsCommand(['import', path, '--publish'], {
    out: () => {},
    err: (line) => (err += `${line}\n`),
    write: () => {},
    env: { ...process.env, DB_PATH: t.file },
  });
  return { code, err };
}

describe('each validation rule', () => {
  it.each(RULES)('$name: the API answers 422 naming where, and stores nothing', async (rule) => {
    const doc = broken(rule);
    const versions = (await t.store.listVersions(rule.flow)).length;
    const res = await request(t.app).post(`/api/admin/flows/${rule.flow}/drafts`).set('authorization', `Bearer ${TOKEN}`).send(doc).expect(422);
    expect(res.body.error.code).toBe('invalid_document');
    expect(res.body.error.problems).toContainEqual(expect.objectContaining(rule.expected));
    expect((await t.store.listVersions(rule.flow)).length).toBe(versions);
    expect(await t.store.listAudit({ limit: 1, offset: 0 })).toEqual([expect.objectContaining({ action: 'publish', via: 'release' })]);
  });

  it.each(RULES)('$name: the CLI exits 1 listing it, and stores nothing', { timeout: 15_000 }, async (rule) => {
    const path = join(dir.dir, `${rule.flow}.json`);
    writeFileSync(path, JSON.stringify(broken(rule)));
    const versions = (await t.store.listVersions(rule.flow)).length;
    const { code, err } = await importFile(path);
    expect(code).toBe(1);
    const res = await request(t.app).post(`/api/admin/flows/${rule.flow}/drafts`).set('authorization', `Bearer ${TOKEN}`).send(broken(rule));
    // The CLI lists exactly the problems the API names, one a line.
    for (const p of res.body.error.problems as Problem[]) expect(err).toContain(`  - ${p.message}`);
    expect((await t.store.listVersions(rule.flow)).length).toBe(versions);
  });
});
