/**
 * readDtb + printDts against `dtc -I dtb -O dts` of the reference dtc on all qcom boards, each
 * built as the kernel does (`cpp ... | dtc -@ -b 0`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { printDts } from '../../src/output/dts.js';
import { sharedOrExplain } from '../support/shared.js';
import { kernelBlobs, qcomBoards, referenceDecompile } from './reference-blobs.js';

describe.runIf(sharedOrExplain('qcom -I dtb -O dts differential'))('readDtb + printDts vs dtc on the qcom boards', () => {
  const boards = qcomBoards();
  let blobs = new Map<string, Uint8Array>();

  beforeAll(async () => {
    blobs = await kernelBlobs(boards);
  }, 240_000);

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
  }, 240_000);
});
