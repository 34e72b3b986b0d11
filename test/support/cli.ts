import { spawn } from 'node:child_process';
import { runFlowsCommand } from '../../server/tools/flows-command.ts';

/** What a command-line tool answered: its exit code and what it wrote. */
export interface ToolRun {
  code: number | null;
  out: string;
  err: string;
}

/** A command-line tool (`server/tools/<tool>.ts`) as an operator runs it: a real process, `stdin` typed in. */
export function runTool(tool: string, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `server/tools/${tool}.ts`, ...args], {
      env: { ...process.env, DB_PATH: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.stdin.end(options.stdin ?? '');
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * `npm run flows` in this process, on database `db`: its command function with the arguments, environment and
 * output a real run has, without a process's start-up time.
 */
export async function flowsInProcess(db: string, ...args: string[]): Promise<ToolRun> {
  let out = '';
  let err = '';
  const code = await runFlowsCommand(args, {
    out: (line) => (out += `${line}\n`),
    err: (line) => (err += `${line}\n`),
    write: (text) => (out += text),
    env: { ...process.env, DB_PATH: db },
  });
  return { code, out, err };
}
