/**
 * `dtoverlay-check validate TREE [OVERLAY...] --bindings DIR`: dt-binding validation of a tree
 * (blob or source), or of the tree the overlays make of it, as dt-validate does — with the line
 * that set each bad value. `validate-bindings DIR` checks binding files themselves.
 */
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { DiagnosticError, formatSpan, type Diagnostic } from '../diagnostics.js';
import { EXIT_FINDINGS, EXIT_USAGE } from './exit-codes.js';
import { addSourceOptions, collect, sourceOptionsFor, type SourceCliOptions } from './source-options.js';
import { limitsWith } from '../limits.js';
import { failOnOption } from './fail-on.js';
import { exitStatusFor, type FailOn } from '../report/types.js';
import { pathProblem } from './paths.js';

interface ValidateCliOptions extends SourceCliOptions {
  bindings: string[];
  coreSchemas?: string;
  unmatched?: boolean;
  onlyOverlay?: boolean;
  format: 'text' | 'json';
  failOn: FailOn;
  quiet?: boolean;
}

export function registerValidate(program: Command, run: (status: Promise<number>) => void): void {
  addSourceOptions(
    program
      .command('validate')
      .description('validate a tree (or the tree overlays make of it) against dt-bindings, like dt-validate, with source lines')
      .argument('<tree>', 'tree: .dtb, or a source')
      .argument('[overlays...]', 'overlays to apply first: .dtbo, or /plugin/ sources')
      .requiredOption('--bindings <dir>', "binding folder, e.g. the kernel's Documentation/devicetree/bindings (repeatable)", collect, [])
      .option('--core-schemas <dir>', "dt-schema's folder (schemas/ and meta-schemas/); default: dt-schema's core, vendored")
      .option('--unmatched', 'report compatibles that no schema documents (dt-validate -m)')
      .option('--only-overlay', 'report only findings in nodes the overlays touched')
      .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
      .addOption(failOnOption())
      .option('-q, --quiet', 'print nothing; the exit status tells'),
  )
    .action((tree: string, overlays: string[], opts: ValidateCliOptions) => run(validateCommand(tree, overlays, opts)));

  program
    .command('validate-bindings')
    .description("check binding files against dt-schema's meta-schemas (dt-doc-validate's job)")
    .argument('<dirs...>', 'binding folders or files')
    .option('--core-schemas <dir>', "dt-schema's folder (with meta-schemas/); default: dt-schema's, vendored")
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .addOption(failOnOption())
    .action((dirs: string[], opts: { coreSchemas?: string; format: 'text' | 'json'; failOn: FailOn }) => run(validateBindingsCommand(dirs, opts)));
}

/** Paths of the nodes whose properties an overlay set. */
function touchedNodePaths(root: import('../tree/model.js').Node, touched: Set<import('../tree/model.js').Property>): Set<string> {
  const out = new Set<string>();
  const walk = (node: import('../tree/model.js').Node): void => {
    if (node.properties.some((p) => touched.has(p))) out.add(node.path);
    node.children.forEach(walk);
  };
  walk(root);
  return out;
}

function usage(message: string, command = 'validate'): number {
  process.stderr.write(`dtoverlay-check ${command}: ${message}\n`);
  return EXIT_USAGE;
}

export async function validateCommand(treeFile: string, overlayFiles: string[], opts: ValidateCliOptions): Promise<number> {
  const bad = pathProblem([['--bindings', opts.bindings, 'file or folder'], ['--core-schemas', opts.coreSchemas, 'folder']]);
  if (bad) return usage(bad);
  const { loadTree } = await import('../overlay/inputs.js');
  const { applyOverlays } = await import('../overlay/apply.js');
  const { loadSchemaSet, validate, persistSchemaSet, nodeOfDiagnostic, missingSchemasWarning } = await import('../schema/index.js');
  const { chooseCoreSchemas } = await import('../schema/load.js');
  const sources = await sourceOptionsFor(treeFile, opts);
  const sourceOptions = sources.options;
  try {
    const base = await loadTree(treeFile, sourceOptions);
    const overlays = [];
    for (const file of overlayFiles) overlays.push(await loadTree(file, sourceOptions));
    let tree = base.tree;
    let onlyPaths: Set<string> | undefined;
    if (overlays.length) {
      const applied = applyOverlays(
        base.tree,
        overlays.map((o) => ({ tree: o.tree, name: o.file })),
        { maxOverlays: limitsWith(opts.limit).overlays },
      );
      tree = applied.tree;
      if (opts.onlyOverlay) onlyPaths = touchedNodePaths(tree.root, applied.touched);
    }
    const set = loadSchemaSet({ bindings: opts.bindings, ...(opts.coreSchemas ? { coreSchemas: opts.coreSchemas } : {}) });
    const result = validate(tree, set, { unmatched: !!opts.unmatched });
    persistSchemaSet(set);

    let diagnostics = result.diagnostics;
    let unmatched = result.unmatched;
    if (onlyPaths) {
      diagnostics = diagnostics.filter((d) => d.path !== undefined && onlyPaths!.has(d.path));
      unmatched = unmatched.filter((u) => onlyPaths!.has(u.path));
    }
    const missing = missingSchemasWarning(set, chooseCoreSchemas(opts.coreSchemas).dir);
    const problems = [...set.processed.diagnostics.filter((d) => d.severity === 'error'), ...set.runtime.diagnostics, ...(missing ? [missing] : [])];
    if (!opts.quiet) {
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ diagnostics: [...problems, ...diagnostics], unmatched }, null, 2)}\n`);
      } else {
        for (const d of problems) process.stderr.write(`${d.span ? `${formatSpan(d.span)}: ` : ''}${d.severity}: ${d.message} [${d.rule}]\n`);
        const name = path.basename(treeFile);
        for (const d of diagnostics) {
          const node = nodeOfDiagnostic.get(d);
          const where = d.span ? `${formatSpan(d.span)}: ` : `${name}: `;
          const subject = node ? `${node.name}${node.compatible !== undefined ? ` (${node.compatible})` : ''}: ` : '';
          // dt-validate's path from the validated node: child nodes, the property, the index (`phy-handle:0`).
          const below = node && d.path && d.path !== node.path && d.path.startsWith(node.path) ? d.path.slice(node.path === '/' ? 1 : node.path.length + 1).replace(/\//g, ':') : '';
          const prop = node?.below ? node.below.join(':') : [below, d.property].filter((x) => x).join(':');
          const propText = prop ? `${prop}: ` : '';
          process.stdout.write(`${where}${d.severity}: ${subject}${propText}${d.message} [${d.rule}]\n\tfrom schema $id: ${d.schema}\n`);
        }
        for (const u of unmatched) {
          process.stdout.write(`${name}: ${u.path}: failed to match any schema with compatible: [${u.compatibles.map((c) => `'${c}'`).join(', ')}]\n`);
        }
      }
    }
    // A binding that could not be compiled (an unusable pattern, an unknown $ref) left nodes unchecked: that fails.
    if (problems.some((d) => d.severity === 'error')) return EXIT_FINDINGS;
    // An undocumented compatible, asked for with --unmatched, fails like an error (dt-validate -m).
    if (unmatched.length && opts.failOn !== 'never') return EXIT_FINDINGS;
    return exitStatusFor(diagnostics, opts.failOn);
  } catch (err) {
    if (err instanceof DiagnosticError) {
      printError(err.diagnostic);
      return EXIT_USAGE;
    }
    throw err;
  } finally {
    sources.dispose();
  }
}

export async function validateBindingsCommand(dirs: string[], opts: { coreSchemas?: string; format: 'text' | 'json'; failOn?: FailOn }): Promise<number> {
  const bad = pathProblem([['', dirs, 'file or folder'], ['--core-schemas', opts.coreSchemas, 'folder']]);
  if (bad) return usage(bad, 'validate-bindings');
  const { validateBindingFiles } = await import('../schema/bindings-check.js');
  const diagnostics = validateBindingFiles(dirs, opts.coreSchemas);
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ diagnostics }, null, 2)}\n`);
  else for (const d of diagnostics) process.stdout.write(`${d.span ? `${formatSpan(d.span)}: ` : ''}${d.severity}: ${d.message} [${d.rule}]\n`);
  return exitStatusFor(diagnostics, opts.failOn ?? 'error');
}

function printError(d: Diagnostic): void {
  process.stderr.write(`${d.span ? `${formatSpan(d.span)}: ` : ''}error: ${d.message}\n`);
}
