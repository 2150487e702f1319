/**
 * The 393 DTBs behind ../shared/reference/dtschema, built as its README and build/ folder say:
 * GNU cpp (`-nostdinc -I include -I src -undef -D__DTS__ -x assembler-with-cpp`), the bundled
 * reference dtc 1.7.2 with the kernel's flags (`-@` for boards), and the bundled fdtoverlay for
 * the Makefile compositions. Blobs are kept in a cache folder keyed by the hash of the
 * preprocessed source, so a second run only re-runs cpp.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTool } from '../../../src/dtc-wasm/index.js';
import { sharedDir } from '../../support/shared.js';

export const referenceDir = path.join(sharedDir, 'reference/dtschema');
export const kernelDir = path.join(sharedDir, 'kernel-dt');
export const bindingsDir = path.join(kernelDir, 'Bindings');
export const dtschemaDir = path.join(sharedDir, 'corpus/dtschema');

const KERNEL_DTC_FLAGS = [
  '-Wno-unique_unit_address',
  '-Wno-unit_address_vs_reg',
  '-Wno-avoid_unnecessary_addr_size',
  '-Wno-alias_paths',
  '-Wno-interrupt_map',
  '-Wno-simple_bus_reg',
];

export function hasCpp(): boolean {
  try {
    execFileSync('cpp', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ReferenceEntry {
  /** DTB file name, e.g. `lemans-evk.dtb`. */
  dtb: string;
  kind: 'board' | 'composite';
  /** For composites: base dtb then overlays (dtbo names). */
  inputs: string[];
  wallSeconds: number;
}

export function readSummary(): ReferenceEntry[] {
  const lines = fs.readFileSync(path.join(referenceDir, 'summary.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [dtb, kind, inputs, , , , wall] = line.split('\t');
    return { dtb: dtb!, kind: kind as 'board' | 'composite', inputs: inputs!.split(' '), wallSeconds: Number(wall) };
  });
}

export function dtbCacheDir(): string {
  const base = process.env.DTOVERLAY_CHECK_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'dtoverlay-check');
  return path.join(base, 'reference-dtbs');
}

function preprocess(source: string, work: string): Buffer {
  const out = path.join(work, `${path.basename(source)}.tmp`);
  execFileSync('cpp', ['-nostdinc', '-I', 'include', '-I', 'src', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-o', out, source], {
    cwd: kernelDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return fs.readFileSync(out);
}

/** Compiles one board (`x.dts` → `x.dtb`, with -@) or overlay (`x.dtso` → `x.dtbo`); returns the blob's path. */
export function buildSource(name: string, cacheDir = dtbCacheDir()): string {
  const isOverlay = name.endsWith('.dtbo');
  const source = `src/arm64/qcom/${name.replace(/\.dtbo?$/, isOverlay ? '.dtso' : '.dts')}`;
  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'refdtb-'));
  try {
    const text = preprocess(source, work);
    const key = createHash('sha256').update(text).update(isOverlay ? 'overlay' : 'board').digest('hex').slice(0, 16);
    const cached = path.join(cacheDir, `${name}.${key}`);
    if (fs.existsSync(cached)) return cached;
    const tmp = path.join(work, `${name}.tmp`);
    fs.writeFileSync(tmp, text);
    const args = ['-O', 'dtb', '-o', path.join(work, name), '-b', '0', '-i', path.join(kernelDir, 'src/arm64/qcom'), '-i', path.join(kernelDir, 'include'), '-i', path.join(kernelDir, 'src'), ...KERNEL_DTC_FLAGS];
    if (!isOverlay) args.push('-@');
    args.push(tmp);
    const result = runTool('dtc', args, { cwd: work });
    if (result.status !== 0) throw new Error(`dtc failed on ${source}: ${result.stderr.toString()}`);
    fs.copyFileSync(path.join(work, name), `${cached}.part`);
    fs.renameSync(`${cached}.part`, cached);
    return cached;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Builds (or finds) the blob of one reference entry; composites are applied with the bundled fdtoverlay. */
export function buildReferenceDtb(entry: ReferenceEntry, cacheDir = dtbCacheDir()): string {
  if (entry.kind === 'board') return buildSource(entry.dtb, cacheDir);
  const parts = entry.inputs.map((i) => buildSource(i, cacheDir));
  const key = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
  const cached = path.join(cacheDir, `${entry.dtb}.${key}`);
  if (fs.existsSync(cached)) return cached;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'refdtb-'));
  try {
    const result = runTool('fdtoverlay', ['-o', path.join(work, entry.dtb), '-i', parts[0]!, ...parts.slice(1)], { cwd: work });
    if (result.status !== 0) throw new Error(`fdtoverlay failed on ${entry.dtb}: ${result.stderr.toString()}`);
    fs.copyFileSync(path.join(work, entry.dtb), `${cached}.part`);
    fs.renameSync(`${cached}.part`, cached);
    return cached;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export interface ReferenceVerdict {
  /** `node name\t$id` pairs with at least one schema error. */
  pairs: Set<string>;
  /** Node paths printed as "failed to match any schema". */
  unmatched: Set<string>;
}

/** dt-validate's output for one DTB, as (node name, $id) pairs and unmatched node paths. */
export function readReferenceVerdict(dtb: string): ReferenceVerdict {
  const text = fs.readFileSync(path.join(referenceDir, 'qcom', dtb.replace(/\.dtb$/, '.txt')), 'utf8');
  const pairs = new Set<string>();
  const unmatched = new Set<string>();
  const prefix = `${dtb}: `;
  let node: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(prefix)) {
      const rest = line.slice(prefix.length);
      const m = /^(\/\S*): failed to match any schema with compatible: /.exec(rest);
      if (m) {
        unmatched.add(m[1]!);
        node = undefined;
        continue;
      }
      // `name (compatible): ...` or `name: ...`; node names hold no space, colon or parenthesis.
      node = /^[^ :(]+/.exec(rest)?.[0];
    } else {
      const id = /^\tfrom schema \$id: (\S+)/.exec(line)?.[1];
      if (id && node !== undefined) pairs.add(`${node}\t${id}`);
    }
  }
  return { pairs, unmatched };
}
