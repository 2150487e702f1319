/**
 * The done-when on real trees: every qcom board compiled in one process with
 * `compile --cpp -i include -i src -i src/arm64/qcom -@ -b 0 -O dtb` (our preprocessor, our
 * compiler) gives the same bytes as `cpp … | dtc -@ -b 0` with GNU cpp and the bundled dtc 1.7.2.
 */
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, newSession, parseCompileArgs } from '../../src/compile/index.js';
import { KERNEL_DTC_ARGS, kernelBlobs, kernelDir, kernelSources, qcomBoards } from '../output/reference-blobs.js';
import { referenceDtc } from '../support/reference.js';
import { sharedOrExplain } from '../support/shared.js';

describe.runIf(sharedOrExplain('qcom compile differential'))('compile --cpp vs cpp | dtc on the 332 qcom boards', () => {
  const boards = qcomBoards();
  let blobs = new Map<string, Uint8Array>();

  beforeAll(async () => {
    blobs = await kernelBlobs(boards);
  }, 600_000);

  it("gives dtc's bytes for every board, in one batch", async () => {
    expect(boards.length).toBe(332);
    const options = parseCompileArgs(['--cpp', '-i', 'include', '-i', 'src', '-i', 'src/arm64/qcom', '-q', ...KERNEL_DTC_ARGS, '-O', 'dtb']);
    const session = newSession();
    const mismatches: string[] = [];
    const previous = process.cwd();
    process.chdir(kernelDir);
    const started = performance.now();
    try {
      for (const board of boards) {
        const result = await compile({ file: path.join('src/arm64/qcom', board) }, options, session);
        const expected = blobs.get(board)!;
        if (result.exitCode !== 0 || !result.output || Buffer.compare(Buffer.from(result.output), Buffer.from(expected)) !== 0) {
          mismatches.push(`${board}: ${result.exitCode} ${result.messages.slice(0, 2).join(' | ')}`);
        }
      }
    } finally {
      process.chdir(previous);
    }
    const ms = performance.now() - started;
    console.log(`qcom compile --cpp: ${boards.length - mismatches.length}/${boards.length} identical; ${ms.toFixed(0)} ms for the batch`);
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('prints the source of every 8th board as dtc -I dts -O dts does (type markers, references, labels)', async () => {
    const sample = boards.filter((_, i) => i % 8 === 0);
    const sources = await kernelSources(sample);
    const options = parseCompileArgs(['-q', ...KERNEL_DTC_ARGS, '-O', 'dts']);
    const session = newSession();
    const mismatches: string[] = [];
    for (const board of sample) {
      const text = sources.get(board)!;
      const ref = referenceDtc(['-q', ...KERNEL_DTC_ARGS, '-O', 'dts', '-o', '-', 'in.dts'], { files: { 'in.dts': text } });
      const result = await compile({ file: 'in.dts', text: text.toString('latin1') }, options, session);
      if (result.exitCode !== 0 || Buffer.from(result.output!).toString('latin1') !== ref.stdout) mismatches.push(board);
    }
    console.log(`qcom -I dts -O dts: ${sample.length - mismatches.length}/${sample.length} identical`);
    expect(mismatches).toEqual([]);
  }, 600_000);
});
