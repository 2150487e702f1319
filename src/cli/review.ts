/**
 * `dtoverlay-check review PATCH|MBOX --tree LINUX [--rev REV]`: applies the patch (series) in a
 * temporary worktree and reports, per affected board and composition, the semantic tree diff and
 * the findings the patch introduced or fixed. The user's tree is never modified.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';
import { addReportOptions, collect, type ReportCliOptions } from './check.js';

interface ReviewCliOptions extends ReportCliOptions {
  tree: string;
  rev: string;
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: string;
}

export function registerReview(program: Command, run: (status: Promise<number>) => void): void {
  const cmd = program
    .command('review')
    .description('what a patch or mbox series changes in each affected board: semantic tree diff and the findings it introduces or fixes')
    .argument('<patch>', 'a patch (git diff) or an mbox (git format-patch, a mailing-list thread)')
    .requiredOption('--tree <dir>', 'the Linux tree (a git repository) the patch applies to')
    .option('--rev <rev>', 'apply on this revision', 'HEAD')
    .option('--bindings <dir>', 'dt-binding schemas (repeatable)', collect, [])
    .option('--core-schemas <dir>', "dt-schema's folder (schemas/ and meta-schemas/); default: dt-schema's core, vendored")
    .option('--soc <name>', 'SoC profile for the PAS simulation')
    .addOption(new Option('--el <level>', 'exception level Linux runs at').choices(['1', '2']));
  addReportOptions(cmd, ['mail']).action((patch: string, opts: ReviewCliOptions) => run(reviewCommand(patch, opts)));
}

export async function reviewCommand(patch: string, opts: ReviewCliOptions): Promise<number> {
  const { runReview, ReviewError } = await import('../review/review.js');
  const { LayoutError } = await import('../kernel/layout.js');
  const { loadConfigForCommand } = await import('../config/load.js');
  const { config, failed } = await loadConfigForCommand(process.cwd(), opts.config);
  if (failed) return EXIT_USAGE;
  const { pathProblem } = await import('./paths.js');
  const bad = pathProblem([['', patch, 'file'], ['--bindings', opts.bindings, 'file or folder'], ['--core-schemas', opts.coreSchemas, 'folder']]);
  if (bad) {
    process.stderr.write(`dtoverlay-check review: ${bad}\n`);
    return EXIT_USAGE;
  }
  try {
    const { report } = await runReview({
      patch,
      tree: opts.tree,
      rev: opts.rev,
      bindings: opts.bindings.length ? opts.bindings : (config?.config.bindings ?? []),
      coreSchemas: opts.coreSchemas ?? config?.config.coreSchemas,
      soc: opts.soc ?? config?.config.soc,
      el: opts.el ? (Number(opts.el) as 1 | 2) : config?.config.el,
      rules: config?.config.rules,
    });
    const { emitReport } = await import('./check-run.js');
    return await emitReport(report, opts, config, [patch]);
  } catch (err) {
    if (err instanceof ReviewError || err instanceof LayoutError) {
      process.stderr.write(`dtoverlay-check review: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
