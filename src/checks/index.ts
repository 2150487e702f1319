/**
 * dtc 1.7.2's semantic checks. `runChecks` is the check phase of a compile: it also records
 * explicit phandles, resolves references (allocating phandles in dtc's order) and deletes unused
 * `/omit-if-no-ref/` nodes, so it must run before the tree is written out.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Tree } from '../tree/model.js';
import type { PhandleFormat } from './context.js';
import { forEachLiveNode } from './context.js';
import type { CheckLevels } from './levels.js';
import { runCheckTable } from './runner.js';

export { parseCheckFlag, type CheckLevels } from './levels.js';
export { formatDtcDiagnostic, dtcPosition, type DtcFormatOptions } from './format.js';
export { checkTable, checkByName } from './registry.js';
export type { CheckDefinition, CheckMeta, CheckLevel, DefaultLevel } from './types.js';

export interface RunChecksOptions {
  /** Levels after `-W`/`-E` (build with parseCheckFlag); checks not named keep their default. */
  levels?: CheckLevels;
  /** `-f`: the tree is output even if error-level checks failed. */
  force?: boolean;
  /** `-H`; default 'epapr' (a `phandle` property only), as dtc. */
  phandleFormat?: PhandleFormat;
  /** Overlay source; defaults to `tree.plugin`. Unresolved references become 0xffffffff. */
  plugin?: boolean;
  /** `-@`: labelled `/omit-if-no-ref/` nodes are kept. */
  symbols?: boolean;
  /** dtc's `-q` count. */
  quiet?: number;
}

export interface RunChecksResult {
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  /** Some error-level check did not pass (dtc: "Input tree has errors"). */
  failed: boolean;
  /**
   * What dtc prints after the findings, if anything: the abort line (dtc then exits with
   * status 2 and writes no output) or, under `force`, the "output forced" line.
   */
  summary?: string;
  /** `failed && !force`: dtc stops here. */
  aborted: boolean;
}

export const ABORT_MESSAGE = 'ERROR: Input tree has errors, aborting (use -f to force output)';
export const FORCED_MESSAGE = 'Warning: Input tree has errors, output forced';

export function runChecks(tree: Tree, opts: RunChecksOptions = {}): RunChecksResult {
  // dtc starts the check phase with no phandles: they come only from explicit_phandles and
  // from allocation while resolving references.
  forEachLiveNode(tree.root, (n) => {
    n.phandle = 0;
  });
  const quiet = opts.quiet ?? 0;
  const { diagnostics, failed } = runCheckTable(tree, {
    levels: opts.levels,
    quiet,
    plugin: opts.plugin ?? tree.plugin,
    symbols: opts.symbols ?? false,
    phandleFormat: opts.phandleFormat ?? 'epapr',
  });
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else warnings++;
  }
  const force = opts.force ?? false;
  let summary: string | undefined;
  if (failed && !force) summary = ABORT_MESSAGE;
  else if (failed && quiet < 3) summary = FORCED_MESSAGE;
  return { diagnostics, errors, warnings, failed, summary, aborted: failed && !force };
}
