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
}

export { collect };

/** The report options every finding-producing command shares. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'sarif', 'github', 'html']).default('text'))
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
    .option('--core-schemas <dir>', "dt-schema's folder (schemas/ and meta-schemas/); default: the built-in core schemas")
    .option('--soc <name>', 'SoC profile for the PAS simulation (default: from the root compatible)')
    .addOption(new Option('--el <level>', 'exception level Linux runs at').choices(['1', '2']));
  addReportOptions(cmd).action((base: string | undefined, overlays: string[], opts: CheckCliOptions) => run(checkCommand(base, overlays, opts)));
}

export async function checkCommand(base: string | undefined, overlays: string[], opts: CheckCliOptions): Promise<number> {
  const { loadConfigForCommand } = await import('../config/load.js');
  const { config, failed } = await loadConfigForCommand(process.cwd(), opts.config);
  if (failed) return EXIT_USAGE;
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
    el: opts.el === undefined ? undefined : (Number(opts.el) as 1 | 2),
  });
  const { pathProblem } = await import('./paths.js');
  const bad = pathProblem([['--bindings', options.bindings, 'file or folder'], ['--core-schemas', opts.coreSchemas ?? options.coreSchemas, 'folder']]);
  if (bad) {
    process.stderr.write(`dtoverlay-check check: ${bad}\n`);
    return EXIT_USAGE;
  }
  // Inside a Linux tree, sources are compiled as kbuild does (include prefixes, DTC_FLAGS; config
  // `rules:` given later still win).
  const { linuxTreeInputs } = await import('../kernel/layout.js');
  const linux = base === undefined ? undefined : linuxTreeInputs(base);
  const layout = linux?.layout;
  if (linux) {
    options.includeDirs.push(...linux.includeDirs);
    options.sandboxRoots = linux.sandboxRoots;
    options.checkFlags = [...linux.checkFlags, ...options.checkFlags];
  }
  if (opts.allowOutsideIncludes) options.allowOutsideIncludes = true;
  if (opts.limit && Object.keys(opts.limit).length) options.limits = opts.limit;
  if (opts.coreSchemas) options.coreSchemas = opts.coreSchemas;
  const { runCheck } = await import('../check/run.js');
  let report;
  try {
    ({ report } = await runCheck(options));
  } finally {
    layout?.dispose();
  }
  if (layout?.bindings && !options.bindings.length) {
    const schema = report.stages.find((s) => s.name === 'schema');
    if (schema) schema.note = `no bindings given (this Linux tree has them: --bindings ${path.relative(process.cwd(), layout.bindings) || layout.bindings})`;
  }
  return emitReport(report, opts, config, [options.base, ...options.overlays]);
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
      const { sidMapHtml } = await import('../check/engines.js');
      html = { sidMapHtml: await sidMapHtml(report) };
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
