import { main } from './cli/main.js';
import { installClosedPipeHandler, installInterruptHandler, yieldForSignals } from './cli/output.js';

installInterruptHandler();
installClosedPipeHandler();

const status = await main(process.argv.slice(2));
await yieldForSignals(); // a Ctrl-C during the last synchronous stage still exits 130
process.exitCode = status;
