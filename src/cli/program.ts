/**
 * The commander program: every command that takes ordinary options. `main.ts` imports it only
 * for those commands, so `compile` and the bundled tools start without commander.
 */
import type { Command } from 'commander';
import { runCommands } from './commander.js';
import { registerApply } from './apply.js';
import { registerValidate } from './validate.js';
import { registerSimulate } from './simulate.js';
import { registerCheck } from './check.js';
import { registerKernel } from './kernel.js';
import { registerDiff } from './diff.js';
import { registerReview } from './review.js';
import { registerHook } from './hook.js';

export function runProgram(argv: string[]): Promise<number> {
  return runCommands(argv, registerAll);
}

function registerAll(program: Command, run: (p: Promise<number>) => void): void {
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
}
