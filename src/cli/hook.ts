/**
 * Pre-commit integration: `dtoverlay-check hook [FILE...]` checks only what the given (or staged)
 * files affect, and `dtoverlay-check install-hook` writes a plain git pre-commit hook running it.
 * In a Linux tree the affected boards and compositions are found through the dts Makefiles and the
 * include graph (as `kernel --changed`); elsewhere each staged .dts/.dtso is checked on its own.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';
import { addReportOptions, collect, type ReportCliOptions } from './check.js';

interface HookCliOptions extends ReportCliOptions {
  include: string[];
  jobs?: string;
}

export function registerHook(program: Command, run: (status: Promise<number>) => void): void {
  const hook = program
    .command('hook')
    .description('check what the given files (default: the files staged in git) affect: for pre-commit')
    .argument('[files...]', 'changed files (.dts, .dtsi, .dtso, .yaml); default: `git diff --cached --name-only`')
    .option('-i, --include <dir>', 'include folder outside a Linux tree (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads in a Linux tree');
  addReportOptions(hook).action((files: string[], opts: HookCliOptions) => run(hookCommand(files, opts)));
  program
    .command('install-hook')
    .description('install a git pre-commit hook that runs `dtoverlay-check hook` on the staged files')
    .option('--force', 'replace an existing pre-commit hook')
    .action((opts: { force?: boolean }) => run(installHook(opts)));
}

function git(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr || r.error?.message || '').trim() };
}

const DT_FILE = /\.(dts|dtsi|dtso|yaml)$/;

export async function hookCommand(files: string[], opts: HookCliOptions): Promise<number> {
  if (opts.jobs !== undefined && !/^[1-9][0-9]*$/.test(opts.jobs)) {
    process.stderr.write(`dtoverlay-check hook: --jobs ${opts.jobs}: expected a positive number\n`);
    return EXIT_USAGE;
  }
  let changed = files;
  if (!changed.length) {
    const top = git(['rev-parse', '--show-toplevel']);
    if (!top.ok) {
      process.stderr.write(`dtoverlay-check hook: no files given and not in a git repository (${top.err})\n`);
      return EXIT_USAGE;
    }
    const staged = git(['diff', '--cached', '--name-only', '--diff-filter=ACMR']);
    changed = staged.out.split('\n').filter(Boolean).map((f) => path.join(top.out.trim(), f));
  }
  changed = changed.filter((f) => DT_FILE.test(f)).map((f) => path.resolve(f));
  const { loadConfigForCommand } = await import('../config/load.js');
  const { config, failed } = await loadConfigForCommand(process.cwd(), opts.config);
  if (failed) return EXIT_USAGE;
  const { emitReport } = await import('./check.js');
  const { findLinuxTree } = await import('../kernel/layout.js');
  const linux = findLinuxTree(changed.length ? path.dirname(changed[0]) : process.cwd());
  if (linux) {
    const { runKernel, defaultJobs } = await import('../kernel/run.js');
    const { report } = await runKernel({
      tree: linux,
      arch: [],
      boards: [],
      changedFiles: changed,
      jobs: opts.jobs ? Number(opts.jobs) : defaultJobs(),
      bindings: config?.config.bindings ?? [],
      coreSchemas: config?.config.coreSchemas,
      soc: config?.config.soc,
      el: config?.config.el,
    });
    report.command = 'hook';
    return emitReport(report, opts, config);
  }
  // Outside a Linux tree: every staged source on its own (an overlay is compiled and checked alone).
  const sources = changed.filter((f) => /\.(dts|dtso)$/.test(f));
  const { runCheck } = await import('../check/run.js');
  const { defaultCheckOptions } = await import('../check/options.js');
  const { mergeCheckOptions } = await import('../config/apply.js');
  const { dedupeDiagnostics, sortDiagnostics } = await import('../report/order.js');
  const { summarize } = await import('../report/types.js');
  const { VERSION } = await import('../check/version.js');
  const diagnostics = [];
  for (const file of sources) {
    const options = mergeCheckOptions(defaultCheckOptions(file), config, { include: opts.include });
    diagnostics.push(...(await runCheck(options)).report.diagnostics);
  }
  const merged = sortDiagnostics(dedupeDiagnostics(diagnostics));
  return emitReport(
    { tool: { name: 'dtoverlay-check', version: VERSION }, command: 'hook', inputs: sources, stages: [], diagnostics: merged, summary: summarize(merged) },
    opts,
    config,
  );
}

/** The path of the program to put in the hook: our bin script, beside the bundle or the sources. */
function programPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const bin = path.join(dir, 'bin/dtoverlay-check.js');
    if (fs.existsSync(bin)) return bin;
    dir = path.dirname(dir);
  }
  return 'dtoverlay-check';
}

export async function installHook(opts: { force?: boolean }): Promise<number> {
  const hooks = git(['rev-parse', '--git-path', 'hooks']);
  if (!hooks.ok) {
    process.stderr.write(`dtoverlay-check install-hook: not in a git repository (${hooks.err})\n`);
    return EXIT_USAGE;
  }
  const dir = path.resolve(hooks.out.trim());
  const file = path.join(dir, 'pre-commit');
  if (fs.existsSync(file) && !opts.force) {
    process.stderr.write(`dtoverlay-check install-hook: ${file} exists (use --force to replace it)\n`);
    return EXIT_USAGE;
  }
  const program = programPath();
  const command = program === 'dtoverlay-check' ? 'dtoverlay-check' : `"${process.execPath}" "${program}"`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    file,
    `#!/bin/sh\n# Installed by dtoverlay-check install-hook: checks what the staged device-tree files affect.\nexec ${command} hook\n`,
    { mode: 0o755 },
  );
  process.stdout.write(`installed ${file}\n`);
  return 0;
}
