/**
 * The DTS printer against the reference dtc on all qcom boards, preprocessed by GNU cpp as the
 * kernel build does: `-I dtb -O dts` of each board's blob (`cpp ... | dtc -@ -b 0`) through
 * readDtb + printDts, and `-@ -b 0 -I dts -O dts` of each source through our compile pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { printDts } from '../../src/output/dts.js';
import { sharedOrExplain } from '../support/shared.js';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { referenceDtc } from '../support/reference.js';
import { KERNEL_DTC_ARGS, kernelBlobs, kernelSources, qcomBoards, qcomOverlays, referenceDecompile, removeKernelCache } from './reference-blobs.js';

describe.runIf(sharedOrExplain('qcom DTS output differential'))('DTS output vs dtc on the qcom boards', () => {
  const boards = qcomBoards();
  let blobs = new Map<string, Uint8Array>();
  let sources = new Map<string, Buffer>();

  beforeAll(async () => {
    sources = await kernelSources(boards);
    blobs = await kernelBlobs(boards);
  }, 420_000);
  afterAll(removeKernelCache);

  it('has all 332 boards', () => {
    expect(boards.length).toBe(332);
    expect(blobs.size).toBe(boards.length);
  });

  it('prints every board exactly as dtc -I dtb -O dts', () => {
    const mismatches: string[] = [];
    let ourMs = 0;
    for (const board of boards) {
      const blob = blobs.get(board)!;
      const reference = referenceDecompile(blob);
      expect(reference.status, `${board}: ${reference.stderr}`).toBe(0);
      const started = performance.now();
      const text = printDts(readDtb(blob, { file: board }));
      ourMs += performance.now() - started;
      if (text !== reference.stdout) mismatches.push(board);
    }
    console.log(
      `qcom -I dtb -O dts: ${boards.length - mismatches.length}/${boards.length} identical; ` +
        `readDtb+printDts ${ourMs.toFixed(0)} ms in total`,
    );
    expect(mismatches).toEqual([]);
  }, 420_000);

  it('prints every board source exactly as dtc -@ -b 0 -I dts -O dts', async () => {
    const mismatches: string[] = [];
    const args = ['-q', ...KERNEL_DTC_ARGS, '-I', 'dts', '-O', 'dts'];
    for (const board of boards) {
      const source = sources.get(board)!;
      const reference = referenceDtc([...args, 'in.dts'], { files: { 'in.dts': source } });
      expect(reference.status, `${board}: ${reference.stderr}`).toBe(0);
      const ours = await compile({ file: 'in.dts', text: source.toString('latin1') }, parseCompileArgs([...args, '-o', '-', 'in.dts']));
      if (Buffer.from(ours.output ?? []).toString('latin1') !== reference.stdout) mismatches.push(board);
    }
    console.log(`qcom -I dts -O dts: ${boards.length - mismatches.length}/${boards.length} identical`);
    expect(mismatches).toEqual([]);
  }, 420_000);

  it('prints every qcom overlay (.dtso) like dtc, from source and from its blob', async () => {
    const overlays = qcomOverlays();
    expect(overlays.length).toBe(25);
    const overlaySources = await kernelSources(overlays);
    const mismatches: string[] = [];
    for (const overlay of overlays) {
      const source = overlaySources.get(overlay)!;
      const args = ['-q', '-@', '-I', 'dts'];
      const reference = referenceDtc([...args, '-O', 'dts', 'in.dts'], { files: { 'in.dts': source } });
      const ours = await compile({ file: 'in.dts', text: source.toString('latin1') }, parseCompileArgs([...args, '-O', 'dts', '-o', '-', 'in.dts']));
      if (Buffer.from(ours.output ?? []).toString('latin1') !== reference.stdout) mismatches.push(`${overlay} (source)`);
      const blob = referenceDtc([...args, '-O', 'dtb', '-o', 'out.dtbo', 'in.dts'], { files: { 'in.dts': source } }).outputs['out.dtbo']!;
      if (printDts(readDtb(blob, { file: overlay })) !== referenceDecompile(blob).stdout) mismatches.push(`${overlay} (blob)`);
    }
    console.log(`qcom overlays: ${2 * overlays.length - mismatches.length}/${2 * overlays.length} identical (source and blob)`);
    expect(mismatches).toEqual([]);
  }, 420_000);
});
