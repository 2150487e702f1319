/**
 * The `compile` command alone, bundled as one module (dist/compile.js, scripts/build.mjs): kbuild
 * starts one process per DTB, and Node's ES module loader costs a cold start about as much per
 * module as it saves in bytes, so compile's 25 chunks of dist/cli.js become one file here.
 * bin/dtoverlay-check.js loads it for `compile`; every other command goes through dist/cli.js.
 */
import { runCli } from './cli/entry.js';
import { compileCommand } from './cli/compile.js';

await runCli(async (argv) => {
  if (argv[0] !== 'compile') throw new Error(`dist/compile.js runs only compile, not ${argv[0] ?? 'nothing'}`);
  return compileCommand(argv.slice(1));
});
