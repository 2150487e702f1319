/**
 * `review PATCH|MBOX --tree LINUX`: what a patch (series) changes in each board and composition it
 * affects. Two worktrees of the tree at HEAD, the patch applied in one; for each affected target
 * the merged tree before and after is diffed, and the findings are compared: only the errors and
 * warnings the patch introduced (and, listed apart, those it fixed) are reported, each with the
 * boards it is on. A target the patch adds is compared with its base board as it was before. The
 * report carries what the formatters need once the worktrees are gone: the patch as a diff of the
 * worktree (for `--format mail`) and the patched text of the files the findings point at.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { Diagnostic, Span } from '../diagnostics.js';
import { newSession } from '../compile/index.js';
import { VERSION } from '../pipeline/version.js';
import { runCheck } from '../pipeline/run.js';
import { defaultCheckOptions } from '../pipeline/options.js';
import { diffTrees } from '../diff/diff.js';
import { findKernelLayout, type KernelLayout } from '../kernel/layout.js';
import { discoverTargets, type KernelTarget } from '../kernel/targets.js';
import { affectedTargets } from '../kernel/run.js';
import { realpath } from '../kernel/includes.js';
import { dedupeDiagnostics, diagnosticIdentity, sortDiagnostics } from '../report/order.js';
import { summarize, type Report, type ReviewBoard } from '../report/types.js';
import { applyRuleConfig } from '../config/rules.js';
import type { RuleSetting } from '../config/types.js';
import { compareFindings, rebaseFinding, rebaseSpan } from './compare.js';
import { addWorktree, applyPatch, ReviewError, type Worktree } from './worktree.js';

export interface ReviewOptions {
  patch: string;
  tree: string;
  rev: string;
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: 1 | 2;
  /** The configuration's `rules:`, applied to both sides before they are compared. */
  rules?: Record<string, RuleSetting>;
}

export interface ReviewRun {
  report: Report;
  /** The same entries as `report.diff`. */
  boards: ReviewBoard[];
}

interface Side {
  worktree: Worktree;
  layout: KernelLayout;
  targets: Map<string, KernelTarget>;
}

async function openSide(repo: string, rev: string): Promise<Side> {
  const worktree = await addWorktree(repo, rev);
  try {
    const layout = findKernelLayout(worktree.dir);
    return { worktree, layout, targets: new Map(discoverTargets(layout).map((t) => [t.name, t])) };
  } catch (err) {
    await worktree.remove();
    throw err;
  }
}

async function closeSide(side: Side | undefined): Promise<void> {
  if (!side) return;
  side.layout.dispose();
  await side.worktree.remove();
}

/** Only errors and warnings count: a note that appears or disappears is neither introduced nor fixed. */
function counted(diagnostics: readonly Diagnostic[], rules: ReviewOptions['rules']): Diagnostic[] {
  return applyRuleConfig([...diagnostics], rules).filter((d) => d.severity === 'error' || d.severity === 'warning');
}

/**
 * One finding on several boards is one finding: every copy gets the names of all the boards that
 * share it (same rule, severity, node, message and position), and the merged list has it once.
 */
function shareBoards(lists: { board: string; diagnostics: Diagnostic[] }[]): { merged: Diagnostic[]; perBoard: Diagnostic[][] } {
  const boards = new Map<string, string[]>();
  for (const { board, diagnostics } of lists) {
    for (const d of diagnostics) {
      const names = boards.get(diagnosticIdentity(d)) ?? [];
      if (!names.includes(board)) names.push(board);
      boards.set(diagnosticIdentity(d), names);
    }
  }
  const perBoard = lists.map(({ diagnostics }) => diagnostics.map((d) => ({ ...d, boards: boards.get(diagnosticIdentity(d))! })));
  return { merged: sortDiagnostics(dedupeDiagnostics(perBoard.flat())), perBoard };
}

/**
 * The patched files' text for the excerpts under the findings: the worktree is gone when the report
 * is printed, and the user's tree at the same path holds the text before the patch.
 */
function patchedTexts(files: Iterable<string>, worktree: string, tree: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    if (out.has(file) || !file.startsWith(tree + path.sep)) continue;
    try {
      out.set(file, fs.readFileSync(path.join(worktree, path.relative(tree, file)), 'latin1'));
    } catch {
      // A file the patch deleted, or not a file: no excerpt.
    }
  }
  return out;
}

export async function runReview(options: ReviewOptions): Promise<ReviewRun> {
  let before: Side | undefined;
  let after: Side | undefined;
  try {
    before = await openSide(options.tree, options.rev);
    after = await openSide(options.tree, options.rev);
    const applied = await applyPatch(after.worktree, options.patch);
    const touched = applied.touched;
    // Re-read the Makefiles: the patch may add compositions.
    after.targets = new Map(discoverTargets(after.layout).map((t) => [t.name, t]));
    const changed = new Set(touched.map(realpath));
    const touchedMakefiles = new Set(touched.filter((f) => path.basename(f) === 'Makefile').map((f) => realpath(path.dirname(f))));
    const affected = affectedTargets([...after.targets.values()].filter((t) => !t.missing.length), after.layout, changed).concat(
      // A target whose Makefile line is new or changed, even if none of its sources changed.
      [...after.targets.values()].filter((t) => !t.missing.length && !before!.targets.has(t.name) && touchedMakefiles.size > 0),
    );
    const unique = [...new Map(affected.map((t) => [t.name, t])).values()];
    const sessionBefore = newSession();
    const sessionAfter = newSession();
    const tree = path.resolve(options.tree);
    const a = after.worktree.dir;
    const b = before.worktree.dir;
    const boards: ReviewBoard[] = [];
    // The SID maps before and after of the board with the most introduced and fixed findings.
    let sidMap: NonNullable<Report['review']>['sidMap'];
    let sidMapWeight = -1;
    for (const target of unique) {
      const old = before.targets.get(target.name);
      const isNew = !old || old.missing.length > 0;
      // A new composition is compared with its base board as it was.
      const reference = isNew ? before.targets.get(path.basename(target.sources[0]).replace(/\.dts$/, '')) : old;
      const run = async (side: Side, t: KernelTarget, session: ReturnType<typeof newSession>, el = options.el) => {
        const [base, ...overlays] = t.sources;
        const opts = defaultCheckOptions(base, overlays);
        opts.cpp = true;
        opts.includeDirs = [side.layout.includePrefixes];
        opts.sandboxRoots = [side.layout.root];
        opts.checkFlags = t.checkFlags;
        opts.bindings = options.bindings;
        opts.coreSchemas = options.coreSchemas;
        opts.soc = options.soc;
        if (el) opts.el = el;
        opts.session = session;
        return runCheck(opts);
      };
      const afterRun = await run(after, target, sessionAfter);
      // Before and after are simulated at one EL (the one chosen for the patched tree), so an
      // EL2 overlay's findings are compared with the base board's at EL2.
      const el = options.el ?? (afterRun.report.simulation as { el?: 1 | 2 } | undefined)?.el;
      const beforeRun = reference && !reference.missing.length ? await run(before, reference, sessionBefore, el) : undefined;
      const afterFindings = counted(afterRun.report.diagnostics, options.rules);
      const beforeFindings = counted(beforeRun?.report.diagnostics ?? [], options.rules);
      const compared = compareFindings(beforeFindings, b, afterFindings, a);
      const introduced = compared.introduced.map((d) => rebaseFinding(d, a, tree));
      // A patched tree that cannot be built fixes nothing: the stages after the failure did not run.
      const fixed = afterRun.merged ? compared.fixed.map((d) => rebaseFinding(d, b, tree)) : [];
      const diff = beforeRun?.merged && afterRun.merged ? diffTrees(beforeRun.merged, afterRun.merged) : undefined;
      if (diff) for (const c of diff.properties) if (c.span) c.span = rebaseSpan(c.span, c.span.file.startsWith(a + path.sep) ? a : b, tree);
      const weight = introduced.length + fixed.length;
      if (weight > sidMapWeight && (afterRun.report.simulation || beforeRun?.report.simulation)) {
        sidMapWeight = weight;
        sidMap = { board: target.name, before: beforeRun?.report.simulation, after: afterRun.report.simulation };
      }
      boards.push({
        board: target.name,
        status: !afterRun.merged ? 'failed' : isNew ? 'new' : 'changed',
        comparedWith: reference ? (isNew ? `${reference.name} before the patch` : 'itself before the patch') : 'nothing (no base before the patch)',
        diff: diff ?? null,
        introduced,
        fixed,
      });
    }
    for (const [name, t] of before.targets) {
      if (!after.targets.has(name) && !t.missing.length) boards.push({ board: name, status: 'removed', comparedWith: 'itself before the patch', diff: null, introduced: [], fixed: [] });
    }
    const introduced = shareBoards(boards.map((x) => ({ board: x.board, diagnostics: x.introduced })));
    const fixed = shareBoards(boards.map((x) => ({ board: x.board, diagnostics: x.fixed })));
    boards.forEach((x, i) => {
      x.introduced = introduced.perBoard[i];
      x.fixed = fixed.perBoard[i];
    });
    const spans = introduced.merged.flatMap((d) => [d.span, ...(d.related ?? []).map((r) => r.span)]);
    const report: Report = {
      tool: { name: 'dtoverlay-check', version: VERSION },
      command: 'review',
      inputs: [options.patch],
      stages: [],
      diagnostics: introduced.merged,
      summary: summarize(introduced.merged),
      diff: boards,
      fixed: fixed.merged,
      review: { tree, diff: applied.diff, ...(applied.attribution ? { attribution: applied.attribution } : {}), ...(sidMap ? { sidMap } : {}) },
      sourceTexts: patchedTexts(spans.flatMap((s) => (s ? [s.file] : [])), a, tree),
    };
    return { report, boards };
  } finally {
    await closeSide(after);
    await closeSide(before);
  }
}

export { ReviewError };
