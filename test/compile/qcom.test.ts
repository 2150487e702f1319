/**
 * All 332 qcom boards, preprocessed as the kernel does (GNU cpp), compiled in one process with
 * `-@ -b 0 -O dtb`: the same bytes as the bundled dtc 1.7.2 gives for the same text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, newSession, parseCompileArgs } from '../../src/compile/index.js';
import { KERNEL_DTC_ARGS, kernelBlobs, kernelSources, qcomBoards } from '../output/reference-blobs.js';
import { sharedOrExplain } from '../support/shared.js';

describe.runIf(sharedOrExplain('qcom compile differential'))('compile vs dtc on the 332 qcom boards', () => {
  const boards = qcomBoards();
  let sources = new Map<string, Buffer>();
  let blobs = new Map<string, Uint8Array>();

  beforeAll(async () => {
    sources = await kernelSources(boards);
    blobs = await kernelBlobs(boards);
  }, 300_000);

  it('gives dtc\'s bytes for every board, in one batch', async () => {
    expect(boards.length).toBe(332);
    const options = parseCompileArgs(['-q', ...KERNEL_DTC_ARGS, '-I', 'dts', '-O', 'dtb']);
    const session = newSession();
    const mismatches: string[] = [];
    const started = performance.now();
    for (const board of boards) {
      const result = await compile({ file: board, text: sources.get(board)!.toString('latin1') }, options, session);
      const expected = blobs.get(board)!;
      if (result.exitCode !== 0 || !result.output || Buffer.compare(Buffer.from(result.output), Buffer.from(expected)) !== 0) {
        mismatches.push(`${board}: ${result.exitCode} ${result.messages.slice(0, 2).join(' | ')}`);
      }
    }
    const ms = performance.now() - started;
    console.log(`qcom compile: ${boards.length - mismatches.length}/${boards.length} identical; ${ms.toFixed(0)} ms for the batch`);
    expect(mismatches).toEqual([]);
  }, 300_000);
});
