/** Shared helpers of the overlay tests: reference blobs from the bundled dtc, and our apply. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverlays } from '../../src/overlay/apply.js';
import { appliedBlob, readBlobForOverlay } from '../../src/overlay/blob.js';
import { OverlayError } from '../../src/overlay/errors.js';
import { runTool } from '../../src/dtc-wasm/index.js';
import { sharedDir } from '../support/shared.js';

export const dtcTests = path.join(sharedDir, 'dtc-tests');
export const corpusLinux = path.join(sharedDir, 'corpus/linux');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Compiles `src` (relative to cwd) with the reference dtc; returns the blob or undefined when dtc fails. */
export function referenceBlob(src: string, cwd: string, flags: string[] = ['-@']): Uint8Array | undefined {
  const out = path.join(tempDir('refblob-'), 'out.dtb');
  const r = runTool('dtc', [...flags, '-I', 'dts', '-O', 'dtb', '-o', out, src], { cwd });
  const blob = r.status === 0 ? new Uint8Array(fs.readFileSync(out)) : undefined;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return blob;
}

/** fdtoverlay's result: the merged bytes, or its stderr when it fails. */
export function referenceApply(base: Uint8Array, overlays: Uint8Array[]): { blob?: Uint8Array; stderr: string } {
  const work = tempDir('refapply-');
  try {
    fs.writeFileSync(path.join(work, 'base.dtb'), base);
    const names = overlays.map((o, i) => {
      fs.writeFileSync(path.join(work, `ov${i}.dtbo`), o);
      return `ov${i}.dtbo`;
    });
    const r = runTool('fdtoverlay', ['-i', 'base.dtb', '-o', 'out.dtb', ...names], { cwd: work });
    return r.status === 0 ? { blob: new Uint8Array(fs.readFileSync(path.join(work, 'out.dtb'))), stderr: '' } : { stderr: r.stderr.toString() };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Our result on the same blobs: merged bytes, or the OverlayError. */
export function ourApply(base: Uint8Array, overlays: Uint8Array[]): { blob?: Uint8Array; error?: OverlayError } {
  try {
    const applied = applyOverlays(
      readBlobForOverlay(base, 'base.dtb'),
      overlays.map((o, i) => ({ tree: readBlobForOverlay(o, `ov${i}.dtbo`), name: `ov${i}.dtbo` })),
    );
    return { blob: appliedBlob(applied) };
  } catch (err) {
    if (err instanceof OverlayError) return { error: err };
    throw err;
  }
}

/** GNU cpp as the kernel runs it on a corpus file; undefined when cpp is not installed. */
export function kernelCpp(file: string): string | undefined {
  try {
    return execFileSync('cpp', ['-nostdinc', '-I', 'include', '-I', 'arch/arm64/boot/dts/qcom', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file], {
      cwd: corpusLinux,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}
