/**
 * What `check` runs once its options are parsed, shared by `check --new-since` (check-since.ts),
 * `kernel` and `review`: the inputs checked as the command line and configuration say, and the
 * report written and turned into an exit status.
 */
import * as path from 'node:path';
import { EXIT_USAGE } from './exit-codes.js';
import { InputError } from '../diagnostics.js';
import type { FailOn, ReportFormat } from '../report/types.js';

export interface ReportCliOptions {
  format: ReportFormat;
  output?: string;
  failOn: FailOn;
  quiet?: boolean;
  color?: boolean;
  config?: string | false;
  baseline?: string;
  updateBaseline?: boolean;
}

export interface CheckCliOptions extends ReportCliOptions {
  cpp?: boolean;
  allowOutsideIncludes?: boolean;
  limit?: Partial<import('../limits.js').Limits>;
  include: string[];
  define: string[];
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: string;
  newSince?: string;
  onlyOverlay?: boolean;
}

export interface CheckInputsRun {
  report: import('../report/types.js').Report;
  /** The files the run read as inputs (--output must not replace one). */
  inputs: string[];
  /** The overlays and the files they include (--only-overlay). */
  overlaySources: string[];
}

/**
 * One `check` run: options from the command line over the configuration, a Linux tree's include
 * layout when the base is in one. `moveDir`: how a folder given on the command line or in the
 * configuration maps to the copy checked (`check --new-since` checks a worktree at another revision).
 */
export async function checkInputs(
  base: string | undefined,
  overlays: string[],
  opts: CheckCliOptions,
  config: import('../config/types.js').LoadedConfig | undefined,
  moveDir: (dir: string) => string = (dir) => dir,
  el?: 1 | 2,
): Promise<CheckInputsRun> {
  const { defaultCheckOptions } = await import('../pipeline/options.js');
  let options;
  if (base === undefined) {
    const { bundledExample } = await import('../pipeline/example.js');
    const example = bundledExample();
    options = defaultCheckOptions(path.relative(process.cwd(), example.base) || example.base, example.overlays.map((o) => path.relative(process.cwd(), o) || o));
    options.soc = example.soc;
  } else {
    options = defaultCheckOptions(base, overlays);
  }
  const { mergeCheckOptions } = await import('../config/apply.js');
  mergeCheckOptions(options, config, {
    cpp: opts.cpp,
    include: opts.include,
    define: opts.define,
    bindings: opts.bindings,
    soc: opts.soc,
    el: opts.el === undefined ? el : (Number(opts.el) as 1 | 2),
  });
  options.includeDirs = options.includeDirs.map(moveDir);
  const { pathProblem } = await import('./paths.js');
  const bad = pathProblem([['--bindings', options.bindings, 'file or folder'], ['--core-schemas', opts.coreSchemas ?? options.coreSchemas, 'folder']]);
  if (bad) throw new InputError(bad);
  // Inside a Linux tree, sources are compiled as kbuild does (include prefixes, DTC_FLAGS; config
  // `rules:` given later still win).
  const { linuxTreeInputs } = await import('../kernel/layout.js');
  const linux = base === undefined ? undefined : linuxTreeInputs(base);
  const layout = linux?.layout;
  if (linux) {
    const { withKernelLayout } = await import('../kernel/run.js');
    withKernelLayout(options, linux.layout);
  }
  if (opts.allowOutsideIncludes) options.allowOutsideIncludes = true;
  if (opts.limit && Object.keys(opts.limit).length) options.limits = opts.limit;
  if (opts.coreSchemas) options.coreSchemas = opts.coreSchemas;
  if (layout && base !== undefined && !overlays.length && /\.dtso$/.test(base)) {
    // An overlay alone in a Linux tree: checked on every base the Makefiles compose it with.
    const { compositionsOf } = await import('../workspace/workspace.js');
    const compositions = (await compositionsOf(layout, base)).map((t) => t.name);
    if (compositions.length) {
      layout.dispose();
      const { runKernel, defaultJobs } = await import('../kernel/run.js');
      const { report } = await runKernel({ tree: layout.root, arch: [], boards: compositions, jobs: Math.min(defaultJobs(), compositions.length), bindings: options.bindings, coreSchemas: options.coreSchemas, soc: options.soc, el: options.el });
      report.command = 'check';
      return { report, inputs: [base], overlaySources: [base] };
    }
  }
  const { runCheck } = await import('../pipeline/run.js');
  let run;
  try {
    run = await runCheck(options);
  } finally {
    layout?.dispose();
  }
  const { report } = run;
  if (layout?.bindings && !options.bindings.length) {
    const schema = report.stages.find((s) => s.name === 'schema');
    if (schema) schema.note = `no bindings given (this Linux tree has them: --bindings ${path.relative(process.cwd(), layout.bindings) || layout.bindings})`;
  }
  return { report, inputs: [options.base, ...options.overlays], overlaySources: run.overlaySources };
}

/** `--only-overlay`: the findings whose primary location is in one of `files` (an overlay or a file it includes). */
export function locatedIn<T extends { span?: { file: string } }>(diagnostics: T[], files: readonly string[]): T[] {
  const set = new Set(files.map((f) => path.resolve(f)));
  return diagnostics.filter((d) => d.span !== undefined && set.has(path.resolve(d.span.file)));
}

/** Rules config, baseline, formatting, output and exit status: shared by check, kernel and review. */
export async function emitReport(
  report: import('../report/types.js').Report,
  opts: ReportCliOptions,
  config: import('../config/types.js').LoadedConfig | undefined,
  /** Files the run read: --output must not replace one of them. */
  inputs: string[] = [],
): Promise<number> {
  const { applyRuleConfig } = await import('../config/rules.js');
  const { relativeToCwd, summarize, exitStatusFor, formatReport, wantsColor } = await import('../report/index.js');
  report.diagnostics = relativeToCwd(applyRuleConfig(report.diagnostics, config?.config.rules));
  if (report.fixed) report.fixed = relativeToCwd(report.fixed);
  if (report.diff) report.diff = report.diff.map((b) => ({ ...b, introduced: relativeToCwd(b.introduced), fixed: relativeToCwd(b.fixed) }));
  let baselined = 0;
  const baselineFile = opts.baseline ?? config?.config.baseline;
  if (baselineFile) {
    const { readBaseline, baselineText, filterBaseline } = await import('../config/baseline.js');
    if (opts.updateBaseline) {
      // all or nothing, like every output: an interrupted update never leaves half a baseline
      const { writeOutput } = await import('./output.js');
      await writeOutput(baselineFile, Buffer.from(baselineText(report.diagnostics)));
      if (!opts.quiet) process.stderr.write(`dtoverlay-check: wrote ${report.diagnostics.length} findings to ${baselineFile}\n`);
      return 0;
    }
    const baseline = readBaseline(baselineFile);
    if (baseline instanceof Error) {
      process.stderr.write(`dtoverlay-check: ${baseline.message}\n`);
      return EXIT_USAGE;
    }
    const kept = filterBaseline(report.diagnostics, baseline);
    baselined = report.diagnostics.length - kept.length;
    report.diagnostics = kept;
  } else if (opts.updateBaseline) {
    process.stderr.write('dtoverlay-check: --update-baseline needs --baseline FILE\n');
    return EXIT_USAGE;
  }
  report.summary = summarize(report.diagnostics, baselined);
  if (!opts.quiet || opts.output) {
    const color = !opts.output && opts.color !== false && wantsColor(process.stdout);
    let html;
    if (opts.format === 'html') {
      const { sidMapView } = await import('../pipeline/engines.js');
      html = { sidMap: await sidMapView(report) };
    }
    const text = formatReport(report, opts.format, { color, html });
    if (opts.output) {
      const { writeOutput } = await import('./output.js');
      await writeOutput(opts.output, Buffer.from(text), { inputs });
    }
    else process.stdout.write(text);
  }
  // An input that cannot be read, or an unknown --soc, is a usage/input error (DESIGN.md: exit 2),
  // whatever --fail-on says.
  if (report.diagnostics.some((d) => d.rule === 'input/read' || d.rule === 'pas/profile')) return EXIT_USAGE;
  return exitStatusFor(report.diagnostics, opts.failOn);
}
