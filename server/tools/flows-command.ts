/**
 * Guides as documents, on the server, for git and bulk work (README: "Changing a guide"):
 *   npm run flows -- list
 *   npm run flows -- export <flowId> [--version N | --pending] [--out FILE]
 *   npm run flows -- import FILE [--publish] [--note "…"]
 *   npm run flows -- history <flowId>
 *   npm run flows -- rollback <flowId> <version> [--note "…"]
 *   npm run flows -- translation export <lng> [--flow ID|all] [--format xliff|json] [--only missing|stale|todo|all] [--source en] [--out FILE]
 *   npm run flows -- translation import <lng> FILE [--flow ID] [--source en]
 * Uses DB_PATH like the server, and says which database it used (on stderr, so an export to stdout stays JSON).
 * Exits 1 when what was asked cannot be done (an invalid document, with every problem), 2 on a usage mistake.
 */
import { resolve } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { formatDocument } from '../content/document.ts';
import { describeSync, startContent } from '../content/startup.ts';
import type { ContentService, Editor } from '../content/service.ts';
import {
  importTranslation,
  latestDocuments,
  readI18next,
  readXliff,
  toI18next,
  toXliff,
  TRANSLATION_FILTERS,
  TRANSLATION_FORMATS,
  unitsOf,
} from '../content/translation.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../i18n/locales.ts';
import type { Problem } from '../content/validate.ts';
import { FlowRegistry } from '../engine/flow-registry.ts';
import { AppError } from '../http/errors.ts';
import { utcMinute } from '../render/format.ts';
import { describeStore, openStore, StoreOpenError } from '../store/index.ts';
import type { AgentRecord, FlowVersionSummary } from '../store/types.ts';

const USAGE = `usage:
  npm run flows -- list
  npm run flows -- export <flowId> [--version N | --pending] [--out FILE]
  npm run flows -- import FILE [--publish] [--note "…"]
  npm run flows -- history <flowId>
  npm run flows -- rollback <flowId> <version> [--note "…"]
  npm run flows -- translation export <lng> [--flow ID|all] [--format xliff|json] [--only missing|stale|todo|all] [--source en] [--out FILE]
  npm run flows -- translation import <lng> FILE [--flow ID (a JSON file of one guide)] [--source en]`;

const CLI: Editor = { actor: { agentId: null, via: 'cli' } };

/** Ends the command with a message and an exit code, after the database is closed. */
class Exit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function usage(message: string): never {
  throw new Exit(`${message}\n${USAGE}`, 2);
}

function fail(message: string): never {
  throw new Exit(message, 1);
}

/** A problem as one line; its message names where it is (step, option, language) already. */
const problemLine = (p: Problem) => `  - ${p.message}`;

const wholeNumber = (value: string | undefined, what: string) => {
  if (value === undefined || !/^[1-9]\d{0,8}$/.test(value)) usage(`${what} is a version number (1, 2, …)`);
  return Number(value);
};

/** Where a command writes: lines to stdout and stderr, raw text to stdout; and the environment it reads. */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  write(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** Runs one `npm run flows` command; resolves with its exit code. In-process, so tests need no child process. */
export async function runFlowsCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        version: { type: 'string' },
        pending: { type: 'boolean', default: false },
        out: { type: 'string' },
        publish: { type: 'boolean', default: false },
        note: { type: 'string' },
        flow: { type: 'string' },
        format: { type: 'string' },
        only: { type: 'string' },
        source: { type: 'string' },
      },
      strict: true,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;

  const config = loadConfig(io.env);
  io.err(`database: ${config.DATABASE_URL ? describeStore(config) : resolve(config.DB_PATH)}`);
  let store;
  try {
    store = await openStore(config);
  } catch (e) {
    if (!(e instanceof StoreOpenError)) throw e;
    io.err(`cannot use the database ${e.setting}: ${e.reason}`);
    return 1;
  }

  try {
    if (!command) usage('Which command?');
    // The database first takes in this release's built-in guides, exactly as a server start would.
    const { content, synced } = await startContent(store, new FlowRegistry(), { onError: (err) => io.err(String(err)) });
    for (const line of describeSync(synced)) io.err(line);
    const agents = new Map((await store.listAgents()).map((a) => [a.id, a]));
    const by = (v: FlowVersionSummary) => publisher(v, agents);

    if (command === 'list') {
      const guides = await content.list();
      if (!guides.length) io.out('No guides yet.');
      for (const g of guides)
        io.out(
          [g.id, `v${g.latest.number}`, `${utcMinute(g.latest.publishedAt)} UTC`, by(g.latest), g.pending ? 'pending update from a release' : '']
            .filter(Boolean)
            .join('  '),
        );
    } else if (command === 'export') {
      const [flowId] = args;
      if (!flowId) usage('export needs a guide id');
      if (values.pending && values.version !== undefined) usage('export either --version N or --pending, not both');
      let document;
      if (values.pending) {
        const pending = await content.pending(flowId);
        if (!pending) fail(`Guide "${flowId}" has no pending update.`);
        document = pending.document;
      } else {
        const v = await content.version(flowId, values.version === undefined ? undefined : wholeNumber(values.version, '--version'));
        document = { ...v.document, version: v.number };
      }
      // As the built-in files are written: an exported version diffs cleanly against flows/<id>/flow.json.
      const text = formatDocument(document);
      if (values.out) {
        writeFileSync(values.out, text);
        io.err(`Wrote ${flowId}${'version' in document ? ` version ${document.version}` : ' (pending update)'} to ${values.out}.`);
      } else io.write(text);
    } else if (command === 'import') {
      const [file] = args;
      if (!file) usage('import needs a file');
      let input: unknown;
      try {
        input = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        fail(`${file} cannot be read as JSON: ${(e as Error).message}`);
      }
      const result = await content.import(input, CLI, { publish: values.publish, note: values.note ?? null });
      if (result.kind === 'unchanged')
        io.out(`${file} has the content of ${result.version.flowId} version ${result.version.number}, the latest; nothing was stored.`);
      else if (result.kind === 'draft')
        io.out(`Stored ${file} as draft ${result.draft.id} of ${result.draft.flowId} (not published; publish with --publish).`);
      else io.out(`Published ${result.version.flowId} version ${result.version.number}. Running servers serve it within FLOW_POLL_MS.`);
    } else if (command === 'history') {
      const [flowId] = args;
      if (!flowId) usage('history needs a guide id');
      const versions = await content.versions(flowId);
      const first = new Map<string, number>();
      for (const v of [...versions].reverse()) if (!first.has(v.hash)) first.set(v.hash, v.number);
      for (const v of versions) {
        const again = first.get(v.hash)! < v.number ? ` (same content as v${first.get(v.hash)})` : '';
        io.out(`v${v.number}  ${utcMinute(v.publishedAt)} UTC  ${by(v)}  ${v.hash}${again}${v.note ? `  ${v.note}` : ''}`);
      }
    } else if (command === 'rollback') {
      const [flowId, number] = args;
      if (!flowId) usage('rollback needs a guide id and a version');
      const from = wholeNumber(number, 'the version to roll back to');
      const v = await content.publish(flowId, { version: from }, CLI, { note: values.note ?? `Rollback to version ${from}` });
      io.out(`Published ${flowId} version ${v.number} with the content of version ${from}. Running servers serve it within FLOW_POLL_MS.`);
    } else if (command === 'translation') {
      await translation(content, args, values, io);
    } else {
      usage(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof Exit) {
      io.err(e.message);
      return e.code;
    } else if (e instanceof AppError) {
      const problems = (e.details?.problems ?? []) as Problem[];
      io.err([e.message, ...problems.map(problemLine)].join('\n'));
      return 1;
    } else throw e;
  } finally {
    await store.close();
  }
  return 0;
}

/** `translation export|import`: a language's texts for a translation agency, and their work back as drafts. */
async function translation(
  content: ContentService,
  args: string[],
  values: { flow?: string | undefined; format?: string | undefined; only?: string | undefined; source?: string | undefined; out?: string | undefined },
  io: CommandIO,
) {
  const [action, lngArg, file] = args;
  const lng = oneOf(lngArg, LANGUAGES, 'the language');
  const source = oneOf(values.source ?? DEFAULT_LANGUAGE, LANGUAGES, '--source');
  if (source === lng) usage('--source is another language than the one translated into');
  if (action === 'export') {
    const format = oneOf(values.format ?? 'xliff', TRANSLATION_FORMATS, '--format');
    const only = oneOf(values.only ?? 'all', TRANSLATION_FILTERS, '--only');
    const flow = values.flow ?? 'all';
    const { selected, all } = await latestDocuments(content, flow);
    const options = { source, target: lng, only };
    const guides = selected.map((g) => unitsOf(g, all, options));
    const text = format === 'xliff' ? toXliff(guides, options) : toI18next(guides, flow !== 'all');
    const count = guides.reduce((n, g) => n + g.units.length, 0);
    if (values.out) {
      writeFileSync(values.out, text);
      io.err(`Wrote ${count} ${only === 'missing' ? 'missing ' : ''}unit${count === 1 ? '' : 's'} of ${flow === 'all' ? `${guides.length} guides` : flow} (${source} → ${lng}) to ${values.out}.`);
    } else io.write(text);
  } else if (action === 'import') {
    if (!file) usage('translation import needs a language and a file');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      fail(`${file} cannot be read: ${(e as Error).message}`);
    }
    const upload = text.trimStart().startsWith('<')
      ? readXliff(text, lng)
      : { source, ...readI18next(text, values.flow === undefined || values.flow === 'all' ? undefined : values.flow) };
    const outcome = await importTranslation(content, lng, upload, CLI);
    for (const d of outcome.drafts) io.out(`Stored ${d.units} changed text${d.units === 1 ? '' : 's'} of ${d.flowId} (${lng}) as draft ${d.draft} (not published).`);
    for (const id of outcome.unchanged) io.out(`${id}: no text changed; nothing was stored.`);
  } else usage('translation export or translation import?');
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value)) usage(`${what} is one of ${allowed.join(', ')}`);
  return value as T;
}

function publisher(v: FlowVersionSummary, agents: Map<number, AgentRecord>): string {
  const agent = v.publishedBy === null ? undefined : agents.get(v.publishedBy);
  if (agent) return `${agent.name} <${agent.email}>`;
  return { release: 'system (release)', cli: 'CLI', token: 'API token', console: 'console' }[v.via];
}
