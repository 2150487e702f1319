/** Shared helpers of the PAS tests: the Lemans trees from ../shared/corpus, built once per test file. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadTree, type LoadedTree } from '../../src/overlay/inputs.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import type { Property, Tree } from '../../src/tree/model.js';
import { repoRoot, sharedDir } from '../support/shared.js';

export const corpusLinux = path.join(sharedDir, 'corpus/linux');
export const qcomDir = path.join(corpusLinux, 'arch/arm64/boot/dts/qcom');
export const el2Overlay = path.join(qcomDir, 'lemans-el2.dtso');
export const fixtures = path.join(repoRoot, 'fixtures/pas');
export const kernelSourceOptions = { cpp: true, includeDirs: [path.join(corpusLinux, 'include'), qcomDir], defines: [] };

const cache = new Map<string, Promise<LoadedTree>>();

/** A corpus board or overlay compiled from source with our preprocessor (falls back to GNU cpp). */
export function kernelTree(file: string): Promise<LoadedTree> {
  let p = cache.get(file);
  if (!p) {
    p = loadTree(file, kernelSourceOptions).catch(async (err) => {
      console.warn(`our --cpp failed on ${file} (${(err as Error).message}); using GNU cpp`);
      const text = execFileSync('cpp', ['-nostdinc', '-I', 'include', '-I', 'arch/arm64/boot/dts/qcom', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file], { cwd: corpusLinux, encoding: 'latin1' });
      const { compile, defaultCompileOptions } = await import('../../src/compile/index.js');
      const result = await compile({ file, text }, { ...defaultCompileOptions(), inputs: [file], inputFormat: 'dts', outputFormat: 'dtb', symbols: true });
      if (!result.tree) throw err;
      return { file, tree: result.tree, fromSource: true, messages: [], diagnostics: [] };
    });
    cache.set(file, p);
  }
  return p;
}

export interface Merged {
  tree: Tree;
  changed: Set<Property>;
  overlays: string[];
}

/** BASE with the overlays applied, keeping which properties they set. */
export async function merged(baseFile: string, overlayFiles: string[]): Promise<Merged> {
  const base = await kernelTree(baseFile);
  const overlays = await Promise.all(overlayFiles.map((f) => kernelTree(f)));
  const applied = applyOverlays(
    base.tree,
    overlays.map((o) => ({ tree: o.tree, name: o.file })),
  );
  return { tree: applied.tree, changed: applied.touched, overlays: overlayFiles.map((f) => path.basename(f)) };
}

/** ../shared/kernel-dt (Linux v7.1): the six SoCs with an upstream EL2 overlay. */
export const kernelDt = path.join(sharedDir, 'kernel-dt');
export const kernelDtQcom = path.join(kernelDt, 'src/arm64/qcom');
const kernelDtOptions = { cpp: true, includeDirs: [path.join(kernelDt, 'include'), kernelDtQcom, path.join(kernelDt, 'src')], defines: [] };
const kernelDtCache = new Map<string, Promise<LoadedTree>>();

/** A kernel-dt board or overlay compiled from source with our preprocessor, once per test file. */
export function kernelDtTree(file: string): Promise<LoadedTree> {
  let p = kernelDtCache.get(file);
  if (!p) kernelDtCache.set(file, (p = loadTree(file, kernelDtOptions)));
  return p;
}

/** A kernel-dt board with overlays applied (already loaded trees, e.g. a mutated overlay). */
export async function mergedKernelDt(board: string, overlays: LoadedTree[]): Promise<Merged> {
  const base = await kernelDtTree(path.join(kernelDtQcom, board));
  const applied = applyOverlays(
    base.tree,
    overlays.map((o) => ({ tree: o.tree, name: o.file })),
  );
  return { tree: applied.tree, changed: applied.touched, overlays: overlays.map((o) => path.basename(o.file)) };
}
