/**
 * Manages console accounts on the server: `npm run agent -- add --email a@b.se --name "Anna" --role admin`, or
 * `--role translator --languages de,no` for someone who may change the texts of those languages only; `passwd
 * --email …` sets a new password (and signs the account out everywhere); `remove --email …` removes an account;
 * `list`. Passwords are asked for, or read from standard input when it is not a terminal, never from the command
 * line where they would stay in the shell history. Every command says which database file it used: `--db PATH`,
 * else `DB_PATH`, else `data/mailhelp.db`.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { loadConfig } from '../config.ts';
import { describeStore, openStore } from '../store/index.ts';
import { LANGUAGES } from '../i18n/locales.ts';
import { REMOVED_PASSWORD, ROLES, type Role } from '../store/types.ts';

const USAGE = `usage:
  npm run agent -- add --email EMAIL --name NAME [--role ${ROLES.join('|')}] [--languages ${LANGUAGES.join(',')}]
                                                 (password from a prompt or stdin; --languages for a translator)
  npm run agent -- passwd --email EMAIL          (new password from a prompt or stdin; signs the account out)
  npm run agent -- remove --email EMAIL          (signs the account out and removes it)
  npm run agent -- list
every command also takes --db PATH (default: DB_PATH, else data/mailhelp.db)`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    return input.split(/\r?\n/)[0] ?? '';
  }
  // On a terminal: ask twice, without echoing what is typed.
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) =>
        write.call(rl, s.startsWith(question) ? s : '');
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Repeat password: ');
  if (first !== second) fail('The passwords differ.');
  return first;
}

async function newPassword(): Promise<string> {
  const password = await readPassword();
  if (password.length < MIN_PASSWORD_LENGTH) fail(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  return hashPassword(password);
}

const [command, ...rest] = process.argv.slice(2);
let parsed;
try {
  parsed = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'agent' },
      languages: { type: 'string' },
      db: { type: 'string' },
    },
    strict: true,
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const { values } = parsed;
if (!command || !['add', 'passwd', 'remove', 'list'].includes(command)) fail(USAGE);
if (values.db !== undefined && !values.db.trim()) fail(`--db needs a path\n${USAGE}`);
// --db wins over DB_PATH, so an operator never writes to the default database by forgetting to repeat it.
const config = (() => {
  try {
    return loadConfig(values.db ? { ...process.env, DB_PATH: values.db } : process.env);
  } catch (error) {
    // One line naming what to fix, as a server start says it (server/main.ts), not a stack trace.
    console.error(`agent: ${(error as Error).message}`);
    process.exit(1);
  }
})();
// On stderr, as `npm run flows` does, so what a command prints on stdout (the list) stays as it was.
const dbFile = config.DATABASE_URL ? describeStore(config) : resolve(config.DB_PATH);
console.error(`database: ${dbFile}`);
const store = await openStore(config);
const email = values.email?.trim();
const needEmail = () => {
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) fail(`--email is missing or not an email address\n${USAGE}`);
  return email;
};

try {
  if (command === 'list') {
    const agents = await store.listAgents();
    if (agents.length === 0) console.log('No accounts yet. Create an admin with: npm run agent -- add --email … --name … --role admin');
    for (const a of agents) {
      const removed = a.passwordHash === REMOVED_PASSWORD ? '  [removed: kept for its history, cannot sign in]' : '';
      console.log(`${a.role.padEnd(10)}  ${a.email}  ${a.name}${a.languages.length ? `  (${a.languages.join(', ')})` : ''}${removed}`);
    }
  } else if (command === 'add') {
    const email = needEmail();
    const name = values.name?.trim();
    const role = values.role as Role;
    if (!name) fail(`--name is missing\n${USAGE}`);
    if (!(ROLES as readonly string[]).includes(role)) fail(`--role is one of ${ROLES.join(', ')}`);
    const languages = values.languages?.split(',').map((l) => l.trim()).filter(Boolean) ?? [];
    const unknown = languages.filter((l) => !(LANGUAGES as readonly string[]).includes(l));
    if (unknown.length) fail(`--languages: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among ${LANGUAGES.join(', ')}`);
    if (role === 'translator' && !languages.length) fail(`A translator needs --languages, the languages whose texts they may change (${LANGUAGES.join(',')}).`);
    if (role !== 'translator' && languages.length) fail('--languages is for translators only: other roles are not limited to languages.');
    const existing = await store.findAgentByEmail(email);
    if (existing)
      fail(
        existing.passwordHash === REMOVED_PASSWORD
          ? `An account for ${email} exists already, removed but kept for its history; give it a password again with: npm run agent -- passwd --email ${email}`
          : `An account for ${email} exists already.`,
      );
    const passwordHash = await newPassword();
    const agent = await store.createAgent({ email, name, role, languages: [...new Set(languages)], passwordHash });
    console.log(`Created ${agent.role} ${agent.email} (${agent.name})${agent.languages.length ? ` for ${agent.languages.join(', ')}` : ''}.`);
  } else if (command === 'passwd') {
    const email = needEmail();
    const existing = await store.findAgentByEmail(email);
    if (!existing) fail(`There is no account for ${email} in ${dbFile}.`);
    const passwordHash = await newPassword();
    await store.setAgentPassword(email, passwordHash);
    console.log(
      existing.passwordHash === REMOVED_PASSWORD
        ? `Set a new password for ${existing.email}, which was removed and can sign in again.`
        : `Set a new password for ${existing.email}; it is signed out everywhere.`,
    );
  } else if (command === 'remove') {
    const email = needEmail();
    const result = await store.removeAgent(email);
    if (result === 'missing') fail(`There is no account for ${email} in ${dbFile}.`);
    console.log(
      result === 'deleted'
        ? `Removed ${email}; it is signed out everywhere.`
        : `Removed ${email}: it is signed out everywhere and can no longer sign in. The account stays in the database because sessions, notes or guide changes name it.`,
    );
  }
} finally {
  await store.close();
}
