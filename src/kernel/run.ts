/**
 * `kernel`: every board and composition of a Linux tree (or those a change affects), checked in
 * parallel, in one report with a summary table.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { InputError, type Diagnostic } from '../diagnostics.js';
import { VERSION } from '../pipeline/version.js';
import { dedupeDiagnostics, sortDiagnostics } from '../report/order.js';
import { summarize, type BoardRow, type Report, type StageResult } from '../report/types.js';
import { IncludeGraph, realpath } from './includes.js';
import type { KernelJob, KernelJobResult } from './job.js';
import { dtsMakefiles, findKernelLayout, layoutInputs, type KernelLayout } from './layout.js';
import { defaultWorkerCount, runPool } from '../workers/pool.js';
import { discoverTargets, selectBoards, shard, type KernelTarget } from './targets.js';
import { parseKbuildMakefile } from './makefile.js';
import type { CheckOptions } from '../pipeline/options.js';
import { expectLongRun } from '../tiering.js';

export interface KernelOptions {
  tree: string;
  arch: string[];
  boards: string[];
  changed?: string;
  /** Files known to have changed (the pre-commit hook's staged files): targets affected by them. */
  changedFiles?: string[];
  jobs: number;
  shard?: { k: number; n: number };
  bindings: string[];
  coreSchemas?: string;
  soc?: string;
  el?: 1 | 2;
  /** Called after each target (progress). */
  onProgress?: (done: number, total: number, name: string) => void;
}

export class KernelUsageError extends InputError {}

export function defaultJobs(): number {
  return defaultWorkerCount();
}

/** Files changed since `rev` in the tree's git repository (committed, staged, unstaged, untracked). */
export function changedFiles(root: string, rev: string): Set<string> {
  const git = (args: string[]) => {
    const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new KernelUsageError(`--changed ${rev}: git ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout;
  };
  const top = git(['rev-parse', '--show-toplevel']).trim();
  const names = [...git(['diff', '--name-only', rev, '--']).split('\n'), ...git(['ls-files', '--others', '--exclude-standard']).split('\n')];
  return new Set(names.filter(Boolean).map((n) => realpath(path.join(top, n))));
}

/**
 * Check options for one source checked on its own inside a Linux tree: includes resolved as kbuild
 * does (`<dt-bindings/…>`, `<arm64/…>`), reads kept inside the tree, kbuild's default DTC_FLAGS
 * (flags already in `options`, e.g. from the config's `rules:`, still win).
 */
export function withKernelLayout(options: CheckOptions, layout: KernelLayout): CheckOptions {
  const inputs = layoutInputs(layout);
  options.includeDirs.push(...inputs.includeDirs);
  options.sandboxRoots = inputs.sandboxRoots;
  options.checkFlags = [...inputs.checkFlags, ...options.checkFlags];
  return options;
}

/** Targets whose sources, or anything they include, changed. */
export function affectedTargets(targets: KernelTarget[], layout: KernelLayout, changed: Set<string>, graph = new IncludeGraph([layout.includePrefixes], layout.root)): KernelTarget[] {
  return targets.filter((t) => t.sources.some((src) => [...graph.closure(src)].some((f) => changed.has(f))));
}

/** A file's text at `rev`, or undefined when it did not exist there (or the tree is not in git). */
function gitShow(root: string, rev: string, file: string): string | undefined {
  const top = spawnSync('git', ['-C', root, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  if (top.status !== 0) return undefined;
  const rel = path.relative(realpath(top.stdout.trim()), realpath(file)).split(path.sep).join('/');
  const r = spawnSync('git', ['-C', root, 'show', `${rev}:${rel}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.status === 0 ? r.stdout : undefined;
}

/**
 * Targets whose Makefile entry a change added or altered: a new `dtb-y` entry or composition, or a
 * composition whose parts changed. `oldText` gives a Makefile's text before the change.
 */
export function makefileChangedTargets(targets: KernelTarget[], layout: KernelLayout, changed: Set<string>, oldText: (makefile: string) => string | undefined): KernelTarget[] {
  const before = new Map<string, ReturnType<typeof parseKbuildMakefile> | null>();
  const out: KernelTarget[] = [];
  for (const t of targets) {
    const dtsRoot = layout.archDirs.get(t.arch);
    if (!dtsRoot) continue;
    const makefile = path.join(dtsRoot, t.dir, 'Makefile');
    if (!changed.has(realpath(makefile))) continue;
    if (!before.has(makefile)) {
      const text = oldText(makefile);
      before.set(makefile, text === undefined ? null : parseKbuildMakefile(text));
    }
    const old = before.get(makefile);
    if (!old) {
      out.push(t);
      continue;
    }
    const oldParts = old.compositions.get(t.name);
    const was = t.kind === 'composition' ? oldParts : old.dtbs.includes(`${t.name}.dtb`) || old.dtbs.includes(`${t.name}.dtbo`) ? [] : undefined;
    const partsChanged = t.kind === 'composition' && oldParts !== undefined && oldParts.join(' ') !== t.parts.join(' ');
    if (was === undefined || partsChanged) out.push(t);
  }
  return out;
}

export interface KernelRun {
  report: Report;
  targets: KernelTarget[];
  /** Each checked target's own findings, before `report` merges them (the hook compares these). */
  results: KernelJobResult[];
}

export function planKernel(options: KernelOptions, layout: KernelLayout): KernelTarget[] {
  const all = discoverTargets(layout);
  // Checking nothing must not look like a clean run.
  if (!all.length) throw new KernelUsageError(noTargetsMessage(layout));
  const unmatched = options.boards.filter((pattern) => !selectBoards(all, [pattern]).length);
  if (unmatched.length) throw new KernelUsageError(`--board ${unmatched.join(', ')}: no such board or composition`);
  let targets = selectBoards(all, options.boards);
  const since = options.changed ?? (options.changedFiles ? 'HEAD' : undefined);
  if (since) {
    const changed = options.changed ? changedFiles(layout.root, options.changed) : new Set((options.changedFiles ?? []).map(realpath));
    const bySource = new Set(affectedTargets(targets, layout, changed));
    const byMakefile = new Set(makefileChangedTargets(targets, layout, changed, (file) => gitShow(layout.root, since, file)));
    targets = targets.filter((t) => bySource.has(t) || byMakefile.has(t));
  }
  if (options.shard) targets = shard(targets, options.shard.k, options.shard.n);
  return targets;
}

function noTargetsMessage(layout: KernelLayout): string {
  const where = [...layout.archDirs.values()].map((d) => path.relative(layout.root, d) || '.');
  const makefiles = [...layout.archDirs.values()].reduce((n, d) => n + dtsMakefiles(d).length, 0);
  return `${layout.root}: nothing to check: no dtb-y/dtb-$(CONFIG_…) targets in the Makefiles under ${where.join(', ') || '(no dts folders)'} (${makefiles} Makefile${makefiles === 1 ? '' : 's'} found)`;
}

/**
 * From this many targets on, they are checked on worker threads. Fewer (a hook's or an overlay's
 * few compositions) run in this thread, one after another: a worker starts cold (its own module
 * load and JIT), and in one thread the second and third boards reuse the first one's headers,
 * SoC .dtsi and warm code. Three lemans compositions: 1.7 s CPU in one thread, 2.5 s on two workers.
 */
export const PARALLEL_FROM = 4;

export async function runKernel(options: KernelOptions): Promise<KernelRun> {
  const layout = findKernelLayout(options.tree, options.arch);
  try {
    const targets = planKernel(options, layout);
    const bindings = options.bindings.length ? options.bindings : [];
    const buildable = targets.filter((t) => !t.missing.length);
    const jobs: KernelJob[] = buildable.map((target) => ({ target, includeDirs: [layout.includePrefixes], sandboxRoots: [layout.root], bindings, coreSchemas: options.coreSchemas, soc: options.soc, el: options.el }));
    // targets enough for workers: the optimizing compiler pays back, here and in the workers. A few
    // in this thread stay cold: a hook's three lemans compositions took 1.3 s CPU without TurboFan,
    // 2.0 s with it.
    if (jobs.length >= PARALLEL_FROM) expectLongRun();
    const results = await runPool<KernelJob, KernelJobResult>({
      kind: 'kernel',
      jobs,
      threads: jobs.length < PARALLEL_FROM ? 1 : options.jobs,
      // V8's default young generation: at 64 MB a worker (compile's) the peak RSS of -j 2 over the
      // qcom tree went from 0.72–0.79 GB to 0.87–1.21 GB, for no CPU saved (issue 17)
      runHere: async () => (await import('./job.js')).runKernelJob,
      onDone: (r, _i, done) => options.onProgress?.(done, jobs.length, r.name),
      crashed: (job, why) => ({
        name: job.target.name,
        diagnostics: [{ rule: 'internal/crash', severity: 'error', message: `checking ${job.target.name} failed: ${why}` }],
        stages: [],
        ms: 0,
        dependencies: [],
      }),
    });
    return { report: kernelReport(targets, results, options), targets, results };
  } finally {
    layout.dispose();
  }
}

/** One report over the targets' results: findings shared by boards shown once, a row per target. */
export function kernelReport(targets: KernelTarget[], results: KernelJobResult[], options: Pick<KernelOptions, 'tree'>): Report {
  const byName = new Map(results.map((r) => [r.name, r]));
  const diagnostics: Diagnostic[] = [];
  const boards: BoardRow[] = [];
  const boardsOf = new Map<Diagnostic, string>();
  for (const t of targets) {
    const parts = t.sources.map((s) => path.basename(s));
    for (const { why } of t.outside) {
      diagnostics.push({ rule: 'kernel/outside-tree', severity: 'error', message: `${t.name}: ${why}, named by the Makefile of ${t.arch}/${t.dir}; not checked` });
    }
    if (t.missing.length) {
      boards.push({ name: t.name, status: 'missing-sources', parts, missing: t.missing });
      const absent = t.missing.filter((part) => !t.outside.some((o) => o.part === part));
      if (absent.length) {
        diagnostics.push({
          rule: 'kernel/missing-source',
          severity: 'warning',
          message: `${t.name}: ${absent.join(', ')} ${absent.length === 1 ? 'has' : 'have'} no source in ${t.arch}/${t.dir} (the Makefile lists ${absent.length === 1 ? 'it' : 'them'}); not checked`,
        });
      }
      continue;
    }
    const r = byName.get(t.name);
    if (!r) continue;
    const s = summarize(r.diagnostics);
    // A target whose inputs did not compile (or whose worker crashed) is 'failed', not 'checked'.
    const compiled = r.stages.some((st) => st.name === 'compile' && st.status === 'ran') && !r.stages.some((st) => st.note?.endsWith('did not compile')) && !r.diagnostics.some((d) => d.rule === 'internal/crash');
    boards.push({ name: t.name, status: compiled ? 'checked' : 'failed', parts, errors: s.errors, warnings: s.warnings, ms: r.ms });
    for (const d of r.diagnostics) {
      diagnostics.push(d);
      boardsOf.set(d, t.name);
    }
  }
  const merged = sortDiagnostics(attributeBoards(diagnostics, boardsOf));
  return {
    tool: { name: 'dtoverlay-check', version: VERSION },
    command: 'kernel',
    inputs: [options.tree],
    stages: mergeStages(results.map((r) => r.stages)),
    diagnostics: merged,
    summary: summarize(merged),
    boards,
  };
}

/**
 * One finding per place, whichever boards share it (a warning in a .dtsi shows once), with the
 * boards it was found in added to the message: `… (in lemans-evk, qcs9100-ride and 2 more)`.
 */
function attributeBoards(diagnostics: Diagnostic[], boardsOf: Map<Diagnostic, string>): Diagnostic[] {
  const names = new Map<string, Set<string>>();
  const keyOf = (d: Diagnostic) => [d.rule, d.path ?? '', d.property ?? '', d.message, d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : ''].join('\u0000');
  for (const d of diagnostics) {
    const board = boardsOf.get(d);
    if (!board) continue;
    const k = keyOf(d);
    if (!names.has(k)) names.set(k, new Set());
    names.get(k)!.add(board);
  }
  return dedupeDiagnostics(diagnostics).map((d) => {
    const list = [...(names.get(keyOf(d)) ?? [])];
    if (!list.length) return d;
    const shown = list.length <= 3 ? list.join(', ') : `${list.slice(0, 2).join(', ')} and ${list.length - 2} more`;
    return { ...d, message: `${d.message} (in ${shown})` };
  });
}

/** A stage ran if it ran for any target; otherwise the first target's reason stands. */
function mergeStages(perTarget: StageResult[][]): StageResult[] {
  const out = new Map<string, StageResult>();
  for (const stages of perTarget) {
    for (const st of stages) {
      const seen = out.get(st.name);
      if (!seen) out.set(st.name, { name: st.name, status: st.status, ...(st.note ? { note: st.note } : {}), ms: st.ms ?? 0 });
      else {
        if (st.status === 'ran' && seen.status !== 'ran') {
          seen.status = 'ran';
          delete seen.note;
        }
        seen.ms = (seen.ms ?? 0) + (st.ms ?? 0);
      }
    }
  }
  return [...out.values()].map((st) => (st.ms ? st : { name: st.name, status: st.status, ...(st.note ? { note: st.note } : {}) }));
}
