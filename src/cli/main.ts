/**
 * The command line's entry: commands with their own argument syntax (`compile`, `dtc`,
 * `fdtoverlay`, dt-schema's programs) and worker threads are dispatched here, before anything
 * else loads; every other command goes to the commander program (`program.ts`), imported only
 * then. Each subcommand imports its module lazily, so a cold `compile` (kbuild starts one per
 * DTB, a pre-commit hook several) loads neither commander nor the other commands (issue 17).
 */
import { reportFailure } from './failure.js';
import { isDtSchemaTool, runDtSchemaTool } from './dt-schema-entry.js';

export { reportFailure } from './failure.js';

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
    const { compileCommand } = await import('./compile.js');
    return compileCommand(argv.slice(1));
  }

  const { runProgram } = await import('./program.js');
  return runProgram(argv);
}
