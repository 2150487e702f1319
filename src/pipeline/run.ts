/**
 * `check`: every stage over one base and its overlays, one list of findings.
 *   compile (each input, with dtc's checks) → apply → dtc checks on the merged tree →
 *   overlay arity checks → dt-binding validation → PAS simulation.
 * A stage that cannot run (no overlays, no bindings, an engine not in this build, an earlier
 * failure) is recorded as skipped with the reason; the run never throws for bad input.
 */
import { newSession } from '../compile/index.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Node, Property, Tree } from '../tree/model.js';
import type { Span } from '../diagnostics.js';
import { dedupeDiagnostics, sortDiagnostics } from '../report/order.js';
import { summarize, type Report, type StageName, type StageResult } from '../report/types.js';
import { loadInput, type LoadedInput } from './load.js';
import type { CheckOptions } from './options.js';
import { runPasStage, runSchemaStage } from './engines.js';
import { VERSION } from './version.js';

export interface CheckRun {
  report: Report;
  /** The merged tree (base when there are no overlays), when it could be built. */
  merged?: Tree;
  /** Every file the compiles read: inputs, includes, headers. */
  dependencies: string[];
  /** The files the overlays' compiles read: the overlays and what they include. */
  overlaySources: string[];
  /** Each input as compiled, base first (its tree and parsed source when it compiled). */
  inputs: LoadedInput[];
}

class StageLog {
  readonly stages: StageResult[] = [];
  readonly diagnostics: Diagnostic[] = [];

  async time<T>(name: StageName, body: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    const value = await body();
    this.stages.push({ name, status: 'ran', ms: Math.round(performance.now() - start) });
    return value;
  }

  skip(name: StageName, note: string, status: 'skipped' | 'failed' = 'skipped'): void {
    this.stages.push({ name, status, note });
  }
}

/**
 * Compiled inputs per session: kernel mode checks a board and then each composition built on it,
 * and the base is compiled once. Safe because no later stage modifies an input tree (apply and
 * the merged-tree checks work on copies). Only the most recently used few are kept: a worker
 * checks hundreds of boards, and every tree kept is megabytes (keeping all of them, one thread
 * held 1.4 GB over the qcom tree); in a Makefile the compositions of a board mostly come right
 * after it, so four are enough for the hits.
 */
const compiledInputs = new WeakMap<object, Map<string, LoadedInput>>();
export const COMPILED_INPUTS_KEPT = 4;

async function loadCached(file: string, options: CheckOptions, session: object & Parameters<typeof loadInput>[2]): Promise<LoadedInput> {
  let cache = compiledInputs.get(session);
  if (!cache) compiledInputs.set(session, (cache = new Map()));
  const key = JSON.stringify([file, options.cpp, options.includeDirs, options.defines, options.checkFlags, options.sandboxRoots, options.keepSources]);
  let loaded = cache.get(key);
  if (loaded) {
    // most recently used last: a Map iterates in insertion order
    cache.delete(key);
  } else {
    loaded = await loadInput(file, options, session);
  }
  cache.set(key, loaded);
  while (cache.size > COMPILED_INPUTS_KEPT) cache.delete(cache.keys().next().value!);
  return loaded;
}

/**
 * Drops the session's compiled inputs that read a changed file (an edited buffer in the language
 * server): the next run compiles them again, the others stay warm.
 */
export function forgetCompiledInputs(session: object, changed: (file: string) => boolean): void {
  const cache = compiledInputs.get(session);
  if (!cache) return;
  for (const [key, loaded] of cache) if (changed(loaded.file) || loaded.dependencies.some(changed)) cache.delete(key);
}

export async function runCheck(options: CheckOptions): Promise<CheckRun> {
  const log = new StageLog();
  const session = options.session ?? newSession();
  const inputs = [options.base, ...options.overlays];

  const loaded: LoadedInput[] = await log.time('compile', async () => {
    const out: LoadedInput[] = [];
    for (const file of inputs) out.push(await loadCached(file, options, session));
    return out;
  });
  for (const l of loaded) for (const d of l.diagnostics) log.diagnostics.push(d); // no push(...): 100k findings overflow the stack
  const read = (l: LoadedInput) => (l.dependencies.length ? l.dependencies : [l.file]);
  const dependencies = [...new Set(loaded.flatMap(read))];
  const overlaySources = [...new Set(loaded.slice(1).flatMap(read))];
  const broken = loaded.filter((l) => !l.tree).map((l) => l.file);
  const report = (merged?: Tree): CheckRun => ({ report: finish(options, inputs, log), merged, dependencies, overlaySources, inputs: loaded });
  if (broken.length) {
    const note = `${broken.join(', ')} did not compile`;
    for (const stage of ['apply', 'dtc-checks', 'overlay-checks', 'schema', 'pas'] as const) log.skip(stage, note);
    return report();
  }

  const base = loaded[0].tree as Tree;
  if (base.plugin && !options.overlays.length) {
    // An overlay alone: its references resolve only against a base, by design. What needs the
    // merged tree is skipped, and said once; the overlay's own shape is checked.
    const note = 'an overlay alone: these need a base tree to apply it to (check BASE OVERLAY)';
    log.skip('apply', note);
    log.stages.push({ name: 'dtc-checks', status: 'ran', note: 'with the compile of the overlay' });
    const { checkOverlayStructure } = await import('../overlay/structure.js');
    await log.time('overlay-checks', () => {
      for (const d of checkOverlayStructure(base)) log.diagnostics.push(d);
    });
    for (const stage of ['schema', 'pas'] as const) log.skip(stage, note);
    return report(base);
  }
  let merged = base;
  let touched: Set<Property> = new Set();
  let targeted = new Map<Node, Span>();
  if (options.overlays.length) {
    const { applyOverlays, cloneTree } = await import('../overlay/apply.js');
    const { OverlayError } = await import('../overlay/errors.js');
    let failure: Diagnostic | undefined;
    await log.time('apply', () => {
      try {
        const applied = applyOverlays(
          base,
          loaded.slice(1).map((l) => ({ tree: l.tree as Tree, name: l.file })),
        );
        merged = applied.tree;
        touched = applied.touched;
        targeted = applied.targeted;
      } catch (err) {
        if (!(err instanceof OverlayError)) throw err;
        failure = err.diagnostic;
      }
    });
    if (failure) {
      log.diagnostics.push(failure);
      for (const stage of ['dtc-checks', 'overlay-checks', 'schema', 'pas'] as const) log.skip(stage, 'the overlays did not apply');
      return report();
    }
    const { runChecks, parseCheckFlag } = await import('../dtc-checks/index.js');
    await log.time('dtc-checks', () => {
      let levels = {};
      for (const { flag, isError } of options.checkFlags) levels = parseCheckFlag(flag, isError, levels);
      // runChecks re-resolves phandles in place: check a copy, keep the merged tree as applied.
      for (const d of runChecks(cloneTree(merged), { levels, symbols: true, force: true }).diagnostics) log.diagnostics.push(d);
    });
    const { checkOverlayPhandleArgs } = await import('../overlay/arity.js');
    await log.time('overlay-checks', () => {
      for (const d of checkOverlayPhandleArgs(merged, touched)) log.diagnostics.push(d);
    });
  } else {
    log.skip('apply', 'no overlays given');
    log.stages.push({ name: 'dtc-checks', status: 'ran', note: 'with the compile of the base' });
    log.skip('overlay-checks', 'no overlays given');
  }

  await runSchemaStage(merged, options, log);
  const sim = await runPasStage(merged, { touched, targeted }, options, log);
  const run = report(merged);
  if (sim) {
    run.report.simulation = sim.simulation;
    run.report.sidMap = sim.sidMap;
  }
  return run;
}

function finish(options: CheckOptions, inputs: string[], log: StageLog): Report {
  const diagnostics = sortDiagnostics(dedupeDiagnostics(log.diagnostics));
  return {
    tool: { name: 'dtoverlay-check', version: VERSION },
    command: 'check',
    inputs,
    stages: log.stages,
    diagnostics,
    summary: summarize(diagnostics),
  };
}

export type { StageLog };
