/**
 * The `check` command alone, bundled as one module (dist/check.js, scripts/build.mjs), for the same
 * reason as `src/cli-compile.ts`: a pre-commit hook or CI step starts it cold, and one file loads
 * faster in Node's module loader than the 70-odd chunks check reaches in dist/cli.js.
 */
import { runCli } from './cli/entry.js';
import { registerCheck } from './cli/check.js';
import { runCommands } from './cli/commander.js';

await runCli((argv) => runCommands(argv, registerCheck));
