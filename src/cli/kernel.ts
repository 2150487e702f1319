/**
 * `dtoverlay-check kernel --tree LINUX [--arch A] [--board NAME…] [--changed REV] [-j N] [--shard K/N]`:
 * checks every board and composition the tree's dts Makefiles build, in parallel.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';
import { addReportOptions, collect, type ReportCliOptions } from './check.js';

interface KernelCliOptions extends ReportCliOptions {
  tree: string;
  arch: string[];
  board: string[];
  changed?: string;
  jobs?: string;
  shard?: string;
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: string;
  list?: boolean;
  progress?: boolean;
}

export function registerKernel(program: Command, run: (status: Promise<number>) => void): void {
  const cmd = program
    .command('kernel')
    .description("check every board and composition (x-dtbs := x.dtb y.dtbo) a Linux tree's dts Makefiles build")
    .requiredOption('--tree <dir>', 'Linux tree (arch/*/boot/dts) or devicetree-rebasing tree (src/<arch>)')
    .option('--arch <arch>', 'only this architecture (repeatable)', collect, [])
    .option('--board <name>', 'only this board or composition; globs allowed (repeatable)', collect, [])
    .option('--changed <rev>', 'only targets whose sources or includes changed since REV (git)')
    .option('-j, --jobs <n>', 'worker threads (default: one per CPU, as free memory allows)')
    .option('--shard <k/n>', 'check only the K-th of N slices of the targets (CI matrix jobs)')
    .addOption(
      new Option('--bindings <dir>', "validate every target against these dt-binding schemas (repeatable; not the tree's own unless given: processing them takes minutes)")
        .argParser(collect)
        .default([], "the config file's `bindings`, else none"),
    )
    .option('--core-schemas <dir>', "dt-schema's folder (schemas/ and meta-schemas/); default: dt-schema's core, vendored")
    .option('--soc <name>', 'SoC profile for the PAS simulation')
    .addOption(new Option('--el <level>', 'exception level Linux runs at').choices(['1', '2']))
    .option('--list', 'list the targets and their sources, check nothing')
    .option('--no-progress', 'no progress bar (it is shown only on a terminal anyway)');
  addReportOptions(cmd).action((opts: KernelCliOptions) => run(kernelCommand(opts)));
}

function parseShard(text: string): { k: number; n: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return undefined;
  const k = Number(m[1]);
  const n = Number(m[2]);
  return k >= 1 && n >= 1 && k <= n ? { k, n } : undefined;
}

export async function kernelCommand(opts: KernelCliOptions): Promise<number> {
  const usage = (message: string) => {
    process.stderr.write(`dtoverlay-check kernel: ${message}\n`);
    return EXIT_USAGE;
  };
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  if (opts.shard !== undefined && !shard) return usage(`--shard ${opts.shard}: expected K/N with 1 <= K <= N`);
  const { runKernel, planKernel, defaultJobs, KernelUsageError } = await import('../kernel/run.js');
  const { findKernelLayout, LayoutError } = await import('../kernel/layout.js');
  const jobs = opts.jobs === undefined ? defaultJobs() : Number(opts.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return usage(`--jobs ${opts.jobs}: expected a positive number`);
  const { loadConfigForCommand } = await import('../config/load.js');
  const { config, failed } = await loadConfigForCommand(process.cwd(), opts.config);
  if (failed) return EXIT_USAGE;
  const { pathProblem } = await import('./paths.js');
  const bad = pathProblem([['--bindings', opts.bindings.length ? opts.bindings : config?.config.bindings, 'file or folder'], ['--core-schemas', opts.coreSchemas ?? config?.config.coreSchemas, 'folder']]);
  if (bad) return usage(bad);
  const options = {
    tree: opts.tree,
    arch: opts.arch,
    boards: opts.board,
    changed: opts.changed,
    jobs,
    shard,
    bindings: opts.bindings.length ? opts.bindings : (config?.config.bindings ?? []),
    coreSchemas: opts.coreSchemas ?? config?.config.coreSchemas,
    soc: opts.soc ?? config?.config.soc,
    el: opts.el ? (Number(opts.el) as 1 | 2) : config?.config.el,
  };
  try {
    if (opts.list) {
      const layout = findKernelLayout(options.tree, options.arch);
      try {
        const targets = planKernel(options, layout);
        if (opts.format === 'json') process.stdout.write(JSON.stringify({ diagnostics: [], targets }, null, 2) + '\n');
        else
          for (const t of targets)
            process.stdout.write(`${t.arch}/${t.dir}/${t.name} ${t.kind}${t.missing.length ? ` missing: ${t.missing.join(' ')}` : ''}\n`);
        return 0;
      } finally {
        layout.dispose();
      }
    }
    const showProgress = opts.progress !== false && !opts.quiet && !!process.stderr.isTTY;
    const { report } = await runKernel({
      ...options,
      onProgress: showProgress ? (done, total, name) => progressBar(done, total, name) : undefined,
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    const { emitReport } = await import('./check-run.js');
    return await emitReport(report, opts, config);
  } catch (err) {
    if (err instanceof KernelUsageError || err instanceof LayoutError) return usage(err.message);
    throw err;
  }
}

function progressBar(done: number, total: number, name: string): void {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  process.stderr.write(`\r\x1b[K[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${name}`);
}
