/**
 * `review PATCH|MBOX --tree LINUX`: what a patch (series) changes in each board and composition it
 * affects. Two worktrees of the tree at HEAD, the patch applied in one; for each affected target
 * the merged tree before and after is diffed, and the findings are compared: only those the patch
 * introduced (and, listed apart, those it fixed) are reported. A target the patch adds is compared
 * with its base board as it was before.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { newSession } from '../compile/index.js';
import { VERSION } from '../check/version.js';
import { runCheck } from '../check/run.js';
import { defaultCheckOptions } from '../check/options.js';
import { diffTrees, type TreeDiff } from '../diff/diff.js';
import { findKernelLayout, type KernelLayout } from '../kernel/layout.js';
import { discoverTargets, type KernelTarget } from '../kernel/targets.js';
import { affectedTargets } from '../kernel/run.js';
import { realpath } from '../kernel/includes.js';
import { dedupeDiagnostics, sortDiagnostics } from '../report/order.js';
import { summarize, type Report } from '../report/types.js';
import { compareFindings, rebaseFinding } from './compare.js';
import { addWorktree, applyPatch, ReviewError, type Worktree } from './worktree.js';

export interface ReviewOptions {
  patch: string;
  tree: string;
  rev: string;
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: 1 | 2;
}

export interface BoardReview {
  name: string;
  /** 'new' when the patch adds the target. */
  status: 'changed' | 'new' | 'removed' | 'failed';
  /** What it is compared with: the same target before, or (new targets) its base board before. */
  comparedWith: string;
  diff?: TreeDiff;
  introduced: Diagnostic[];
  fixed: Diagnostic[];
}

export interface ReviewRun {
  report: Report;
  boards: BoardReview[];
}

interface Side {
  worktree: Worktree;
  layout: KernelLayout;
  targets: Map<string, KernelTarget>;
}

function openSide(repo: string, rev: string): Side {
  const worktree = addWorktree(repo, rev);
  try {
    const layout = findKernelLayout(worktree.dir);
    return { worktree, layout, targets: new Map(discoverTargets(layout).map((t) => [t.name, t])) };
  } catch (err) {
    worktree.remove();
    throw err;
  }
}

function closeSide(side: Side | undefined): void {
  if (!side) return;
  side.layout.dispose();
  side.worktree.remove();
}

export async function runReview(options: ReviewOptions): Promise<ReviewRun> {
  let before: Side | undefined;
  let after: Side | undefined;
  try {
    before = openSide(options.tree, options.rev);
    after = openSide(options.tree, options.rev);
    const touched = applyPatch(after.worktree.dir, options.patch);
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
    const boards: BoardReview[] = [];
    const introducedAll: Diagnostic[] = [];
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
      const a = after.worktree.dir;
      const b = before.worktree.dir;
      const userTree = path.resolve(options.tree);
      const compared = compareFindings(beforeRun?.report.diagnostics ?? [], b, afterRun.report.diagnostics, a);
      const introduced = compared.introduced.map((d) => rebaseFinding(d, a, userTree));
      const fixed = compared.fixed.map((d) => rebaseFinding(d, b, userTree));
      const diff = beforeRun?.merged && afterRun.merged ? diffTrees(beforeRun.merged, afterRun.merged) : undefined;
      if (diff) for (const c of diff.properties) if (c.span) c.span = rebaseFinding({ rule: 'x/x', severity: 'info', message: '', span: c.span }, c.span.file.startsWith(a) ? a : b, userTree).span;
      boards.push({
        name: target.name,
        status: !afterRun.merged ? 'failed' : isNew ? 'new' : 'changed',
        comparedWith: reference ? (isNew ? `${reference.name} before the patch` : 'itself before the patch') : 'nothing (no base before the patch)',
        diff,
        introduced,
        fixed,
      });
      introducedAll.push(...introduced);
    }
    for (const [name, t] of before.targets) {
      if (!after.targets.has(name) && !t.missing.length) boards.push({ name, status: 'removed', comparedWith: 'itself before the patch', introduced: [], fixed: [] });
    }
    const diagnostics = sortDiagnostics(dedupeDiagnostics(introducedAll));
    const report: Report = {
      tool: { name: 'dtoverlay-check', version: VERSION },
      command: 'review',
      inputs: [options.patch],
      stages: [],
      diagnostics,
      summary: summarize(diagnostics),
      diff: boards.map((b) => ({ board: b.name, status: b.status, comparedWith: b.comparedWith, diff: b.diff ?? null, introduced: b.introduced.length, fixed: b.fixed.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, ...(d.path ? { path: d.path } : {}) })) })),
    };
    return { report, boards };
  } finally {
    closeSide(after);
    closeSide(before);
  }
}

export { ReviewError };
