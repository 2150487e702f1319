import { main } from './cli/main.js';
import { runCli } from './cli/entry.js';

await runCli(main);
