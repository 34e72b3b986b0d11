/**
 * A command-line tool that fails ends with one line naming what to fix and a non-zero exit, as a server start does
 * (server/main.ts): a stack trace would bury the one thing the operator must change. A mistake in the arguments
 * exits 2, anything else 1.
 */
export function runTool(name: string, main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
    });
}
