/**
 * What every entry of the CLI does around its command: V8's tiering for a short run, the
 * Ctrl-C and closed-pipe handlers, and the exit status. `src/cli.ts` (every command) and
 * `src/cli-compile.ts` (`compile` alone, one module for a fast cold start) share it.
 */
import { startCold } from '../tiering.js';
import { installClosedPipeHandler, installInterruptHandler, yieldForSignals } from './output.js';

export async function runCli(main: (argv: string[]) => Promise<number>): Promise<void> {
  const argv = process.argv.slice(2);
  // before anything runs: a short command (compile, check) starts without V8's optimizing compiler
  startCold(argv);
  installInterruptHandler();
  installClosedPipeHandler();
  const status = await main(argv);
  await yieldForSignals(); // a Ctrl-C during the last synchronous stage still exits 130
  process.exitCode = status;
}
