import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDtc } from '../../src/dtc-wasm/index.js';
import { formatPreprocessed, preprocess, PreprocessCache } from '../../src/preprocess/index.js';
import { explainSkip, hasShared, sharedDir, sharedOrExplain } from '../support/shared.js';
import { CPP, hasCpp, repoRoot } from './helpers.js';

// Our line-marked output fed to the real dtc (bundled WebAssembly build): dtc must accept it and
// report its own errors against the original file and line.
describe('line-marked output read by dtc', () => {
  const board = path.join(repoRoot, 'fixtures/preprocess/dtc-error/board.dts');
  const bad = path.join(repoRoot, 'fixtures/preprocess/dtc-error/bad.dtsi');

  it('linemarkers: true — dtc blames bad.dtsi line 6', () => {
    const r = preprocess(board, { includeDirs: [], linemarkers: true });
    const dtc = runDtc(['-I', 'dts', '-O', 'dts', '-'], { stdin: r.text });
    expect(dtc.status).not.toBe(0);
    expect(dtc.stderr.toString()).toContain(`Error: ${bad}:6.1-2 syntax error`);
  });

  it('formatPreprocessed on compact output — same blame', () => {
    const r = preprocess(board, { includeDirs: [] });
    const dtc = runDtc(['-I', 'dts', '-O', 'dts', '-'], { stdin: formatPreprocessed(r) });
    expect(dtc.stderr.toString()).toContain(`Error: ${bad}:6.1-2 syntax error`);
  });

  const kernelDt = path.join(sharedDir, 'kernel-dt');
  const samples = ['sm8550-qrd.dts', 'sc7180-trogdor-lazor-r3.dts', 'qcm6490-fairphone-fp5.dts'];
  const haveBoards = sharedOrExplain('dtc line markers on qcom boards') && hasCpp;
  if (hasShared && !hasCpp) explainSkip('dtc line markers on qcom boards', 'GNU cpp is not installed');

  it.skipIf(!haveBoards)('qcom boards: dtc builds the same blob from our markers as from cpp output', () => {
    const cache = new PreprocessCache();
    const includeDirs = ['include', 'src', 'src/arm64/qcom'];
    for (const b of samples) {
      const rel = `src/arm64/qcom/${b}`;
      const reference = execFileSync(CPP, ['-nostdinc', ...includeDirs.flatMap((d) => ['-I', d]), '-undef', '-D__DTS__',
        '-x', 'assembler-with-cpp', rel], { cwd: kernelDt, maxBuffer: 1 << 28 }).toString();
      const cwd = process.cwd();
      process.chdir(kernelDt);
      let ours: string;
      try {
        ours = preprocess(rel, { includeDirs, cache, linemarkers: true }).text;
      } finally {
        process.chdir(cwd);
      }
      const fromCpp = runDtc(['-I', 'dts', '-O', 'dtb', '-'], { stdin: reference, cwd: kernelDt });
      const fromOurs = runDtc(['-I', 'dts', '-O', 'dtb', '-'], { stdin: ours, cwd: kernelDt });
      expect(fromCpp.status, fromCpp.stderr.toString()).toBe(0);
      expect(fromOurs.status, fromOurs.stderr.toString()).toBe(0);
      expect(fromOurs.stdout.equals(fromCpp.stdout), `${b}: blobs differ`).toBe(true);
      expect(fromOurs.stderr.toString()).toBe(fromCpp.stderr.toString());
    }
  });
});
