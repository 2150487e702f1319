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
import { checkByName } from './registry.js';
import { runCheckTable } from './runner.js';

export { parseCheckFlag, type CheckLevels } from './levels.js';
export { formatDtcDiagnostic, dtcPosition, type DtcFormatOptions } from './format.js';
export { checkTable, checkByName } from './registry.js';
export { ASSERTION_MESSAGE } from './runner.js';
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
  /**
   * An overlay checked without its base: drop the findings that depend on the base tree (checks
   * with `needsBase`) for nodes inside fragments, instead of guessing as dtc does. Not for
   * `compile`, which reports exactly what dtc reports.
   */
  standaloneOverlay?: boolean;
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
  /** dtc stops here: `failed && !force`, or dtc 1.7.2 would crash (`crashed`). */
  aborted: boolean;
  /**
   * dtc 1.7.2 aborts on this input (an assertion on a property that is not one cell, e.g. a
   * two-cell `interrupt-parent`); the last diagnostic names the property. `force` cannot help.
   */
  crashed: boolean;
  /** Findings dropped by `standaloneOverlay`. */
  suppressed: number;
  /**
   * dtc's phandle counter after the checks (the static in get_node_phandle): the first phandle it
   * tries for the next allocation, e.g. while generating `__symbols__` under `-@`.
   */
  nextPhandle: number;
}

export const ABORT_MESSAGE = 'ERROR: Input tree has errors, aborting (use -f to force output)';
export const FORCED_MESSAGE = 'Warning: Input tree has errors, output forced';
/** What native dtc 1.7.2 prints when it aborts on the assertion `crashed` stands for. */
export const ASSERTION_ABORT = "dtc: livetree.c:438: propval_cell: Assertion `prop->val.len == sizeof(cell_t)' failed.";

export function runChecks(tree: Tree, opts: RunChecksOptions = {}): RunChecksResult {
  // dtc starts the check phase with no phandles: they come only from explicit_phandles and
  // from allocation while resolving references.
  forEachLiveNode(tree.root, (n) => {
    n.phandle = 0;
  });
  const quiet = opts.quiet ?? 0;
  const { diagnostics: all, failed, crashed, nextPhandle } = runCheckTable(tree, {
    levels: opts.levels,
    quiet,
    plugin: opts.plugin ?? tree.plugin,
    symbols: opts.symbols ?? false,
    phandleFormat: opts.phandleFormat ?? 'epapr',
  });
  const diagnostics = opts.standaloneOverlay ? all.filter(judgeableWithoutBase(all)) : all;
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else warnings++;
  }
  const force = opts.force ?? false;
  let summary: string | undefined;
  if (crashed) summary = ASSERTION_ABORT;
  else if (failed && !force) summary = ABORT_MESSAGE;
  else if (failed && quiet < 3) summary = FORCED_MESSAGE;
  return { diagnostics, errors, warnings, failed, summary, aborted: crashed || (failed && !force), crashed, suppressed: all.length - diagnostics.length, nextPhandle };
}

/** A node inside an overlay fragment: `/fragment@0/__overlay__/…` (any fragment name). */
const IN_FRAGMENT = /^\/[^/]+\/__overlay__(\/|$)/;
const FAILED_PREREQ = /^Failed prerequisite '([a-z0-9_]+)'$/;

/**
 * The filter for `standaloneOverlay`: findings of base-dependent checks inside fragments go, and
 * so do "Failed prerequisite" notes caused by a check whose findings all went.
 */
function judgeableWithoutBase(all: Diagnostic[]): (d: Diagnostic) => boolean {
  const needsBase = (rule: string) => checkByName.get(rule.slice(4))?.meta.needsBase === true;
  const dropped = (d: Diagnostic) => d.path !== undefined && IN_FRAGMENT.test(d.path) && needsBase(d.rule);
  const kept = new Set<string>();
  const hidden = new Set<string>();
  for (const d of all) {
    if (d.path === undefined) continue;
    (dropped(d) ? hidden : kept).add(d.rule.slice(4));
  }
  return (d) => {
    if (dropped(d)) return false;
    const prereq = d.path === undefined ? FAILED_PREREQ.exec(d.message)?.[1] : undefined;
    return !(prereq && hidden.has(prereq) && !kept.has(prereq));
  };
}
