/**
 * `dtoverlay-check check [BASE [OVERLAY...]]`: compile, apply, dtc checks, overlay checks, binding
 * validation and the PAS simulation in one run, one report. With no arguments: the bundled example.
 */
import { collect } from './source-options.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { collectLimit } from './limits.js';
import { EXIT_USAGE } from './exit-codes.js';
import { failOnOption } from './fail-on.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/types.js';
import { checkInputs, emitReport, locatedIn, type CheckCliOptions, type ReportCliOptions } from './check-run.js';

export type { CheckCliOptions, ReportCliOptions };

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

