/**
 * The commander program around a set of commands: name, version, errors as exit statuses. The full
 * CLI registers every command (`program.ts`); `src/cli-check.ts`, the one-module entry of `check`,
 * registers only that one.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { reportFailure } from './failure.js';
import { VERSION } from '../pipeline/version.js';

/** A command's action hands its promise to `run`; its result is the exit status. */
export type Register = (program: Command, run: (p: Promise<number>) => void) => void;

export async function runCommands(argv: string[], register: Register): Promise<number> {
  const program = new Command();
  program
    .name('dtoverlay-check')
    .description('Device-tree overlay compiler and validator')
    // The top-level program only: `compile` keeps dtc's `-V <version>` (it is parsed before commander).
    .version(VERSION, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let status: Promise<number> = Promise.resolve(EXIT_OK);
  register(program, (p) => {
    status = p;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return await status;
  } catch (err) {
    // commander has printed its message (or the help) already
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return reportFailure(err);
  }
}
