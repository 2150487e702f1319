/**
 * Inputs for the differential suites of the DTB reader and the output formats: dtc's own test
 * sources and the kernel's qcom boards, compiled to blobs by the reference (WebAssembly) dtc.
 * Kernel blobs are cached in one temporary folder per test process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { referenceDtc, type ReferenceResult } from '../support/reference.js';
import { hasShared, sharedDir } from '../support/shared.js';

export const dtcTestsDir = path.join(sharedDir, 'dtc-tests');
export const kernelDir = path.join(sharedDir, 'kernel-dt');
export const qcomDir = path.join(kernelDir, 'src/arm64/qcom');

/** Every `.dts` of dtc's test suite, sorted. */
export function dtcTestSources(): string[] {
  if (!hasShared) return [];
  return fs.readdirSync(dtcTestsDir).filter((f) => f.endsWith('.dts')).sort();
}

/** dtc's search-path tests need their include folders (as the issue says). */
export function includeArgsFor(file: string): string[] {
  if (file.startsWith('search_paths_b')) return ['-i', 'search_dir_b', '-i', 'search_dir'];
  if (file.startsWith('search_paths')) return ['-i', 'search_dir'];
  return [];
}

/** Compiles one of dtc's test sources with the reference dtc, in its folder; undefined when dtc rejects it. */
export function compileDtcTest(file: string, extraArgs: string[] = []): Uint8Array | undefined {
  const result = referenceDtc(['-q', ...includeArgsFor(file), ...extraArgs, '-I', 'dts', '-O', 'dtb', '-o', '-', file], {
    cwd: dtcTestsDir,
  });
  if (result.status !== 0) return undefined;
  return new Uint8Array(Buffer.from(result.stdout, 'latin1'));
}

/** `dtc -I dtb -O dts` of a blob by the reference dtc. */
export function referenceDecompile(blob: Uint8Array, extraArgs: string[] = []): ReferenceResult {
  return referenceDtc(['-q', ...extraArgs, '-I', 'dtb', '-O', 'dts', 'in.dtb'], { files: { 'in.dtb': blob } });
}

export function qcomBoards(): string[] {
  if (!hasShared) return [];
  return fs.readdirSync(qcomDir).filter((f) => f.endsWith('.dts')).sort();
}

/** The qcom overlay sources (`.dtso`). */
export function qcomOverlays(): string[] {
  if (!hasShared) return [];
  return fs.readdirSync(qcomDir).filter((f) => f.endsWith('.dtso')).sort();
}

const CPP_ARGS = ['-nostdinc', '-I', 'include', '-I', 'src', '-I', 'src/arm64/qcom', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp'];

function preprocess(board: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('cpp', [...CPP_ARGS, path.join('src/arm64/qcom', board)], { cwd: kernelDir });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`cpp ${board} exited ${code}: ${Buffer.concat(err).toString()}`));
    });
  });
}

let cacheDir: string | undefined;

function cachePath(file: string): string {
  if (!cacheDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoverlay-check-qcom-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    cacheDir = dir;
  }
  return path.join(cacheDir, file);
}

/** Removes this run's cache folder (call from afterAll: pool workers may end without an 'exit' event). */
export function removeKernelCache(): void {
  if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  cacheDir = undefined;
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The boards (or overlays) preprocessed by GNU cpp as the kernel build does, a few processes at a time; cached per run. */
export async function kernelSources(boards: string[], concurrency = 4): Promise<Map<string, Buffer>> {
  const sources = new Map<string, Buffer>();
  await pool(boards, concurrency, async (board) => {
    const cached = cachePath(`${board}.pp`);
    if (fs.existsSync(cached)) sources.set(board, fs.readFileSync(cached));
    else {
      const text = await preprocess(board);
      fs.writeFileSync(cached, text);
      sources.set(board, text);
    }
  });
  return sources;
}

/** Blobs of the given boards, as the kernel build makes them (`cpp ... | dtc -@ -b 0`), by the reference dtc. */
export async function kernelBlobs(boards: string[]): Promise<Map<string, Uint8Array>> {
  const sources = await kernelSources(boards);
  const blobs = new Map<string, Uint8Array>();
  for (const board of boards) {
    const cached = cachePath(board.replace(/\.dts$/, '.dtb'));
    if (fs.existsSync(cached)) {
      blobs.set(board, new Uint8Array(fs.readFileSync(cached)));
      continue;
    }
    const result = referenceDtc(['-q', ...KERNEL_DTC_ARGS, '-I', 'dts', '-O', 'dtb', '-o', 'out.dtb', 'in.dts'], {
      files: { 'in.dts': sources.get(board)! },
    });
    const blob = result.outputs['out.dtb'];
    if (result.status !== 0 || !blob) throw new Error(`reference dtc failed on ${board}: ${result.stderr}`);
    fs.writeFileSync(cached, blob);
    blobs.set(board, blob);
  }
  return blobs;
}

/** The kernel's dtc flags for these boards (DTC_FLAGS with symbols, as `make dtbs` uses for overlays). */
export const KERNEL_DTC_ARGS = ['-@', '-b', '0'];
