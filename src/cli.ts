import { main } from './cli/main.js';
import { installClosedPipeHandler } from './cli/output.js';

// No SIGINT/SIGTERM handler: a signal ends the run at once, whatever it is doing (src/cli/output.ts).
installClosedPipeHandler();

process.exitCode = await main(process.argv.slice(2));
