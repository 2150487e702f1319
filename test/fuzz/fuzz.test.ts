/**
 * Seeded fuzzing of every stage that reads untrusted input (issue 9): mutated sources through the
 * preprocessor and the compiler, mutated blobs through the DTB reader, overlay apply and the PAS
 * simulator, mutated bindings through the schema loader. Each case must end in success or a
 * located diagnostic, within CASE_TIME_LIMIT_MS. `npm run fuzz` runs the same with FUZZ_SCALE=20;
 * FUZZ_SEED=N draws other cases. A failure prints the case; rerun it with the same seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared, repoRoot, requireShared, sharedDir } from '../support/shared.js';
import {
  compiledBlobs, compileStage, dtbStage, fuzz, overlayStage, pasProfiles, pasStage, preprocessStage, scratch,
  schemaSeeds, schemaStage, SCALE, SEED, sourceSeedFiles, sourceSeeds, type StageReport,
} from './stages.js';

const seeds = sourceSeeds();
let dir = '';
const reports: Record<string, StageReport & { cpuMs: number }> = {};

beforeAll(() => {
  dir = scratch(seeds[0] ?? '/dts-v1/; / { };');
  if (!hasShared && requireShared) throw new Error(`fuzz seeds need ${sharedDir}, which is absent; REQUIRE_SHARED=1 forbids seeding from fixtures/ only`);
  if (!hasShared) console.warn(`fuzz: ${sharedDir} is absent; seeding from fixtures/ only`);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  const total = Object.values(reports).reduce((n, r) => n + r.cases, 0);
  const cpu = Object.values(reports).reduce((n, r) => n + r.cpuMs, 0);
  const rows = Object.entries(reports).map(([k, r]) => `${k}: ${r.cases} cases (${r.accepted} accepted, ${r.diagnosed} diagnosed), ${(r.cpuMs / 1000).toFixed(1)} s CPU, slowest ${r.slowest.toFixed(0)} ms CPU`);
  console.log(`fuzz (seed ${SEED}, scale ${SCALE}): ${total} cases, ${(cpu / 1000).toFixed(1)} s CPU\n  ${rows.join('\n  ')}`);
  if (process.env.FUZZ_SHOW_SLOWEST) for (const [k, r] of Object.entries(reports)) console.log(`slowest ${k} case: ${r.slowestCase.slice(0, 400)}`);
});

async function measured(name: string, run: () => Promise<StageReport>): Promise<StageReport> {
  const c0 = process.cpuUsage();
  const report = await run();
  const c = process.cpuUsage(c0);
  reports[name] = { ...report, cpuMs: (c.user + c.system) / 1000 };
  return report;
}

const runs = (n: number): number => Math.round(n * SCALE);
const TIMEOUT = 600_000 * Math.max(1, SCALE);

describe('fuzz: every input ends in success or a located diagnostic, in bounded time', () => {
  it('preprocessor', async () => {
    const s = preprocessStage(seeds);
    const r = await measured('preprocess', () => fuzz(s.arb, runs(6000), s.run, s.show));
    expect(r.failures).toEqual([]);
  }, TIMEOUT);

  it('parser, tree, checks and writer (compile)', async () => {
    const s = compileStage(seeds, dir);
    const r = await measured('compile', () => fuzz(s.arb, runs(5000), s.run, s.show));
    expect(r.failures).toEqual([]);
  }, TIMEOUT);

  it('DTB reader', async () => {
    const blobs = await compiledBlobs(seeds.slice(0, 400), dir, false);
    for (const f of fs.readdirSync(path.join(repoRoot, 'fixtures/dtb'), { recursive: true }) as string[]) {
      if (f.endsWith('.dtb')) blobs.push(fs.readFileSync(path.join(repoRoot, 'fixtures/dtb', f)));
    }
    const s = dtbStage(blobs);
    const r = await measured('dtb', () => fuzz(s.arb, runs(6000), s.run, s.show));
    expect(r.failures).toEqual([]);
  }, TIMEOUT);

  it('overlay apply', async () => {
    // bases that define what the overlays refer to (dtc's overlay_base, our PAS boards), every plugin as overlay
    const files = sourceSeedFiles();
    const read = (f: string) => fs.readFileSync(f, 'latin1');
    const bases = await compiledBlobs(files.filter((f) => /overlay_base|generic-(board|smmu)|checks\/merged/.test(f)).map(read), dir, true);
    const overlays = await compiledBlobs(seeds.filter((t) => /\/plugin\/;/.test(t)), dir, true);
    const s = overlayStage(bases, overlays);
    expect(s.pairs).toBeGreaterThan(0);
    const r = await measured('overlay', () => fuzz(s.arb, runs(2500), s.run, s.show));
    expect(r.failures).toEqual([]);
  }, TIMEOUT);

  it('schema loader', async () => {
    const s = schemaStage(schemaSeeds());
    const r = await measured('schema', () => fuzz(s.arb, runs(1500), s.run, s.show));
    expect(r.failures).toEqual([]);
  }, TIMEOUT);

  it('PAS simulator', async () => {
    const pas = seeds.filter((t) => /iommus|arm,mmu-500|iommu-map/.test(t) && !/\/plugin\//.test(t));
    const trees = await compiledBlobs(pas, dir, true);
    // the real SoC: lemans-evk with its EL2 overlay, merged (what the sa8775p profile describes)
    if (hasShared) {
      const { el2Overlay, kernelTree, qcomDir } = await import('../pas/support.js');
      const { applyOverlays } = await import('../../src/overlay/apply.js');
      const { appliedBlob } = await import('../../src/overlay/blob.js');
      const base = await kernelTree(path.join(qcomDir, 'lemans-evk.dts'));
      const el2 = await kernelTree(el2Overlay);
      trees.push(appliedBlob(applyOverlays(base.tree, [{ tree: el2.tree, name: 'lemans-el2.dtbo' }])));
    }
    const s = pasStage(trees, await pasProfiles());
    const r = await measured('pas', () => fuzz(s.arb, runs(1500), s.run, s.show));
    expect(r.failures).toEqual([]);
  }, TIMEOUT);
});
