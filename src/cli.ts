import { main } from './cli/main.js';
import { startCold } from './tiering.js';
import { installClosedPipeHandler, installInterruptHandler, yieldForSignals } from './cli/output.js';

// before anything runs: a short command (compile, check) starts without V8's optimizing compiler
startCold(process.argv.slice(2));
installInterruptHandler();
installClosedPipeHandler();

const status = await main(process.argv.slice(2));
await yieldForSignals(); // a Ctrl-C during the last synchronous stage still exits 130
process.exitCode = status;
