/**
 * What `check` (and `kernel`, `review`) hand to the report formatters: the findings of every stage
 * in one list, which stages ran, and, when the PAS engine ran, its simulation for the SID map.
 * The JSON format prints this shape; docs/output.schema.json describes it.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { TreeDiff } from '../diff/diff.js';

export type StageName = 'compile' | 'apply' | 'dtc-checks' | 'overlay-checks' | 'schema' | 'pas';

export interface StageResult {
  name: StageName;
  status: 'ran' | 'skipped' | 'failed';
  /** Why a stage was skipped or failed, in a sentence. */
  note?: string;
  /** Wall time in milliseconds. */
  ms?: number;
}

export interface ReportSummary {
  errors: number;
  warnings: number;
  infos: number;
  /** Findings hidden because the baseline file lists them. */
  baselined: number;
}

/** A row of the SID map: one stream-match entry (or one device's stream) on one SMMU. */
export interface SidMapRow {
  smmu: string;
  device: string;
  sid: number;
  mask: number;
  status?: string;
  note?: string;
}

/** kernel mode: one row per board or composition. */
export interface BoardRow {
  name: string;
  status: 'checked' | 'missing-sources' | 'failed';
  parts?: string[];
  missing?: string[];
  errors?: number;
  warnings?: number;
  ms?: number;
}

export interface Report {
  tool: { name: 'dtoverlay-check'; version: string };
  command: string;
  inputs: string[];
  stages: StageResult[];
  diagnostics: Diagnostic[];
  summary: ReportSummary;
  /** The PAS engine's result, as it gives it (opaque to the formatters except for the SID map). */
  simulation?: unknown;
  /** Rows for the HTML SID map, when the PAS engine ran. */
  sidMap?: SidMapRow[];
  /** kernel mode: the summary table. */
  boards?: BoardRow[];
  /** review mode: per board, the semantic diff the patch makes and the findings it introduces and fixes. */
  diff?: ReviewBoard[];
  /** review mode: the errors and warnings the patch fixes (`diagnostics` are those it introduces). */
  fixed?: Diagnostic[];
  /** review mode, not printed as JSON: the patch as the formatters quote it. */
  review?: ReviewPatch;
  /**
   * Not printed as JSON: the text of files whose findings point at text that is not on disk (review:
   * the patched worktree's files, under their path in the user's tree), by absolute path.
   */
  sourceTexts?: ReadonlyMap<string, string>;
}

/** review mode: one affected board or composition. */
export interface ReviewBoard {
  board: string;
  /** 'new' when the patch adds the target; 'failed' when its patched tree cannot be built. */
  status: 'changed' | 'new' | 'removed' | 'failed';
  /** What it is compared with: the same target before, or (new targets) its base board before. */
  comparedWith: string;
  diff: TreeDiff | null;
  /** Errors and warnings the patch introduces here, each with `boards`: every board that has it. */
  introduced: Diagnostic[];
  fixed: Diagnostic[];
}

export interface ReviewPatch {
  /** The Linux tree, absolute: the diff's paths are relative to it. */
  tree: string;
  /** `git diff` of the patched worktree against the revision (a series: all its patches in one). */
  diff: string;
  /** "On DATE, AUTHOR wrote:" from the (first) mail of an mbox. */
  attribution?: string;
  /** The PAS simulations (opaque here) of the most affected board before and after the patch: `--format html` draws both. */
  sidMap?: { board: string; before?: unknown; after?: unknown };
}

/** `mail` is review's only: a reply quoting the patch (report/mail.ts); review's `html` is its own page (report/review-html.ts). */
export type ReportFormat = 'text' | 'json' | 'sarif' | 'github' | 'html' | 'mail';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'github', 'html'];

export type FailOn = 'error' | 'warning' | 'info' | 'never';
export const FAIL_ON_LEVELS: readonly FailOn[] = ['error', 'warning', 'info', 'never'];

export function summarize(diagnostics: readonly Diagnostic[], baselined = 0): ReportSummary {
  const summary: ReportSummary = { errors: 0, warnings: 0, infos: 0, baselined };
  for (const d of diagnostics) {
    if (d.severity === 'error') summary.errors++;
    else if (d.severity === 'warning') summary.warnings++;
    else summary.infos++;
  }
  return summary;
}

/** DESIGN.md's exit codes: 1 when a finding is at or above `failOn`, else 0 (2 is for usage/input errors). */
export function exitStatusFor(diagnostics: readonly Diagnostic[], failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return diagnostics.some((d) => rank[d.severity] <= rank[failOn]) ? 1 : 0;
}
