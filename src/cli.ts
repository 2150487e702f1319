import { isDtSchemaTool, runDtSchemaTool } from './cli/dt-schema-entry.js';
import { installClosedPipeHandler } from './cli/output.js';

// No SIGINT/SIGTERM handler: a signal ends the run at once, whatever it is doing (src/cli/output.ts).
installClosedPipeHandler();

const argv = process.argv.slice(2);
// kbuild starts `dt-validate` once per DTB: it does not load the command table (commander and every command)
process.exitCode = isDtSchemaTool(argv[0]) ? await runDtSchemaTool(argv) : await (await import('./cli/main.js')).main(argv);
