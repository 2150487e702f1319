import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocess, PreprocessCache } from '../../src/preprocess/index.js';
import { explainSkip, sharedDir, sharedOrExplain } from '../support/shared.js';
import { hasCpp, runCpp, tokenStream } from './helpers.js';

// Differential test against GNU cpp on every Qualcomm arm64 board of the shared kernel tree:
// same include dirs and flags as the kernel's dtc_cpp_flags, token streams must be identical.
const kernelDt = path.join(sharedDir, 'kernel-dt');
const boardDir = path.join(kernelDt, 'src/arm64/qcom');
const haveShared = sharedOrExplain('qcom preprocessor differential');
const boards = haveShared ? readdirSync(boardDir).filter((f) => f.endsWith('.dts')).sort() : [];

if (haveShared && !hasCpp) explainSkip('qcom preprocessor differential', 'GNU cpp is not installed');

/** Run `job` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe.skipIf(!haveShared || !hasCpp)('qcom boards: our preprocessor vs GNU cpp', () => {
  const reference = new Map<string, string>();
  const ours = new Map<string, string>();
  let oursMs = 0;

  beforeAll(async () => {
    const cppOut = await pool(boards, 2, (b) =>
      runCpp(`src/arm64/qcom/${b}`, ['include', 'src', 'src/arm64/qcom'], kernelDt));
    boards.forEach((b, i) => reference.set(b, cppOut[i]!));

    const cache = new PreprocessCache();
    const includeDirs = [path.join(kernelDt, 'include'), path.join(kernelDt, 'src'), boardDir];
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const b of boards) ours.set(b, preprocess(path.join(boardDir, b), { includeDirs, cache }).text);
    oursMs = performance.now() - started;
    const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
    const identical = boards.filter((b) => ours.get(b) === reference.get(b)).length;
    console.log(`qcom differential: ${boards.length} boards preprocessed in ${oursMs.toFixed(0)} ms ` +
      `(${cpuMs.toFixed(0)} ms CPU) ` +
      `(shared cache); ${identical}/${boards.length} byte-identical to cpp -P`);
  }, 120_000);

  it('covers the whole board set', () => {
    expect(boards.length).toBe(332);
  });

  it.each(boards)('%s', (board) => {
    expect(tokenStream(ours.get(board)!)).toEqual(tokenStream(reference.get(board)!));
  });

  // Line-marker mode on every 8th board: byte-identical to cpp without -P, apart from cpp's
  // `# 0` preamble (built-in and command-line pseudo files).
  const sample = boards.filter((_, i) => i % 8 === 0);
  it(`line markers identical to cpp on ${sample.length} sampled boards`, async () => {
    const includeDirs = ['include', 'src', 'src/arm64/qcom'];
    const refs = await pool(sample, 2, (b) => runCpp(`src/arm64/qcom/${b}`, includeDirs, kernelDt, true));
    const cache = new PreprocessCache();
    const cwd = process.cwd();
    process.chdir(kernelDt);
    try {
      sample.forEach((b, i) => {
        const rel = `src/arm64/qcom/${b}`;
        const expected = refs[i]!.replace(/^# 0 "[^"]*"\n# 0 "<built-in>"\n# 0 "<command-line>"\n# 1 "[^"]*"\n/, `# 1 "${rel}"\n`);
        expect(preprocess(rel, { includeDirs, cache, linemarkers: true }).text, b).toBe(expected);
      });
    } finally {
      process.chdir(cwd);
    }
  }, 120_000);
});
