/**
 * `compile -T` / `-TT` (dtc's srcpos comments in -O dts output) against the reference dtc: every
 * source of dtc's test suite and our fixtures, and kernel boards through --cpp at level 1 (at
 * level 2 dtc counts columns in cpp's output, we in the original source: not compared).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, parseCompileArgs } from '../../src/compile/index.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

async function ours(args: string[], cwd: string): Promise<{ status: number; stdout: string }> {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const options = parseCompileArgs(args);
    const file = options.inputs[0]!;
    const r = await compile({ file }, options);
    return { status: r.exitCode, stdout: Buffer.from(r.output ?? new Uint8Array()).toString('latin1') };
  } finally {
    process.chdir(previous);
  }
}

async function compareFolder(dir: string, files: string[], level: string): Promise<{ compared: number; mismatches: string[] }> {
  const mismatches: string[] = [];
  let compared = 0;
  for (const file of files) {
    const args = ['-q', level, '-O', 'dts', file];
    const reference = referenceDtc(args, { cwd: dir });
    if (reference.status !== 0) continue;
    const mine = await ours(args, dir);
    compared++;
    if (mine.stdout !== reference.stdout) mismatches.push(`${level} ${file}`);
  }
  return { compared, mismatches };
}

describe('-T annotations', () => {
  const fixtures = path.join(repoRoot, 'fixtures/dts');
  it.each(['-T', '-TT'])('%s on our fixtures is what dtc prints', async (level) => {
    const files = fs.readdirSync(fixtures).filter((f) => f.endsWith('.dts') && !f.startsWith('bad-'));
    const { compared, mismatches } = await compareFolder(fixtures, files, level);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(5);
  });

  it.runIf(sharedOrExplain('-T on dtc-tests'))('-T and -TT on every dtc-tests source are what dtc prints (includes, #line, merged nodes)', async () => {
    const dir = path.join(sharedDir, 'dtc-tests');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.dts') && !f.startsWith('search_paths'));
    for (const level of ['-T', '-TT']) {
      const { compared, mismatches } = await compareFolder(dir, files, level);
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(60);
    }
  }, 120_000);

  it.runIf(sharedOrExplain('-T with --cpp on kernel boards'))('-T with --cpp on kernel boards is what cpp | dtc -T prints', async () => {
    const kernelDt = path.join(sharedDir, 'kernel-dt');
    for (const board of ['lemans-evk', 'sc7180-trogdor-lazor-r1']) {
      const file = `src/arm64/qcom/${board}.dts`;
      const pre = spawnSync('cpp', ['-nostdinc', '-I', 'include', '-I', 'src', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file], { cwd: kernelDt, maxBuffer: 1 << 28 });
      expect(pre.status).toBe(0);
      const reference = referenceDtc(['-q', '-T', '-O', 'dts', '-i', 'src/arm64/qcom', '-'], { cwd: kernelDt, stdin: pre.stdout });
      expect(reference.status).toBe(0);
      const mine = await ours(['--cpp', '-q', '-T', '-O', 'dts', '-i', 'include', '-i', 'src', '-i', 'src/arm64/qcom', file], kernelDt);
      expect(mine.stdout).toBe(reference.stdout);
    }
  }, 120_000);
});
