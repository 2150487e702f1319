/**
 * The pre-commit check: what the changed files affect, checked after the change and — unless every
 * finding should block — at HEAD, so that only the findings the change introduces are reported.
 * In a Linux tree the affected boards and compositions come from the dts Makefiles and the include
 * graph (as `kernel --changed`), and each target is compared with itself at HEAD; a changed
 * .dts/.dtso that no Makefile target builds, and every changed source outside a Linux tree, is
 * checked on its own and compared with the same file at HEAD.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedConfig } from '../config/types.js';
import { VERSION } from '../pipeline/version.js';
import { runCheck } from '../pipeline/run.js';
import { defaultCheckOptions } from '../pipeline/options.js';
import { mergeCheckOptions } from '../config/apply.js';
import { findKernelLayout, findLinuxTree } from '../kernel/layout.js';
import { discoverTargets } from '../kernel/targets.js';
import { realpath } from '../kernel/includes.js';
import { kernelReport, runKernel, withKernelLayout } from '../kernel/run.js';
import type { KernelJobResult } from '../kernel/job.js';
import type { KernelTarget } from '../kernel/targets.js';
import { dedupeDiagnostics, sortDiagnostics } from '../report/order.js';
import { summarize, type Report } from '../report/types.js';
import { compareFindings, rebaseFinding } from './compare.js';
import { headCache } from './head-cache.js';

export interface HookOptions {
  /** The changed files (absolute, in the user's tree). */
  changed: string[];
  /** The user's tree: the git top, or the working folder outside git. */
  root: string;
  /** Where the changed content is: `root` itself, or a worktree holding the staged change. */
  afterRoot: string;
  /** HEAD, to compare with; none: every finding is reported. */
  before?: BeforeSide;
  include: string[];
  jobs: number;
  config?: LoadedConfig;
}

/**
 * HEAD's side: its tree id keys the cached results (src/review/head-cache.ts), and a copy of it is
 * made only when a target is not in that cache.
 */
export interface BeforeSide {
  treeId: string;
  checkout(): Promise<string>;
}

export interface HookRun {
  /** Findings introduced by the change (all of them when there is nothing to compare with), paths in `root`. */
  report: Report;
  /** Findings found after the change that were already at HEAD (not in `report`). */
  existing: number;
  /** Sources checked on their own because no Makefile target builds them (paths in `root`). */
  unbuilt: string[];
  /** Every file the runs after the change read, in `afterRoot`. */
  read: string[];
}

/** What one side (HEAD, or the change) found: one entry per target or per source checked alone. */
interface SideRun {
  key: string;
  /** The source checked on its own (not a Makefile target). */
  file?: string;
  diagnostics: Diagnostic[];
  /** Every file the run read (sources, includes, headers). */
  dependencies: string[];
}

interface Side {
  runs: SideRun[];
  unbuilt: string[];
  /**
   * The report over the same runs with other findings (introduced or existing only); `missing`:
   * with a row and a warning for each affected target whose sources are missing.
   */
  report(findings: Map<string, Diagnostic[]>, missing?: boolean): Report;
}

const STANDALONE = /\.(dts|dtso)$/;

/** `file` under `from` as the same path under `to`. */
function move(file: string, from: string, to: string): string {
  const rel = path.relative(from, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : path.join(to, rel);
}

export async function runHook(options: HookOptions): Promise<HookRun> {
  const { root, afterRoot, before } = options;
  const after = await checkSide(options, afterRoot);
  let introduced = new Map(after.runs.map((r) => [r.key, r.diagnostics]));
  let existing = 0;
  if (before) {
    // A target without findings after the change has nothing to compare.
    const wanted = new Set(after.runs.filter((r) => r.diagnostics.length).map((r) => r.key));
    const beforeRuns = await headRuns(options, before, wanted);
    const kept = new Map<string, Diagnostic[]>();
    const old = new Map<string, Diagnostic[]>();
    for (const r of after.runs) {
      const compared = compareFindings(beforeRuns.get(r.key) ?? [], root, r.diagnostics, afterRoot);
      kept.set(r.key, compared.introduced);
      old.set(r.key, compared.existing);
    }
    introduced = kept;
    // Counted as reported: a finding in a .dtsi shared by many boards is one finding.
    existing = after.report(old, false).diagnostics.length;
  }
  const report = after.report(introduced, true);
  report.command = 'hook';
  report.inputs = report.inputs.map((f) => move(f, afterRoot, root));
  report.diagnostics = report.diagnostics.map((d) => rebaseFinding(d, afterRoot, root));
  const read = [...new Set(after.runs.flatMap((r) => r.dependencies))];
  return { report, existing, unbuilt: after.unbuilt.map((f) => move(f, afterRoot, root)), read };
}

/**
 * HEAD's findings for the `wanted` runs, with paths in `root`: from the cache where an earlier hook
 * checked HEAD's tree with the same options, the rest checked in a copy of HEAD and cached. A run HEAD does not have is cached as no findings.
 */
async function headRuns(options: HookOptions, before: BeforeSide, wanted: Set<string>): Promise<Map<string, Diagnostic[]>> {
  const found = new Map<string, Diagnostic[]>();
  if (!wanted.size) return found;
  const cache = headCache(before.treeId, cacheOptions(options), options.root);
  const missing = new Set<string>();
  for (const key of wanted) {
    const cached = cache.get(key);
    if (cached) found.set(key, cached);
    else missing.add(key);
  }
  if (!missing.size) return found;
  const dir = await before.checkout();
  const side = await checkSide(options, dir, missing);
  const runs = new Map(side.runs.map((r) => [r.key, r.diagnostics.map((d) => rebaseFinding(d, dir, options.root))]));
  for (const key of missing) {
    const diagnostics = runs.get(key) ?? [];
    found.set(key, diagnostics);
    cache.set(key, diagnostics);
  }
  return found;
}

/** What besides the tree decides a run's findings. */
function cacheOptions(options: HookOptions): unknown {
  return { include: options.include, config: options.config?.config };
}

/** Checks what the changed files affect in the copy at `side`; `only`: just these runs (by key). */
async function checkSide(options: HookOptions, side: string, only?: Set<string>): Promise<Side> {
  const changed = options.changed.map((f) => move(f, options.root, side));
  const linux = findLinuxTree(changed.length ? path.dirname(changed[0]) : move(process.cwd(), options.root, side));
  const standaloneRun = async (file: string, kernel?: Parameters<typeof withKernelLayout>[1]): Promise<SideRun> => {
    const check = mergeCheckOptions(defaultCheckOptions(file), options.config, { include: options.include });
    check.includeDirs = check.includeDirs.map((d) => move(path.resolve(d), options.root, side));
    if (kernel) withKernelLayout(check, kernel);
    const { report, dependencies } = await runCheck(check);
    return { key: `file:${path.relative(side, file)}`, file, diagnostics: report.diagnostics, dependencies };
  };
  const wantedFile = (f: string) => fs.existsSync(f) && (!only || only.has(`file:${path.relative(side, f)}`));
  if (!linux) {
    const runs: SideRun[] = [];
    for (const file of changed.filter((f) => STANDALONE.test(f) && wantedFile(f))) runs.push(await standaloneRun(file));
    return { runs, unbuilt: [], report: (findings) => standaloneReport(runs, findings) };
  }
  const config = options.config?.config;
  const layout = findKernelLayout(linux);
  try {
    const all = discoverTargets(layout);
    const built = new Set(all.flatMap((t) => t.sources.map(realpath)));
    const unbuilt = changed.filter((f) => STANDALONE.test(f) && fs.existsSync(f) && !built.has(realpath(f)));
    const standalone: SideRun[] = [];
    for (const file of unbuilt.filter(wantedFile)) standalone.push(await standaloneRun(file, layout));
    const names = only ? all.filter((t) => only.has(t.name) && !t.missing.length).map((t) => t.name) : [];
    let kernel: { targets: KernelTarget[]; results: KernelJobResult[] } = { targets: [], results: [] };
    // Before the change, the same targets by name: what they include may be what changed.
    if (!only || names.length) {
      kernel = await runKernel({
        tree: linux,
        arch: [],
        boards: names,
        ...(only ? {} : { changedFiles: changed }),
        jobs: options.jobs,
        bindings: config?.bindings ?? [],
        coreSchemas: config?.coreSchemas,
        soc: config?.soc,
        el: config?.el,
      });
    }
    const runs = [...kernel.results.map((r) => ({ key: r.name, diagnostics: r.diagnostics, dependencies: r.dependencies })), ...standalone];
    return {
      runs,
      unbuilt,
      report(findings, missing = true) {
        const results = kernel.results.map((r) => ({ ...r, diagnostics: findings.get(r.name) ?? [] }));
        const report = kernelReport(missing ? kernel.targets : kernel.targets.filter((t) => !t.missing.length), results, { tree: linux });
        const alone = standalone.flatMap((r) => findings.get(r.key) ?? []);
        if (alone.length) report.diagnostics = sortDiagnostics(dedupeDiagnostics([...report.diagnostics, ...alone]));
        report.inputs.push(...unbuilt);
        report.summary = summarize(report.diagnostics);
        return report;
      },
    };
  } finally {
    layout.dispose();
  }
}

function standaloneReport(runs: SideRun[], findings: Map<string, Diagnostic[]>): Report {
  const diagnostics = sortDiagnostics(dedupeDiagnostics(runs.flatMap((r) => findings.get(r.key) ?? [])));
  return {
    tool: { name: 'dtoverlay-check', version: VERSION },
    command: 'hook',
    inputs: runs.map((r) => r.file ?? r.key),
    stages: [],
    diagnostics,
    summary: summarize(diagnostics),
  };
}
