import { relative } from 'node:path';
import { BUILTIN_FLOW_IDS } from '../../flows/index.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { verifyPassword } from '../../server/auth/password.ts';
import { createSqliteStore, openSqliteFile } from '../../server/store/sqlite/index.ts';
import { REMOVED_PASSWORD } from '../../server/store/types.ts';
import { tempDir } from '../support/app.ts';
import { flowsInProcess, runTool, type ToolRun } from '../support/cli.ts';

/*
 * `npm run flows` and `npm run agent` as an operator runs them: real processes on a real database file.
 */

const dir = tempDir();
const db = join(dir.dir, 'cli.db');
const file = (name: string) => join(dir.dir, name);
afterAll(() => dir.remove());

function run(tool: 'flows' | 'agent-cli' | 'purge' | 'seed', args: string[], stdin = '', env: NodeJS.ProcessEnv = { DB_PATH: db }): Promise<ToolRun> {
  return runTool(tool, args, { stdin, env });
}
/**
 * `npm run flows` in this process; the first command below runs as a real process, so the entry point itself is
 * covered too.
 */
const flows = (...args: string[]) => flowsInProcess(db, ...args);

/** What the database holds, read directly: versions of a guide, drafts, and the audit log. */
function stored(flowId = 'participant-no-email') {
  const { db: file } = openSqliteFile(db);
  const count = (sql: string, ...params: unknown[]) => (file.prepare(sql).get(...params) as { n: number }).n;
  const result = {
    versions: count('SELECT count(*) AS n FROM flow_versions WHERE flow_id = ?', flowId),
    drafts: count('SELECT count(*) AS n FROM drafts'),
    audit: count('SELECT count(*) AS n FROM audit_log'),
  };
  file.close();
  return result;
}

let exported: FlowDocument;
beforeAll(async () => {
  // The first command on an empty database brings in the built-in guides, as a server start would.
  const list = await run('flows', ['list']);
  expect(list.code).toBe(0);
  expect(list.err).toContain(`database: ${db}`);
  expect(list.out.trim().split('\n')).toHaveLength(BUILTIN_FLOW_IDS.length);
  expect(list.out).toMatch(/^participant-no-email {2}v1 {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}system \(release\)$/m);
  const res = await flows('export', 'participant-no-email', '--out', file('pne.json'));
  expect(res.code).toBe(0);
  exported = JSON.parse(readFileSync(file('pne.json'), 'utf8')) as FlowDocument;
}, 30_000);

describe('npm run flows', () => {
  it('exports a version as its document, to stdout by default', { timeout: 20_000 }, async () => {
    expect(exported).toMatchObject({ id: 'participant-no-email', version: 1 });
    const res = await flows('export', 'participant-no-email');
    expect(JSON.parse(res.out)).toEqual(exported);
    // Written as the built-in file is: version 1 of a built-in guide is that file, plus its number.
    expect(res.out.replace(/\n {2}"version": 1,/, '')).toBe(readFileSync('flows/participant-no-email/flow.json', 'utf8'));
    expect(res.err).toContain('database:');
    const unknown = await flows('export', 'no-such-guide');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('There is no flow "no-such-guide"');
  });

  it('an unchanged document is said to be so and stores nothing', { timeout: 20_000 }, async () => {
    const before = stored();
    const res = await flows('import', file('pne.json'), '--publish');
    expect(res.code).toBe(0);
    expect(res.out).toContain('has the content of participant-no-email version 1, the latest; nothing was stored');
    expect(stored()).toEqual(before);
  });

  it('an invalid document exits 1 with its problems and stores nothing', { timeout: 20_000 }, async () => {
    const before = stored();
    const broken = structuredClone(exported) as unknown as { machine: { states: Record<string, { meta: { kind: string } }> }; facts: unknown };
    broken.machine.states.waitAMinute!.meta.kind = 'riddle';
    broken.facts = 'not facts';
    writeFileSync(file('broken.json'), JSON.stringify(broken));
    for (const args of [[], ['--publish']]) {
      const res = await flows('import', file('broken.json'), ...args);
      expect(res.code).toBe(1);
      expect(res.err).toMatch(/nothing was stored/);
      expect(res.err).toMatch(/^ {2}- machine\.states\.waitAMinute\.meta\.kind: /m);
      expect(res.err).toMatch(/^ {2}- facts: /m);
    }
    writeFileSync(file('not-json.json'), '{ "id": ');
    const notJson = await flows('import', file('not-json.json'));
    expect(notJson.code).toBe(1);
    expect(notJson.err).toContain('cannot be read as JSON');
    expect(stored()).toEqual(before);
  });

  it('imports a changed document as a draft, or publishes it with a note; history lists the versions', { timeout: 30_000 }, async () => {
    const edited = structuredClone(exported);
    edited.texts.en.title = 'Edited through the CLI';
    writeFileSync(file('edited.json'), JSON.stringify(edited));
    const asDraft = await flows('import', file('edited.json'));
    expect(asDraft.code).toBe(0);
    expect(asDraft.out).toMatch(/Stored .* as draft \d+ of participant-no-email/);
    expect(stored()).toMatchObject({ versions: 1, drafts: 1 });

    const published = await flows('import', file('edited.json'), '--publish', '--note', 'Clearer title');
    expect(published.out).toContain('Published participant-no-email version 2');
    expect(stored().versions).toBe(2);
    const history = await flows('history', 'participant-no-email');
    const lines = history.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^v2 {2}.* UTC {2}CLI {2}\S+ {2}Clearer title$/);
    expect(lines[1]).toMatch(/^v1 {2}.* UTC {2}system \(release\) {2}\S+ {2}Built-in guide of this release$/);
    const v2 = JSON.parse((await flows('export', 'participant-no-email', '--version', '2')).out) as FlowDocument;
    expect(v2.texts.en.title).toBe('Edited through the CLI');
  });

  it('rolls back to an earlier version as a new one with its content', { timeout: 30_000 }, async () => {
    const res = await flows('rollback', 'participant-no-email', '1');
    expect(res.code).toBe(0);
    expect(res.out).toContain('Published participant-no-email version 3 with the content of version 1');
    const history = (await flows('history', 'participant-no-email')).out.trim().split('\n');
    expect(history[0]).toMatch(/^v3 .*\(same content as v1\) {2}Rollback to version 1$/);
    const current = JSON.parse((await flows('export', 'participant-no-email')).out) as FlowDocument;
    expect({ ...current, version: 1 }).toEqual(exported);
    const bad = await flows('rollback', 'participant-no-email', 'two');
    expect(bad.code).toBe(2);
    const missing = await flows('rollback', 'participant-no-email', '99');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('has no version 99');
  });

  it('a document with a new id becomes a new guide', { timeout: 20_000 }, async () => {
    const guide = structuredClone(exported) as FlowDocument & { version?: number };
    guide.id = 'cli-guide';
    delete guide.machine.id;
    delete guide.version;
    writeFileSync(file('new.json'), JSON.stringify(guide));
    const res = await flows('import', file('new.json'), '--publish');
    expect(res.out).toContain('Published cli-guide version 1');
    expect((await flows('list')).out).toMatch(/^cli-guide {2}v1 .* CLI$/m);
  });

  it('refuses an unknown command or option with the usage', { timeout: 20_000 }, async () => {
    const res = await flows('frobnicate');
    expect(res.code).toBe(2);
    expect(res.err).toContain('usage:');
    expect((await flows('list', '--bogus')).code).toBe(2);
  });
});

describe('npm run agent', () => {
  it('adds an author, and a translator with their languages', { timeout: 30_000 }, async () => {
    const author = await run('agent-cli', ['add', '--email', 'author@example.com', '--name', 'Aud', '--role', 'author'], 'a long enough password\n');
    expect(author.code).toBe(0);
    const translator = await run(
      'agent-cli',
      ['add', '--email', 'tr@example.com', '--name', 'Tor', '--role', 'translator', '--languages', 'de,no'],
      'a long enough password\n',
    );
    expect(translator.out).toContain('Created translator tr@example.com (Tor) for de, no.');
    const list = await run('agent-cli', ['list']);
    expect(list.out).toMatch(/^author {6}author@example\.com {2}Aud$/m);
    expect(list.out).toMatch(/^translator {2}tr@example\.com {2}Tor {2}\(de, no\)$/m);
    const noLanguages = await run('agent-cli', ['add', '--email', 'x@example.com', '--name', 'X', '--role', 'translator'], 'a long enough password\n');
    expect(noLanguages.code).toBe(2);
    expect(noLanguages.err).toContain('needs --languages');
    const unknown = await run('agent-cli', ['add', '--email', 'x@example.com', '--name', 'X', '--role', 'translator', '--languages', 'fr'], 'x\n');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('fr is not among sv, no, de, en');
  });
});

describe('npm run agent: the database, passwords and removal', () => {
  const other = join(dir.dir, 'other.db');
  const agentRow = (file: string, email: string) => {
    const { db } = openSqliteFile(file);
    const row = db.prepare('SELECT id, password_hash AS hash FROM agents WHERE email = ?').get(email) as { id: number; hash: string } | undefined;
    const logins = row ? (db.prepare('SELECT count(*) AS n FROM logins WHERE agent_id = ?').get(row.id) as { n: number }).n : 0;
    db.close();
    return row && { ...row, logins };
  };
  const signInAs = async (file: string, email: string) => {
    const store = createSqliteStore(file);
    const agent = (await store.findAgentByEmail(email))!;
    await store.createLogin(`token-${email}-${Date.now()}`, agent.id, 'csrf', Date.now() + 60_000);
    await store.close();
    return agent.id;
  };

  it('says which database it used, and --db wins over DB_PATH', { timeout: 30_000 }, async () => {
    const add = await run('agent-cli', ['add', '--email', 'db@example.com', '--name', 'Dee', '--db', other], 'a long enough password\n');
    expect(add.code).toBe(0);
    expect(add.err).toContain(`database: ${other}`);
    expect(agentRow(other, 'db@example.com')).toBeDefined();
    expect(agentRow(db, 'db@example.com')).toBeUndefined();
    // Without --db, DB_PATH; the path is printed absolute, however it was given.
    const list = await run('agent-cli', ['list']);
    expect(list.err).toContain(`database: ${db}`);
    expect(list.out).not.toContain('db@example.com');
    expect((await run('agent-cli', ['list', '--db', ''])).code).toBe(2);
  });

  it('passwd sets a new password and signs the account out everywhere', { timeout: 30_000 }, async () => {
    expect((await run('agent-cli', ['add', '--email', 'pw@example.com', '--name', 'Pia'], 'the first password\n')).code).toBe(0);
    await signInAs(db, 'pw@example.com');
    expect(agentRow(db, 'pw@example.com')!.logins).toBe(1);
    const res = await run('agent-cli', ['passwd', '--email', 'PW@example.com'], 'the second password\n');
    expect(res.code).toBe(0);
    expect(res.out).toContain('Set a new password for pw@example.com');
    const row = agentRow(db, 'pw@example.com')!;
    expect(await verifyPassword('the second password', row.hash)).toBe(true);
    expect(await verifyPassword('the first password', row.hash)).toBe(false);
    expect(row.logins).toBe(0);

    const short = await run('agent-cli', ['passwd', '--email', 'pw@example.com'], 'short\n');
    expect(short.code).toBe(2);
    expect(await verifyPassword('the second password', agentRow(db, 'pw@example.com')!.hash)).toBe(true);
    const nobody = await run('agent-cli', ['passwd', '--email', 'nobody@example.com'], 'the third password\n');
    expect(nobody.code).toBe(2);
    expect(nobody.err).toContain(`There is no account for nobody@example.com in ${db}`);
  });

  it('remove deletes an account without history, and keeps one with history unable to sign in', { timeout: 30_000 }, async () => {
    expect((await run('agent-cli', ['add', '--email', 'gone@example.com', '--name', 'Gus'], 'a long enough password\n')).code).toBe(0);
    await signInAs(db, 'gone@example.com');
    const removed = await run('agent-cli', ['remove', '--email', 'gone@example.com']);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain('Removed gone@example.com; it is signed out everywhere.');
    expect(agentRow(db, 'gone@example.com')).toBeUndefined();

    // An agent who took a session: the session keeps naming them.
    expect((await run('agent-cli', ['add', '--email', 'kept@example.com', '--name', 'Kim'], 'a long enough password\n')).code).toBe(0);
    const id = await signInAs(db, 'kept@example.com');
    const store = createSqliteStore(db);
    const snapshot = { value: 'howLongAgo', context: {} };
    const session = await store.createSession(
      { id: 'cli-session', ref: 'CLI-777', flowId: 'participant-no-email', flowVersion: 'v1', lng: 'en', audience: 'agent', channel: 'agent', origin: null, agentId: id, ticketRef: null, snapshot },
      { seq: 0, state: 'howLongAgo', event: 'START', data: null, snapshot },
    );
    await store.close();
    const kept = await run('agent-cli', ['remove', '--email', 'kept@example.com']);
    expect(kept.code).toBe(0);
    expect(kept.out).toContain('can no longer sign in');
    const row = agentRow(db, 'kept@example.com')!;
    expect(row).toMatchObject({ hash: REMOVED_PASSWORD, logins: 0 });
    expect(await verifyPassword('a long enough password', row.hash)).toBe(false);
    const reread = createSqliteStore(db);
    expect((await reread.getSession(session.id))!.agentId).toBe(id);
    await reread.close();
    expect((await run('agent-cli', ['list'])).out).toMatch(/^agent {7}kept@example\.com {2}Kim {2}\[removed: kept for its history, cannot sign in\]$/m);
    const again = await run('agent-cli', ['add', '--email', 'kept@example.com', '--name', 'Kim'], 'a long enough password\n');
    expect(again.code).toBe(2);
    expect(again.err).toContain('passwd --email kept@example.com');
    // passwd gives it back its sign-in.
    expect((await run('agent-cli', ['passwd', '--email', 'kept@example.com'], 'a new long password\n')).out).toContain('can sign in again');
    expect(await verifyPassword('a new long password', agentRow(db, 'kept@example.com')!.hash)).toBe(true);

    const missing = await run('agent-cli', ['remove', '--email', 'gone@example.com']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('There is no account for gone@example.com');
  });
});

describe('a tool that cannot run says what to fix in one line', () => {
  it('flows: names the database by its full path, however DB_PATH was written', async () => {
    const result = await run('flows', ['list'], '', { DB_PATH: relative(process.cwd(), db) });
    expect(result.code).toBe(0);
    expect(result.err).toContain(`database: ${db}\n`);
  });

  it.each(['flows', 'agent-cli', 'purge', 'seed'] as const)('%s: a bad setting is one line and exit 1, not a stack trace', async (tool) => {
    const result = await run(tool, tool === 'flows' || tool === 'agent-cli' ? ['list'] : [], '', { DB_PATH: db, RETENTION_DAYS: '0' });
    expect(result.code).toBe(1);
    expect(result.err.trim()).toMatch(/^[\w-]+: invalid configuration: RETENTION_DAYS: /);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('purge: an unknown option is a usage mistake, exit 2', async () => {
    const result = await run('purge', ['--bogus']);
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(/^purge: Unknown option '--bogus'/) });
  });
});
