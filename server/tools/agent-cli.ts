/**
 * Manages console accounts on the server: `npm run agent -- add --email a@b.se --name "Anna" --role admin`, or
 * `--role translator --languages de,no` for someone who may change the texts of those languages only (the password is asked for, or read from standard input when it is not a terminal, never from the command line
 * where it would stay in the shell history), and `npm run agent -- list`.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { loadConfig } from '../config.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { LANGUAGES } from '../i18n/locales.ts';
import { ROLES, type Role } from '../store/types.ts';

const USAGE = `usage:
  npm run agent -- add --email EMAIL --name NAME [--role ${ROLES.join('|')}] [--languages ${LANGUAGES.join(',')}]
                                                 (password from a prompt or stdin; --languages for a translator)
  npm run agent -- list`;

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

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'agent' }, languages: { type: 'string' } },
  strict: true,
});
const config = loadConfig();
const store = createSqliteStore(config.DB_PATH);

try {
  if (command === 'list') {
    const agents = await store.listAgents();
    if (agents.length === 0) console.log('No accounts yet. Create an admin with: npm run agent -- add --email … --name … --role admin');
    for (const a of agents) console.log(`${a.role.padEnd(10)}  ${a.email}  ${a.name}${a.languages.length ? `  (${a.languages.join(', ')})` : ''}`);
  } else if (command === 'add') {
    const email = values.email?.trim();
    const name = values.name?.trim();
    const role = values.role as Role;
    if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) fail(`--email is missing or not an email address\n${USAGE}`);
    if (!name) fail(`--name is missing\n${USAGE}`);
    if (!(ROLES as readonly string[]).includes(role)) fail(`--role is one of ${ROLES.join(', ')}`);
    const languages = values.languages?.split(',').map((l) => l.trim()).filter(Boolean) ?? [];
    const unknown = languages.filter((l) => !(LANGUAGES as readonly string[]).includes(l));
    if (unknown.length) fail(`--languages: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among ${LANGUAGES.join(', ')}`);
    if (role === 'translator' && !languages.length) fail(`A translator needs --languages, the languages whose texts they may change (${LANGUAGES.join(',')}).`);
    if (role !== 'translator' && languages.length) fail('--languages is for translators only: other roles are not limited to languages.');
    if (await store.findAgentByEmail(email)) fail(`An account for ${email} exists already.`);
    const password = await readPassword();
    if (password.length < MIN_PASSWORD_LENGTH) fail(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    const agent = await store.createAgent({ email, name, role, languages: [...new Set(languages)], passwordHash: await hashPassword(password) });
    console.log(`Created ${agent.role} ${agent.email} (${agent.name})${agent.languages.length ? ` for ${agent.languages.join(', ')}` : ''}.`);
  } else {
    fail(USAGE);
  }
} finally {
  await store.close();
}
