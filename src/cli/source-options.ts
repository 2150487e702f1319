/** The options every command that compiles sources shares: preprocessing, include folders, limits, sandbox. */
import type { Command } from 'commander';
import { collectLimit, LIMIT_FLAGS, LIMIT_HELP } from './limits.js';
import type { Limits } from '../limits.js';
import type { SourceOptions } from '../overlay/inputs.js';

/** Commander's accumulator for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** What addSourceOptions gives the action. */
export interface SourceCliOptions {
  cpp?: boolean;
  include: string[];
  define: string[];
  limit: Partial<Limits>;
  allowOutsideIncludes?: boolean;
}

/** Adds --cpp/--no-cpp, -i, -D, --limit and --allow-outside-includes (as `cpp`, `include`, `define`, `limit`, `allowOutsideIncludes`). */
export function addSourceOptions(command: Command, cppHelp = 'preprocess sources with the kernel-style C preprocessor (default: only inside a Linux tree)'): Command {
  return command
    .option('--cpp', cppHelp)
    .option('--no-cpp', 'do not preprocess sources')
    .option('-i, --include <dir>', 'include folder for #include and /include/ (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'preprocessor definition (repeatable)', collect, [])
    .option(LIMIT_FLAGS, LIMIT_HELP, collectLimit, {})
    .option('--allow-outside-includes', 'let #include, /include/ and /incbin/ read outside the input folders and -i folders (docs/security.md)');
}

/**
 * How apply, simulate and validate compile their sources. Inside a Linux tree (around `base`) as
 * kbuild does, like `check`: preprocessed, with the include prefixes and the kernel's DTC_FLAGS.
 * Call `dispose` when the run is over.
 */
export async function sourceOptionsFor(base: string, opts: SourceCliOptions): Promise<{ options: SourceOptions; dispose(): void }> {
  const { linuxTreeInputs } = await import('../kernel/layout.js');
  const linux = linuxTreeInputs(base);
  const options: SourceOptions = {
    cpp: opts.cpp ?? !!linux,
    includeDirs: [...opts.include, ...(linux?.includeDirs ?? [])],
    defines: opts.define,
    allowOutsideIncludes: !!opts.allowOutsideIncludes,
    limits: opts.limit,
    ...(linux ? { sandboxRoots: linux.sandboxRoots, checkFlags: linux.checkFlags } : {}),
  };
  return { options, dispose: () => linux?.layout.dispose() };
}
