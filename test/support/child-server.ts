import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  /** http://127.0.0.1:<port> */
  url: string;
  proc: ChildProcess;
  /** Settles with the exit code (null after a signal) when the process ends. */
  exited: Promise<number | null>;
}

/** `tsx server/main.ts`: the server's own entry point, without a build. */
export const SOURCE = [process.execPath, '--import', 'tsx', 'server/main.ts'];

/**
 * The server as its own process, for tests that kill, stop or start it the way an operator would. Resolves once it
 * prints that it listens (on a free port unless `env.PORT` says otherwise); rejects if it exits first.
 * `detached` gives it its own process group, so a signal sent to `-pid` also reaches node behind `npm`.
 */
export function startChildServer(env: Record<string, string>, command: string[] = SOURCE, detached = false): Promise<ChildServer> {
  const [cmd, ...args] = command;
  const proc = spawn(cmd!, args, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (!m) return;
      proc.stdout!.off('data', onData);
      proc.stdout!.resume();
      resolve({ url: `http://127.0.0.1:${m[1]}`, proc, exited });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d));
    void exited.then((code) => reject(new Error(`server exited (${code ?? 'signal'}) before listening: ${out}`)));
  });
}
