/**
 * `npm run flows -- …`: guides as documents, on the server (README: "Changing a guide"; the commands are in
 * flows-command.ts). Exits 1 when what was asked cannot be done, 2 on a usage mistake.
 */
import { runFlowsCommand } from './flows-command.ts';
import { runTool } from './run-tool.ts';

runTool('flows', async () => {
  process.exitCode = await runFlowsCommand(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    write: (text) => process.stdout.write(text),
    env: process.env,
  });
});
