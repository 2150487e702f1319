/**
 * `dtoverlay-check simulate BASE [OVERLAY...] [--el 1|2] [--soc NAME] [--format text|json|svg|html]`:
 * the PAS bring-up and SMMU stream-match model (src/pas/) on a base tree with overlays applied,
 * from sources or blobs. JSON is `{ diagnostics, simulation }`.
 */
import type { Command } from 'commander';
import { DiagnosticError, formatSpan, type Diagnostic } from '../diagnostics.js';
import { EXIT_FINDINGS, EXIT_USAGE } from './exit-codes.js';
import { addSourceOptions, collect, sourceOptionsFor, type SourceCliOptions } from './source-options.js';
import { writeOutput } from './output.js';
import { failOnOption } from './fail-on.js';
import { exitStatusFor, type FailOn } from '../report/types.js';
import { pathProblem } from './paths.js';

interface SimulateCliOptions extends SourceCliOptions {
  el?: string;
  soc?: string;
  profile?: string;
  format: string;
  order?: string;
  rscTable?: string;
  smmu: string[];
  bindings?: string;
  output: string;
  failOn: FailOn;
  quiet?: boolean;
}

const FORMATS = ['text', 'json', 'svg', 'html'];

export function registerSimulate(program: Command, run: (status: Promise<number>) => void): void {
  addSourceOptions(
    program
      .command('simulate')
      .description('simulate the PAS bring-up and the SMMU stream-match allocation on a (merged) tree: SIDs, SMRs, groups, context banks, carve-outs')
      .argument('<base>', 'base tree: .dtb (a merged one works), or a source')
      .argument('[overlays...]', 'overlays applied first (.dtbo or /plugin/ sources)')
      .option('--el <level>', 'exception level Linux runs at: 1 (under Gunyah) or 2 (default: 2 when an EL2 overlay was applied)')
      .option('--soc <name>', 'SoC profile (schemas/soc/<name>.yaml; default: from the root compatible)')
      .option('--profile <file>', 'a profile file (may `extends` a shipped one) to override SMMU parameters or SoC facts')
      .option('--format <format>', 'text, json, svg or html', 'text')
      .option('--order <order>', 'probe order: tree (default), reverse, pairs (both orders for every overlapping pair), or labels/paths to probe first, comma-separated')
      .option('--smmu <label.key=value>', 'override an SMMU model parameter, e.g. apps_smmu.numMappingGroups=64 (`*` for every SMMU; repeatable)', collect, [])
      .option('--rsc-table <file>', 'resource-table fixture (YAML) for the devmem checks')
      .option('--bindings <dir>', 'Documentation/devicetree/bindings of the kernel in use (for pas/iommus-binding-version)')
      .option('-o, --output <file>', 'output file ("-" for stdout)', '-')
      .addOption(failOnOption())
      .option('-q, --quiet', 'text: print only the findings'),
  )
    .action((base: string, overlays: string[], opts: SimulateCliOptions) => run(simulateCommand(base, overlays, opts)));
}

function usage(message: string): number {
  process.stderr.write(`dtoverlay-check simulate: ${message}\n`);
  return EXIT_USAGE;
}

export async function simulateCommand(baseFile: string, overlayFiles: string[], opts: SimulateCliOptions): Promise<number> {
  if (!FORMATS.includes(opts.format)) return usage(`unknown format '${opts.format}' (${FORMATS.join(', ')})`);
  if (opts.el !== undefined && opts.el !== '1' && opts.el !== '2') return usage(`--el must be 1 or 2, not '${opts.el}'`);
  const order = parseOrder(opts.order);
  if (!order) return usage(`unknown --order '${opts.order}'`);
  const bad = pathProblem([['--profile', opts.profile, 'file'], ['--rsc-table', opts.rscTable, 'file'], ['--bindings', opts.bindings, 'folder']]);
  if (bad) return usage(bad);

  const sources = await sourceOptionsFor(baseFile, opts);
  try {
    const pas = await import('../pas/index.js');
    const { loadComposition } = await import('../pas/inputs.js');
    const composition = await loadComposition(baseFile, overlayFiles, sources.options);
    if (!opts.quiet && opts.format === 'text') for (const m of composition.messages) process.stderr.write(`${m}\n`);
    if (!composition.tree) {
      for (const d of composition.diagnostics) process.stderr.write(await textOf(d));
      if (opts.format === 'json') await writeOutput(opts.output, Buffer.from(JSON.stringify({ diagnostics: composition.diagnostics, simulation: null }, null, 2) + '\n'), { inputs: [baseFile, ...overlayFiles] });
      return exitStatusFor(composition.diagnostics, opts.failOn);
    }
    let profile;
    if (opts.profile) profile = await pas.loadProfileFile(opts.profile);
    else if (opts.soc) profile = await pas.loadProfile(opts.soc);
    else {
      const { compatibles } = await import('../pas/dt.js');
      profile = await pas.profileForCompatibles(compatibles(composition.tree.root));
    }
    profile = pas.withSmmuOverrides(profile, opts.smmu);
    const resourceTables = opts.rscTable ? await pas.loadResourceTables(opts.rscTable) : undefined;
    const result = pas.simulate(composition.tree, profile, {
      el: opts.el === '1' ? 1 : opts.el === '2' ? 2 : undefined,
      order,
      changed: composition.changed,
      targeted: composition.targeted,
      overlays: composition.overlays,
      resourceTables,
      bindingsDir: opts.bindings,
    });
    const diagnostics = [...composition.diagnostics, ...result.diagnostics];
    let output: string;
    if (opts.format === 'json') output = JSON.stringify({ diagnostics, simulation: result.simulation }, null, 2) + '\n';
    else if (opts.format === 'svg') output = (await import('../report/sid-map-svg.js')).renderSidMapSvg(result.simulation, diagnostics);
    else if (opts.format === 'html') output = (await import('../report/sid-map-html.js')).renderSidMapHtml(result.simulation, diagnostics);
    else output = (await import('../report/sid-map-text.js')).formatSimulationText(diagnostics, result.simulation, { quiet: opts.quiet });
    await writeOutput(opts.output, Buffer.from(output, 'utf8'), { inputs: [baseFile, ...overlayFiles] });
    return exitStatusFor(diagnostics, opts.failOn);
  } catch (err) {
    if (err instanceof DiagnosticError) {
      const d = err.diagnostic;
      process.stderr.write(`${d.span ? `${formatSpan(d.span)}: ` : ''}error: ${d.message}\n`);
      // an unreadable input or profile is an input error whatever --fail-on says; a source that does not compile is a finding
      if (d.rule.startsWith('pas/profile') || d.rule === 'input/read') return EXIT_USAGE;
      return opts.failOn === 'never' ? 0 : EXIT_FINDINGS;
    }
    throw err;
  } finally {
    sources.dispose();
  }
}

async function textOf(d: Diagnostic): Promise<string> {
  return (await import('../report/sid-map-text.js')).formatDiagnostic(d);
}

type Order = { kind: 'tree' } | { kind: 'reverse' } | { kind: 'pairs' } | { kind: 'first'; names: string[] };

function parseOrder(text: string | undefined): Order | undefined {
  if (text === undefined || text === 'tree') return { kind: 'tree' };
  if (text === 'reverse') return { kind: 'reverse' };
  if (text === 'pairs') return { kind: 'pairs' };
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length ? { kind: 'first', names } : undefined;
}
