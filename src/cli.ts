import { isDtSchemaTool, runDtSchemaTool } from './cli/dt-schema-entry.js';
import { installClosedPipeHandler, installInterruptHandler, yieldForSignals } from './cli/output.js';

installInterruptHandler();
installClosedPipeHandler();

const argv = process.argv.slice(2);
// kbuild starts `dt-validate` once per DTB: it does not load the command table (commander and every command)
const status = isDtSchemaTool(argv[0]) ? await runDtSchemaTool(argv) : await (await import('./cli/main.js')).main(argv);
await yieldForSignals(); // a Ctrl-C during the last synchronous stage still exits 130
process.exitCode = status;
