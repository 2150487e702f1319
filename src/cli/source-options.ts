/** The options every command that compiles sources shares: preprocessing, include folders, limits, sandbox. */
import type { Command } from 'commander';
import { collectLimit, LIMIT_FLAGS, LIMIT_HELP } from './limits.js';

/** Commander's accumulator for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds --cpp, -i, -D, --limit and --allow-outside-includes (as `cpp`, `include`, `define`, `limit`, `allowOutsideIncludes`). */
export function addSourceOptions(command: Command, cppHelp = 'preprocess sources with the kernel-style C preprocessor'): Command {
  return command
    .option('--cpp', cppHelp)
    .option('-i, --include <dir>', 'include folder for #include and /include/ (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'preprocessor definition (repeatable)', collect, [])
    .option(LIMIT_FLAGS, LIMIT_HELP, collectLimit, {})
    .option('--allow-outside-includes', 'let #include, /include/ and /incbin/ read outside the input folders and -i folders (docs/security.md)');
}
