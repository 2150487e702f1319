/**
 * `dtoverlay-check check [BASE [OVERLAY...]]`: compile, apply, dtc checks, overlay checks, binding
 * validation and the PAS simulation in one run, one report. With no arguments: the bundled example.
 */
import * as fs from 'node:fs';
import { collect } from './source-options.js';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { collectLimit } from './limits.js';
import { EXIT_USAGE } from './exit-codes.js';
import { failOnOption } from './fail-on.js';
import { InputError } from '../diagnostics.js';
import { REPORT_FORMATS, type FailOn, type ReportFormat } from '../report/types.js';

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

export { collect };

/** The report options every finding-producing command shares (review adds the `mail` format). */
export function addReportOptions(cmd: Command, extraFormats: ReportFormat[] = []): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'report format').choices([...REPORT_FORMATS, ...extraFormats]).default('text'))
    .option('-o, --output <file>', 'write the report to FILE instead of stdout')
    .addOption(failOnOption())
    .option('--config <file>', 'configuration file (default: .dtoverlay-check.yaml found upward from the working folder)')
    .option('--no-config', 'ignore configuration files')
    .option('--baseline <file>', 'report only findings not listed in this baseline file')
    .option('--update-baseline', 'write the current findings to the --baseline file and exit 0')
    .option('--no-color', 'no colour in text output (also: NO_COLOR)')
    .option('-q, --quiet', 'print nothing; the exit status tells');
}

export function registerCheck(program: Command, run: (status: Promise<number>) => void): void {
  const cmd = program
    .command('check')
    .description('compile, apply, run dtc checks, binding validation and the PAS simulation: one report (no arguments: the bundled example)')
    .argument('[base]', 'base tree: .dts source or .dtb')
    .argument('[overlays...]', 'overlays: .dtso sources or .dtbo blobs, applied in order')
    .option('--cpp', 'preprocess sources (default for .dts/.dtsi/.dtso)')
    .option('--no-cpp', 'do not preprocess sources')
    .option('-i, --include <dir>', 'include folder for #include and /include/ (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'preprocessor definition (repeatable)', collect, [])
    .option('--limit <name=value>', 'change a resource limit, e.g. node-depth=8192 (repeatable; docs/security.md)', (v: string, prev: object) => collectLimit(v, prev), {})
    .option('--allow-outside-includes', 'let #include, /include/ and /incbin/ read outside the input folders and -i folders (docs/security.md)')
    .option('--bindings <dir>', 'dt-binding schema folder (repeatable)', collect, [])
    .option('--core-schemas <dir>', "dt-schema's folder (schemas/ and meta-schemas/); default: dt-schema's core, vendored")
    .option('--soc <name>', 'SoC profile for the PAS simulation (default: from the root compatible)')
    .addOption(new Option('--el <level>', 'exception level Linux runs at').choices(['1', '2']))
    .option('--new-since <rev>', 'report (and fail on) only findings not already there at git revision REV (the same inputs checked in a temporary worktree)')
    .option('--only-overlay', 'report only findings located in the overlays or the files they include');
  addReportOptions(cmd).action((base: string | undefined, overlays: string[], opts: CheckCliOptions) => run(checkCommand(base, overlays, opts)));
}

export async function checkCommand(base: string | undefined, overlays: string[], opts: CheckCliOptions): Promise<number> {
  const { loadConfigForCommand } = await import('../config/load.js');
  const { config, failed } = await loadConfigForCommand(process.cwd(), opts.config);
  if (failed) return EXIT_USAGE;
  if (opts.onlyOverlay && base !== undefined && !overlays.length) {
    process.stderr.write('dtoverlay-check check: --only-overlay needs overlays\n');
    return EXIT_USAGE;
  }
  if (opts.newSince !== undefined) {
    const { checkNewSince } = await import('./check-since.js');
    return checkNewSince(base, overlays, opts, config);
  }
  const run = await checkInputs(base, overlays, opts, config);
  if (opts.onlyOverlay) run.report.diagnostics = locatedIn(run.report.diagnostics, run.overlaySources);
  return emitReport(run.report, opts, config, run.inputs);
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
  const { defaultCheckOptions } = await import('../check/options.js');
  let options;
  if (base === undefined) {
    const { bundledExample } = await import('../check/example.js');
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
  const { runCheck } = await import('../check/run.js');
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
    const { readBaseline, writeBaseline, filterBaseline } = await import('../config/baseline.js');
    if (opts.updateBaseline) {
      writeBaseline(baselineFile, report.diagnostics);
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
      const { sidMapView } = await import('../check/engines.js');
      html = { sidMap: await sidMapView(report) };
    }
    const text = formatReport(report, opts.format, { color, html });
    if (opts.output) {
      const { writeOutputAtomically } = await import('./output.js');
      writeOutputAtomically(opts.output, Buffer.from(text), { inputs });
    }
    else process.stdout.write(text);
  }
  // An input that cannot be read, or an unknown --soc, is a usage/input error (DESIGN.md: exit 2),
  // whatever --fail-on says.
  if (report.diagnostics.some((d) => d.rule === 'input/read' || d.rule === 'pas/profile')) return EXIT_USAGE;
  return exitStatusFor(report.diagnostics, opts.failOn);
}
