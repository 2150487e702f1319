/**
 * The kernel's dtb targets as check jobs: a plain board (`x.dtb` from `x.dts`), a composition
 * (`x-dtbs := base.dtb a.dtbo …`: base applied with the overlays, as fdtoverlay does in kbuild)
 * or a stand-alone overlay (`y.dtbo` in a dtb list). A target whose sources are not in the tree
 * is kept, marked with what is missing. A source that resolves outside the tree by real path (a
 * `../..` part, a symbolic link pointing out) is never read: it counts as missing, and `outside`
 * says why (a patch must not make us print a file from elsewhere in an excerpt).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFlagsOf, KERNEL_DEFAULT_DTC_FLAGS, parseKbuildMakefile } from './makefile.js';
import { dtsMakefiles, type KernelLayout } from './layout.js';
import { makeSandbox, sandboxRefusal, type Sandbox } from '../sandbox.js';

export interface KernelTarget {
  /** `lemans-evk-el2` (no extension). */
  name: string;
  kind: 'board' | 'composition' | 'overlay';
  arch: string;
  /** Folder relative to the arch's dts folder: `qcom`. */
  dir: string;
  /** The Makefile's parts: `x.dtb`, `y.dtbo` (one for a board). */
  parts: string[];
  /** Sources, base first: absolute paths. */
  sources: string[];
  /** Parts whose source is not in the tree (`x.dtb` names), including those in `outside`. */
  missing: string[];
  /** Parts whose source lies outside the tree by real path, with why: never read. */
  outside: { part: string; why: string }[];
  /** DTC_FLAGS for the compile, as check flags. */
  checkFlags: { flag: string; isError: boolean }[];
}

/** `x.dtb` → `x.dts`; `y.dtbo` → `y.dtso` (or the older `y.dts`). */
export function sourceFor(dir: string, part: string): string | undefined {
  const stem = part.replace(/\.dtbo?$/, '');
  const candidates = part.endsWith('.dtbo') ? [`${stem}.dtso`, `${stem}.dts`] : [`${stem}.dts`];
  for (const c of candidates) if (fs.existsSync(path.join(dir, c))) return path.join(dir, c);
  return undefined;
}

/** Why `file` (reached through a Makefile) may not be read: it is outside the tree by real path. */
export function outsideTree(tree: Sandbox, file: string, asWritten: string): string | undefined {
  const refused = sandboxRefusal(tree, file, asWritten);
  return refused && refused.replace(/ outside the input's folder.*\((.*)\).*$/, ' outside the tree ($1)');
}

export function discoverTargets(layout: KernelLayout): KernelTarget[] {
  const targets: KernelTarget[] = [];
  const tree = makeSandbox([layout.root]);
  for (const [arch, dtsRoot] of layout.archDirs) {
    for (const makefile of dtsMakefiles(dtsRoot, layout.root)) {
      const dir = path.dirname(makefile);
      const rel = path.relative(dtsRoot, dir) || '.';
      const parsed = parseKbuildMakefile(fs.readFileSync(makefile, 'utf8'));
      const flagsFor = (stem: string) => checkFlagsOf([...KERNEL_DEFAULT_DTC_FLAGS, ...parsed.dtcFlags, ...(parsed.targetDtcFlags.get(stem) ?? [])]);
      const named = new Set<string>();
      const add = (name: string, kind: KernelTarget['kind'], parts: string[]) => {
        if (named.has(name)) return;
        named.add(name);
        const sources: string[] = [];
        const missing: string[] = [];
        const outside: KernelTarget['outside'] = [];
        for (const part of parts) {
          const src = sourceFor(dir, part);
          const why = src && outsideTree(tree, src, path.relative(dir, src));
          if (why) outside.push({ part, why });
          if (src && !why) sources.push(src);
          else missing.push(part);
        }
        targets.push({ name, kind, arch, dir: rel, parts, sources, missing, outside, checkFlags: flagsFor(parts[0].replace(/\.dtbo?$/, '')) });
      };
      // Compositions first, by their Makefile line: a composite dtb in a dtb list is built from its parts.
      for (const [name, parts] of parsed.compositions) if (parts.length) add(name, 'composition', parts);
      for (const dtb of parsed.dtbs) {
        const stem = dtb.replace(/\.dtbo?$/, '');
        if (parsed.compositions.has(stem)) continue;
        add(stem, dtb.endsWith('.dtbo') ? 'overlay' : 'board', [dtb]);
      }
    }
  }
  return targets;
}

/** `--board NAME`: exact target names, or shell-style globs (`lemans-*`). */
export function selectBoards(targets: KernelTarget[], patterns: string[]): KernelTarget[] {
  if (!patterns.length) return targets;
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return targets.filter((t) => regexes.some((r) => r.test(t.name) || r.test(`${t.dir}/${t.name}`)));
}

/** `--shard K/N`: the K-th of N interleaved slices (1-based), so every shard gets a mix of sizes. */
export function shard<T>(items: T[], k: number, n: number): T[] {
  return items.filter((_, i) => i % n === k - 1);
}
