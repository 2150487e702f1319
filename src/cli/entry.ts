/**
 * What every entry of the CLI does around its command: V8's tiering for a short run, the
 * closed-pipe handler, and the exit status. `src/cli.ts` (every command), `src/cli-compile.ts` and
 * `src/cli-check.ts` (one command each, one module each, for a fast cold start) share it.
 */
import { startCold } from '../tiering.js';
import { installClosedPipeHandler } from './output.js';

export async function runCli(main: (argv: string[]) => Promise<number>): Promise<void> {
  const argv = process.argv.slice(2);
  // before anything runs: a short command (compile, check) starts without V8's optimizing compiler
  startCold(argv);
  // No SIGINT/SIGTERM handler: a signal ends the run at once, whatever it is doing (src/cli/output.ts).
  installClosedPipeHandler();
  process.exitCode = await main(argv);
}
