/**
 * `dtoverlay-check diff A B [--format text|json]`: the semantic difference of two trees (sources
 * or blobs). Exit 0 when they are the same, 1 when they differ, 2 on an input error (as diff(1)).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';
import { collect } from './check.js';

interface DiffCliOptions {
  format: 'text' | 'json';
  cpp?: boolean;
  include: string[];
  define: string[];
  quiet?: boolean;
}

export function registerDiff(program: Command, run: (status: Promise<number>) => void): void {
  program
    .command('diff')
    .description('semantic difference of two trees (sources or blobs): nodes and properties added, removed, changed')
    .argument('<a>', 'first tree (.dts/.dtb)')
    .argument('<b>', 'second tree (.dts/.dtb)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--cpp', 'preprocess sources (default for .dts/.dtsi/.dtso)')
    .option('--no-cpp', 'do not preprocess sources')
    .option('-i, --include <dir>', 'include folder (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'preprocessor definition (repeatable)', collect, [])
    .option('-q, --quiet', 'print nothing; the exit status tells')
    .action((a: string, b: string, opts: DiffCliOptions) => run(diffCommand(a, b, opts)));
}

export async function diffCommand(a: string, b: string, opts: DiffCliOptions): Promise<number> {
  const { loadInput } = await import('../pipeline/load.js');
  const { defaultCheckOptions } = await import('../pipeline/options.js');
  const { newSession } = await import('../compile/index.js');
  const { diffTrees, formatDiffText, isEmptyDiff } = await import('../diff/diff.js');
  const options = { ...defaultCheckOptions(a), cpp: opts.cpp, includeDirs: opts.include, defines: opts.define };
  // Inside a Linux tree, compiled as `check` compiles them (include prefixes, kbuild's DTC_FLAGS).
  const { linuxTreeInputs } = await import('../kernel/layout.js');
  const linux = linuxTreeInputs(a) ?? linuxTreeInputs(b);
  if (linux) Object.assign(options, { includeDirs: [...options.includeDirs, ...linux.includeDirs], sandboxRoots: linux.sandboxRoots, checkFlags: linux.checkFlags });
  const session = newSession();
  let ta, tb;
  try {
    [ta, tb] = [await loadInput(a, options, session), await loadInput(b, options, session)];
  } finally {
    linux?.layout.dispose();
  }
  for (const loaded of [ta, tb]) {
    if (!loaded.tree) {
      for (const d of loaded.diagnostics.filter((x) => x.severity === 'error')) {
        process.stderr.write(`${d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : ''}error: ${d.message}\n`);
      }
      return EXIT_USAGE;
    }
  }
  const diff = diffTrees(ta.tree!, tb.tree!);
  if (!opts.quiet) {
    const rel = (f: string) => (path.isAbsolute(f) && !path.relative(process.cwd(), f).startsWith('..') ? path.relative(process.cwd(), f) : f);
    if (opts.format === 'json') process.stdout.write(JSON.stringify({ diagnostics: [], a, b, diff }, null, 2) + '\n');
    else process.stdout.write(formatDiffText(diff, (s) => `${rel(s.file)}:${s.line}`));
  }
  return isEmptyDiff(diff) ? 0 : 1;
}
