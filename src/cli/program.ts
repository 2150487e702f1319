/**
 * The commander program: every command that takes ordinary options. `main.ts` imports it only
 * for those commands, so `compile` and the bundled tools start without commander.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { reportFailure } from './failure.js';
import { registerApply } from './apply.js';
import { registerValidate } from './validate.js';
import { registerSimulate } from './simulate.js';
import { registerCheck } from './check.js';
import { registerKernel } from './kernel.js';
import { registerDiff } from './diff.js';
import { registerReview } from './review.js';
import { registerHook } from './hook.js';
import { VERSION } from '../pipeline/version.js';

export async function runProgram(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('dtoverlay-check')
    .description('Device-tree overlay compiler and validator')
    // The top-level program only: `compile` keeps dtc's `-V <version>` (it is parsed before commander).
    .version(VERSION, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let status: Promise<number> = Promise.resolve(EXIT_OK);
  const run = (p: Promise<number>) => {
    status = p;
  };
  program.command('compile').description('compile device-tree source like dtc 1.7.2, byte for byte (dtc options; --cpp, -D)').allowUnknownOption();
  registerApply(program, run);
  registerValidate(program, run);
  registerSimulate(program, run);
  registerCheck(program, run);
  registerKernel(program, run);
  registerDiff(program, run);
  registerReview(program, run);
  registerHook(program, run);
  program
    .command('lsp')
    .description('run the language server (diagnostics, hover, navigation for .dts/.dtsi/.dtso; docs/editors.md)')
    .option('--stdio', 'talk JSON-RPC over stdin/stdout (the only transport)')
    .action(() => run(import('../lsp/server.js').then((m) => m.runLanguageServer())));
  program
    .command('dtc')
    .description('run the bundled reference dtc 1.7.2 (WebAssembly) with its own arguments')
    .allowUnknownOption();
  program
    .command('dt-mk-schema')
    .description("dt-schema's dt-mk-schema (v2025.06.1): bindings to a processed schema, with its own arguments (-j, -o, @file)")
    .allowUnknownOption();
  program
    .command('dt-validate')
    .description("dt-schema's dt-validate (v2025.06.1): DTBs against a processed schema, dt-validate's exact messages")
    .allowUnknownOption();
  program
    .command('fdtoverlay')
    .description('run the bundled reference fdtoverlay 1.7.2 (WebAssembly) with its own arguments')
    .allowUnknownOption();

  try {
    await program.parseAsync(argv, { from: 'user' });
    return await status;
  } catch (err) {
    // commander has printed its message (or the help) already
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return reportFailure(err);
  }
}
