/**
 * `dtoverlay-check apply BASE OVERLAY... [-o OUT] [-O dtb|dts|json]`: a drop-in for
 * `fdtoverlay -i BASE -o OUT OVERLAY...` on blobs, which also takes sources and explains failures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { DiagnosticError, formatSpan, type Diagnostic } from '../diagnostics.js';
import { EXIT_USAGE } from './exit-codes.js';
import { addSourceOptions, sourceOptionsFor, type SourceCliOptions } from './source-options.js';
import { limitsWith } from '../limits.js';
import { writeOutput } from './output.js';
import { failOnOption } from './fail-on.js';
import { exitStatusFor, type FailOn } from '../report/types.js';

interface ApplyCliOptions extends SourceCliOptions {
  output: string;
  outFormat?: string;
  failOn: FailOn;
  quiet?: boolean;
}

export function registerApply(program: Command, run: (status: Promise<number>) => void): void {
  addSourceOptions(
    program
      .command('apply')
      .description('apply overlays to a base tree exactly like fdtoverlay (blobs or sources), and check what the overlays set')
      .argument('<base>', 'base tree: .dtb, or a source (compiled with -@)')
      .argument('<overlays...>', 'overlays: .dtbo, or /plugin/ sources')
      .option('-o, --output <file>', 'merged output ("-" for stdout)', '-')
      .option('-O, --out-format <format>', 'dtb, dts or json (default: from -o, else dtb)')
      .addOption(failOnOption())
      .option('-q, --quiet', 'do not print findings'),
  )
    .action((base: string, overlays: string[], opts: ApplyCliOptions) => run(applyCommand(base, overlays, opts)));
}

function outputFormatOf(opts: ApplyCliOptions): 'dtb' | 'dts' | 'json' | undefined {
  const format = opts.outFormat ?? (/\.dts$/i.test(opts.output) ? 'dts' : /\.json$/i.test(opts.output) ? 'json' : 'dtb');
  return format === 'dtb' || format === 'dts' || format === 'json' ? format : undefined;
}

export async function applyCommand(baseFile: string, overlayFiles: string[], opts: ApplyCliOptions): Promise<number> {
  const format = outputFormatOf(opts);
  if (!format) {
    process.stderr.write(`dtoverlay-check apply: unknown output format '${opts.outFormat}' (dtb, dts or json)\n`);
    return EXIT_USAGE;
  }
  const inputs = [baseFile, ...overlayFiles].map((f) => path.resolve(f));
  if (opts.output !== '-' && inputs.includes(path.resolve(opts.output))) {
    process.stderr.write(`dtoverlay-check apply: refusing to overwrite input ${opts.output}\n`);
    return EXIT_USAGE;
  }
  const { loadTree } = await import('../overlay/inputs.js');
  const { applyOverlays } = await import('../overlay/apply.js');
  const { appliedBlob } = await import('../overlay/blob.js');
  const { checkOverlayPhandleArgs } = await import('../overlay/arity.js');
  const { OverlayError } = await import('../overlay/errors.js');
  const maxOverlays = limitsWith(opts.limit).overlays;
  if (overlayFiles.length > maxOverlays) {
    process.stderr.write(`${overlayFiles[maxOverlays]}:1:1: error: ${overlayFiles.length} overlays exceeds the limit of ${maxOverlays} (--limit overlays=N to change it)\n`);
    return EXIT_USAGE;
  }

  const sources = await sourceOptionsFor(baseFile, opts);
  const sourceOptions = sources.options;
  try {
    const base = await loadTree(baseFile, sourceOptions);
    const overlays = [];
    for (const file of overlayFiles) overlays.push(await loadTree(file, sourceOptions));
    for (const loaded of [base, ...overlays]) for (const m of loaded.messages) if (!opts.quiet) process.stderr.write(`${m}\n`);

    let applied;
    try {
      applied = applyOverlays(
        base.tree,
        overlays.map((o) => ({ tree: o.tree, name: o.file })),
        { maxOverlays },
      );
    } catch (err) {
      if (!(err instanceof OverlayError)) throw err;
      printError(err.diagnostic);
      return exitStatusFor([err.diagnostic], opts.failOn);
    }
    const findings = checkOverlayPhandleArgs(applied.tree, applied.touched);
    if (!opts.quiet) for (const f of findings) await printWarning(f);

    const blob = appliedBlob(applied);
    let output: Uint8Array;
    if (format === 'dtb') output = blob;
    else if (format === 'dts') {
      // Exactly what `dtc -I dtb -O dts` prints for fdtoverlay's output.
      const { readDtb } = await import('../dtb/read.js');
      const { printDts } = await import('../output/dts.js');
      output = Buffer.from(printDts(readDtb(blob)), 'latin1');
    } else {
      // The merged tree with spans: each property says which line (base or overlay) set it.
      const { printJson } = await import('../output/json.js');
      output = Buffer.from(printJson(applied.tree, findings));
    }
    await writeOutput(opts.output, output, { inputs });
    // dtc's warnings from compiling sources count as findings too
    return exitStatusFor([...base.diagnostics, ...overlays.flatMap((o) => o.diagnostics), ...findings], opts.failOn);
  } catch (err) {
    if (err instanceof DiagnosticError) {
      printError(err.diagnostic);
      // an input that cannot be read is an input error; one that does not compile, a finding
      return err.diagnostic.rule === 'input/read' ? EXIT_USAGE : exitStatusFor([err.diagnostic], opts.failOn);
    }
    throw err;
  } finally {
    sources.dispose();
  }
}

function printError(d: Diagnostic): void {
  process.stderr.write(`${d.span ? `${formatSpan(d.span)}: ` : ''}error: ${d.message}\n`);
}

/** dtc's warning format, so editors and `make dtbs` log readers pick it up. */
async function printWarning(d: Diagnostic): Promise<void> {
  const { formatDtcDiagnostic } = await import('../dtc-checks/format.js');
  process.stderr.write(formatDtcDiagnostic({ ...d, rule: d.rule.replace('/', '_').replace(/-/g, '_') }, { outname: 'merged tree' }));
  for (const r of d.related ?? []) process.stderr.write(`  ${r.message}: ${formatSpan(r.span)}\n`);
}
