/**
 * One engine under the front ends: a workspace is a folder (a Linux tree, or any folder with a
 * `.dtoverlay-check.yaml`) with a warm compile session (file contents, the preprocessor's header
 * cache, compiled inputs), the unsaved editor buffers laid over the disk, and the answer to "which
 * runs check this file": an overlay on each base a Makefile composition names, a `.dtsi` through
 * the first board that includes it, a board as built. A changed buffer drops only what read it,
 * so a one-line edit of an overlay recompiles the overlay and not its base.
 * The language server (src/lsp/) is one front end; `check` uses `compositionsOf`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newSession, type CompileSession } from '../compile/index.js';
import type { CheckRun } from '../pipeline/run.js';
import type { CheckOptions } from '../pipeline/options.js';
import type { LoadedConfig } from '../config/types.js';
import { findKernelLayout, findLinuxTree, type KernelLayout } from '../kernel/layout.js';
import { checkFlagsOf, KERNEL_DEFAULT_DTC_FLAGS } from '../kernel/makefile.js';
import type { KernelTarget } from '../kernel/targets.js';
import type { IncludeGraph } from '../kernel/includes.js';

/** One run that checks a file: a base and the overlays applied to it, compiled with these dtc flags. */
export interface CheckTarget {
  /** The Makefile's target name (`lemans-evk-el2`), or the file's name when no Makefile names it. */
  name: string;
  base: string;
  overlays: string[];
  checkFlags: { flag: string; isError: boolean }[];
}

export interface TargetRun {
  target: CheckTarget;
  run: CheckRun;
}

export interface WorkspaceSettings {
  /** dt-binding folders (default: none, as `check`; the tree's own with `bindings: true` in the server's settings). */
  bindings?: string[];
  /** No `bindings` given: validate against the Linux tree's own (Documentation/devicetree/bindings). */
  treeBindings?: boolean;
  coreSchemas?: string;
  soc?: string;
  el?: 1 | 2;
}

/** The Makefile compositions (`x-el2-dtbs := x.dtb y-el2.dtbo`) that apply `overlay`. */
export async function compositionsOf(layout: KernelLayout, overlay: string, targets?: KernelTarget[]): Promise<KernelTarget[]> {
  const { discoverTargets } = await import('../kernel/targets.js');
  const { realpath } = await import('../kernel/includes.js');
  const real = realpath(path.resolve(overlay));
  return (targets ?? discoverTargets(layout)).filter((t) => t.kind === 'composition' && !t.missing.length && t.sources.slice(1).some((s) => realpath(s) === real));
}

export class Workspace {
  readonly session: CompileSession;
  /** Unsaved buffers by real path. */
  private readonly buffers = new Map<string, string>();
  private readonly realpaths = new Map<string, string>();
  private targets?: KernelTarget[];
  private graph?: IncludeGraph;

  private constructor(
    readonly root: string,
    readonly layout: KernelLayout | undefined,
    private readonly config: LoadedConfig | undefined,
    private readonly settings: WorkspaceSettings,
  ) {
    this.session = newSession();
    this.session.unsaved = (file) => (this.buffers.size ? (this.buffers.get(file) ?? this.buffers.get(this.realpath(file))) : undefined);
  }

  /** The workspace at `root`: the Linux tree around it, if any, and its configuration file, if any. */
  static async open(root: string, settings: WorkspaceSettings = {}): Promise<Workspace> {
    const linux = findLinuxTree(root);
    const layout = linux ? findKernelLayout(linux) : undefined;
    const { loadConfigFor } = await import('../config/load.js');
    const config = await loadConfigFor(root);
    return new Workspace(path.resolve(root), layout, config, settings);
  }

  dispose(): void {
    this.layout?.dispose();
  }

  realpath(file: string): string {
    let real = this.realpaths.get(file);
    if (real === undefined) {
      try {
        real = fs.realpathSync(file);
      } catch {
        real = path.resolve(file);
      }
      this.realpaths.set(file, real);
    }
    return real;
  }

  /** An editor's buffer for `file` (its unsaved text): what every later run reads instead of the disk. */
  setBuffer(file: string, text: string): void {
    const real = this.realpath(file);
    if (this.buffers.get(real) === text) return;
    this.buffers.set(real, text);
    void this.changed([real]);
  }

  /** The buffer is closed: the disk is read again. */
  closeBuffer(file: string): void {
    const real = this.realpath(file);
    if (this.buffers.delete(real)) void this.changed([real]);
  }

  /** A file changed on disk or in a buffer: forget what read it (tokens, file bytes, compiled inputs). */
  async changed(files: string[]): Promise<void> {
    const set = new Set(files.map((f) => this.realpath(f)));
    const hit = (p: string) => set.has(this.realpath(p));
    const { PreprocessCache } = await import('../preprocess/index.js');
    if (this.session.preprocessCache instanceof PreprocessCache) this.session.preprocessCache.forget(hit);
    for (const key of this.session.files.keys()) if (hit(key)) this.session.files.delete(key);
    const { forgetCompiledInputs } = await import('../pipeline/run.js');
    forgetCompiledInputs(this.session, hit);
    // a Makefile edit can add or remove compositions
    if (files.some((f) => path.basename(f) === 'Makefile')) this.targets = undefined;
  }

  private async kernelTargets(): Promise<KernelTarget[]> {
    if (!this.layout) return [];
    if (!this.targets) {
      const { discoverTargets } = await import('../kernel/targets.js');
      this.targets = discoverTargets(this.layout);
    }
    return this.targets;
  }

  /** The runs that check `file`: see the file's opening comment. */
  async targetsFor(file: string): Promise<CheckTarget[]> {
    const abs = path.resolve(file);
    const real = this.realpath(abs);
    const alone: CheckTarget = { name: path.basename(abs).replace(/\.[^.]*$/, ''), base: abs, overlays: [], checkFlags: this.layout ? checkFlagsOf(KERNEL_DEFAULT_DTC_FLAGS) : [] };
    if (!this.layout) return [alone];
    const targets = await this.kernelTargets();
    const asTarget = (t: KernelTarget): CheckTarget => ({ name: t.name, base: t.sources[0]!, overlays: t.sources.slice(1), checkFlags: t.checkFlags });
    if (/\.dtso$/i.test(abs)) {
      const compositions = await compositionsOf(this.layout, abs, targets);
      return compositions.length ? compositions.map(asTarget) : [alone];
    }
    const board = targets.find((t) => t.kind === 'board' && !t.missing.length && this.realpath(t.sources[0]!) === real);
    if (board) return [asTarget(board)];
    if (/\.dtsi$/i.test(abs)) {
      const { IncludeGraph } = await import('../kernel/includes.js');
      this.graph ??= new IncludeGraph([this.layout.includePrefixes], this.layout.root);
      const graph = this.graph;
      const first = targets.find((t) => t.kind === 'board' && !t.missing.length && graph.closure(t.sources[0]!).has(real));
      if (first) return [asTarget(first)];
    }
    return [alone];
  }

  /** The check options of one target in this workspace: kbuild's include layout, the configuration, the settings. */
  async optionsFor(target: CheckTarget): Promise<CheckOptions> {
    const { defaultCheckOptions } = await import('../pipeline/options.js');
    const { mergeCheckOptions } = await import('../config/apply.js');
    const options = defaultCheckOptions(target.base, target.overlays);
    options.cpp = true;
    options.checkFlags = [...target.checkFlags];
    const treeBindings = this.settings.treeBindings && this.layout?.bindings ? [this.layout.bindings] : undefined;
    mergeCheckOptions(options, this.config, { bindings: this.settings.bindings ?? treeBindings, soc: this.settings.soc, el: this.settings.el });
    if (this.settings.coreSchemas) options.coreSchemas = this.settings.coreSchemas;
    if (this.layout) {
      options.includeDirs.push(this.layout.includePrefixes);
      options.sandboxRoots = [this.layout.root];
    }
    options.session = this.session;
    options.keepSources = true;
    return options;
  }

  /** Every run that checks `file`, in order; compiled inputs nobody changed are reused. */
  async check(file: string): Promise<TargetRun[]> {
    const { runCheck } = await import('../pipeline/run.js');
    const runs: TargetRun[] = [];
    for (const target of await this.targetsFor(file)) runs.push({ target, run: await runCheck(await this.optionsFor(target)) });
    return runs;
  }

  /** The configuration's `rules:` applied to a run's findings (severity changes, rules turned off). */
  async configured(diagnostics: import('../diagnostics.js').Diagnostic[]): Promise<import('../diagnostics.js').Diagnostic[]> {
    const { applyRuleConfig } = await import('../config/rules.js');
    return applyRuleConfig(diagnostics, this.config?.config.rules);
  }
}
