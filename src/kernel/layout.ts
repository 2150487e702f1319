/**
 * Where a Linux tree keeps its device trees: the kernel's `arch/<arch>/boot/dts/` or the
 * devicetree-rebasing repository's `src/<arch>/`; its dt-bindings headers (`include/`), its
 * binding schemas and the include prefixes the kernel's cpp and dtc see
 * (`scripts/dtc/include-prefixes`: `arm64` → the arm64 dts folder, `dt-bindings` → the headers).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFlagsOf, KERNEL_DEFAULT_DTC_FLAGS } from './makefile.js';
import { InputError } from '../diagnostics.js';
import { makeWatchedFolder } from '../janitor.js';

export interface KernelLayout {
  root: string;
  kind: 'kernel' | 'rebasing';
  /** arch → its dts folder. */
  archDirs: Map<string, string>;
  /** The folder given to cpp and dtc as `-I`/`-i` (the kernel's include-prefixes, or one we build). */
  includePrefixes: string;
  /** dt-binding schemas, when the tree has them. */
  bindings?: string;
  /** Remove what we built for the run (a temporary include-prefixes folder). */
  dispose(): void;
}

export class LayoutError extends InputError {}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function findKernelLayout(root: string, archFilter?: string[]): KernelLayout {
  const abs = path.resolve(root);
  const archDirs = new Map<string, string>();
  let kind: KernelLayout['kind'];
  if (isDir(path.join(abs, 'arch'))) {
    kind = 'kernel';
    for (const arch of fs.readdirSync(path.join(abs, 'arch')).sort()) {
      const dts = path.join(abs, 'arch', arch, 'boot/dts');
      if (isDir(dts)) archDirs.set(arch, dts);
    }
  } else if (isDir(path.join(abs, 'src'))) {
    kind = 'rebasing';
    for (const arch of fs.readdirSync(path.join(abs, 'src')).sort()) {
      const dts = path.join(abs, 'src', arch);
      if (isDir(dts)) archDirs.set(arch, dts);
    }
  } else {
    throw new LayoutError(`${root}: not a Linux tree (no arch/*/boot/dts or src/<arch>)`);
  }
  if (archFilter?.length) {
    for (const arch of [...archDirs.keys()]) if (!archFilter.includes(arch)) archDirs.delete(arch);
    const missing = archFilter.filter((a) => !archDirs.has(a));
    if (missing.length) throw new LayoutError(`${root}: no device trees for --arch ${missing.join(', ')}`);
  }
  const bindings = [path.join(abs, 'Documentation/devicetree/bindings'), path.join(abs, 'Bindings')].find(isDir);
  const shipped = path.join(abs, 'scripts/dtc/include-prefixes');
  let includePrefixes = shipped;
  let dispose = () => {};
  if (!isDir(shipped)) {
    // Build the kernel's prefix folder from symlinks: `#include <arm64/qcom/x.dtsi>`, `<dt-bindings/…>`.
    // A temporary folder, so watched by a janitor: removed even when the run is killed (src/janitor.ts).
    const folder = makeWatchedFolder('dtoc-include-prefixes-');
    includePrefixes = folder.dir;
    const allArches = kind === 'kernel' ? path.join(abs, 'arch') : path.join(abs, 'src');
    for (const arch of fs.readdirSync(allArches)) {
      const target = kind === 'kernel' ? path.join(allArches, arch, 'boot/dts') : path.join(allArches, arch);
      if (isDir(target)) fs.symlinkSync(target, path.join(includePrefixes, arch));
    }
    if (isDir(path.join(abs, 'include/dt-bindings'))) fs.symlinkSync(path.join(abs, 'include/dt-bindings'), path.join(includePrefixes, 'dt-bindings'));
    dispose = () => {
      fs.rmSync(folder.dir, { recursive: true, force: true });
      folder.dismiss();
    };
  }
  return { root: abs, kind, archDirs, includePrefixes, bindings, dispose };
}

/**
 * Every Makefile under a dts folder (kbuild descends through subdir-y; we take them all). Folders
 * are visited once by real path (a link loop such as `ln -s . l1` ends), and, given the tree's
 * `root`, only those inside it by real path.
 */
export function dtsMakefiles(dir: string, root?: string): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const realRoot = root && realOrNull(root);
  const walk = (d: string) => {
    const real = realOrNull(d);
    if (!real || visited.has(real)) return;
    if (realRoot && real !== realRoot && !real.startsWith(realRoot + path.sep)) return;
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      // Trees assembled from symlinks (tests, some CI caches) are walked like real folders.
      if (e.isDirectory() || (e.isSymbolicLink() && isDir(p))) walk(p);
      else if (e.name === 'Makefile') out.push(p);
    }
  };
  walk(dir);
  return out;
}

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return null;
  }
}

/** The Linux tree around `dir`, if any: the nearest folder above with arch/ARCH/boot/dts, or src/ and Bindings/ (devicetree-rebasing). */
export function findLinuxTree(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    const arch = path.join(d, 'arch');
    if (fs.existsSync(arch) && fs.readdirSync(arch).some((a) => fs.existsSync(path.join(arch, a, 'boot/dts')))) return d;
    if (fs.existsSync(path.join(d, 'Bindings')) && fs.existsSync(path.join(d, 'src'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/**
 * What a source inside a Linux tree is compiled with, as kbuild would: the include prefixes
 * (`#include <dt-bindings/…>`, `<arm64/…>`), the tree as include sandbox root (the prefix links
 * point into it) and the kernel's default DTC_FLAGS. One answer for check, apply, simulate,
 * validate and diff; `kernel` adds each folder's and target's own DTC_FLAGS from the Makefiles.
 */
export interface LinuxTreeInputs {
  layout: KernelLayout;
  includeDirs: string[];
  sandboxRoots: string[];
  checkFlags: { flag: string; isError: boolean }[];
}

/** What sources in `layout` are compiled with (see above). */
export function layoutInputs(layout: KernelLayout): LinuxTreeInputs {
  return { layout, includeDirs: [layout.includePrefixes], sandboxRoots: [layout.root], checkFlags: checkFlagsOf(KERNEL_DEFAULT_DTC_FLAGS) };
}

/** The Linux tree around `file`, if any; the caller disposes `layout` when the run is over. */
export function linuxTreeInputs(file: string): LinuxTreeInputs | undefined {
  const root = findLinuxTree(path.dirname(path.resolve(file)));
  return root ? layoutInputs(findKernelLayout(root)) : undefined;
}
