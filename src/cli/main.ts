/**
 * The commander program. Each subcommand imports its module lazily, so `dtoverlay-check dtc`
 * does not pay for ajv or the parser (cold start matters for pre-commit hooks).
 */
import { Command, CommanderError } from 'commander';
import { isDtSchemaTool, runDtSchemaTool } from './dt-schema-entry.js';
import { reportError } from './report-error.js';

import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { registerApply } from './apply.js';
import { registerValidate } from './validate.js';
import { registerSimulate } from './simulate.js';
import { registerCheck } from './check.js';
import { registerKernel } from './kernel.js';
import { registerDiff } from './diff.js';
import { registerReview } from './review.js';
import { registerHook } from './hook.js';
import { VERSION } from '../pipeline/version.js';

export async function main(argv: string[]): Promise<number> {
  // `dtc` and `fdtoverlay` take the native programs' own arguments verbatim: commander must not parse them.
  if (argv[0] === 'dtc' || argv[0] === 'fdtoverlay') {
    const { runBundledTool } = await import('./tools.js');
    return runBundledTool(argv[0], argv.slice(1));
  }
  // dt-schema's programs, with their own (argparse) command lines (src/cli.ts dispatches them first)
  if (isDtSchemaTool(argv[0])) return runDtSchemaTool(argv);
  // a worker thread of `kernel` or `compile` (src/workers/pool.ts): the job kinds it answers
  if (argv[0] === '__worker') {
    const { serveWorker } = await import('../workers/pool.js');
    return serveWorker({
      kernel: async () => (await import('../kernel/job.js')).runKernelJob,
      compile: async () => (await import('../compile/job.js')).runCompileJob,
    });
  }
  // `compile` takes dtc's command line (-Wno-foo, -b0, -qq), which commander cannot parse.
  if (argv[0] === 'compile') {
    const { runCompileCli } = await import('./compile.js');
    try {
      return await runCompileCli(argv.slice(1));
    } catch (err) {
      return reportFailure(err);
    }
  }

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
    return reportFailure(err);
  }
}

/** Turns any failure into a one-line message and an exit code; never a stack trace. */
export function reportFailure(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  return reportError(err);
}
