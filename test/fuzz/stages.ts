/**
 * One function per pipeline stage, each taking one fuzz case. A case passes when the stage
 * returns, or stops with a DiagnosticError that has a location (a source span, or a byte offset
 * into a blob); anything else — another exception, a located-less fatal error, a case running past
 * its time bound — is a finding, reported with the input that caused it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { DiagnosticError } from '../../src/diagnostics.js';
import { compile, defaultCompileOptions, newSession, type CompileOptions } from '../../src/compile/index.js';
import { DtbFormatError, readDtb } from '../../src/dtb/read.js';
import { writeDtb } from '../../src/dtb/write.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { loadProfileFile, simulate, type SocProfile } from '../../src/pas/index.js';
import { preprocess, PreprocessCache } from '../../src/preprocess/index.js';
import { parseSchemaFile } from '../../src/schema/load.js';
import { processSchemas } from '../../src/schema/process.js';
import type { Tree } from '../../src/tree/model.js';
import { repoRoot, sharedDir } from '../support/shared.js';
import { blobCaseArb, caseArb, mutateBlob, mutateText, mutateValues, valueEditsArb, type BlobEdit, type Edit } from './mutate.js';

/** `FUZZ_SCALE` multiplies every stage's case count (`npm run fuzz`); `FUZZ_SEED` changes the draw. */
export const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
/** No single case may use more CPU than this (a hang shows up as a case over the bound, or the test timeout). */
export const CASE_TIME_LIMIT_MS = Number(process.env.FUZZ_CASE_MS ?? 10_000);

const dtcTests = path.join(sharedDir, 'dtc-tests');

function filesUnder(dir: string, test: (f: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => test(f) && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

const isSource = (f: string): boolean => /\.dts[io]?$/.test(f);
const small = (f: string): boolean => fs.statSync(f).size < 64 * 1024;

/** Source seed files: our fixtures and dtc's own test sources. */
export function sourceSeedFiles(): string[] {
  return [...filesUnder(path.join(repoRoot, 'fixtures'), isSource), ...filesUnder(dtcTests, isSource)].filter(small);
}

export function sourceSeeds(): string[] {
  return sourceSeedFiles().map((f) => fs.readFileSync(f, 'latin1'));
}

/** How a case ended: accepted, stopped by a located diagnostic, or a finding (any other string). */
export type Verdict = 'ok' | 'diagnostic' | (string & {});

/** A thrown value is acceptable only as a DiagnosticError that says where. */
export function judgeThrown(err: unknown): Verdict {
  if (err instanceof DtbFormatError) return Number.isInteger(err.offset) ? 'diagnostic' : `DtbFormatError without offset: ${err.message}`;
  if (err instanceof DiagnosticError) {
    return err.diagnostic.span || err.diagnostic.path ? 'diagnostic' : `DiagnosticError without a location: ${err.message}`;
  }
  const e = err as Error;
  return `uncaught ${e?.constructor?.name ?? typeof err}: ${e?.message ?? String(err)}\n${e?.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`;
}

async function guarded(run: () => unknown): Promise<Verdict> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    return judgeThrown(err);
  }
}

export interface StageReport {
  cases: number;
  failures: string[];
  /** Longest case, in CPU milliseconds, and the case itself (to replay it). */
  slowest: number;
  slowestCase: string;
  accepted: number;
  diagnosed: number;
}

/**
 * Runs `numRuns` cases of `arb` through `stage` with fast-check (seeded), collecting every finding
 * instead of stopping at the first, and timing each case.
 */
export async function fuzz<T>(arb: fc.Arbitrary<T>, numRuns: number, stage: (c: T) => Promise<Verdict>, show: (c: T) => string): Promise<StageReport> {
  const report: StageReport = { cases: 0, failures: [], slowest: 0, slowestCase: '', accepted: 0, diagnosed: 0 };
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      // CPU time, not wall time: the bound must hold on a loaded machine too
      const t0 = process.cpuUsage();
      const verdict = await stage(c);
      const used = process.cpuUsage(t0);
      const ms = (used.user + used.system) / 1000;
      report.cases++;
      if (ms > report.slowest) {
        report.slowest = ms;
        report.slowestCase = show(c);
      }
      if (verdict === 'ok') report.accepted++;
      else if (verdict === 'diagnostic') report.diagnosed++;
      const problem = verdict !== 'ok' && verdict !== 'diagnostic' ? verdict : ms > CASE_TIME_LIMIT_MS ? `took ${ms.toFixed(0)} ms (bound ${CASE_TIME_LIMIT_MS} ms)` : undefined;
      if (problem && report.failures.length < 20) report.failures.push(`${problem}\n  case: ${show(c)}`);
      return true;
    }),
    { seed: SEED, numRuns, endOnFailure: true },
  );
  return report;
}

const showEdits = (c: { seed: number; edits: unknown[] }): string => JSON.stringify(c);

/** A scratch folder holding what mutated sources may include: a cycle, a copy of a seed, a blob. */
export function scratch(seed: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
  fs.writeFileSync(path.join(dir, 'self.dtsi'), '/include/ "self.dtsi"\n' + seed, 'latin1');
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(4096, 0xa5));
  fs.writeFileSync(path.join(dir, 'loop-a.h'), '#include "loop-b.h"\n');
  fs.writeFileSync(path.join(dir, 'loop-b.h'), '#include "loop-a.h"\n');
  return dir;
}

// --- preprocessor -------------------------------------------------------------------------

export function preprocessStage(seeds: string[]): { arb: fc.Arbitrary<{ seed: number; edits: Edit[] }>; run: (c: { seed: number; edits: Edit[] }) => Promise<Verdict>; show: typeof showEdits } {
  // an in-memory file system: include cycles, self-inclusion, a header folder
  const files = new Map<string, string>([
    ['/fuzz/loop-a.h', '#include "loop-b.h"\n'],
    ['/fuzz/loop-b.h', '#include "loop-a.h"\nloop'],
    ['/fuzz/inc/dt-bindings/x.h', '#define X(a, b) ((a) << (b))\n#define Y X(X(1, 2), X(3, 4))\n'],
  ]);
  const readFile = (p: string): string => {
    const text = files.get(p);
    if (text === undefined) throw new Error(`ENOENT ${p}`);
    return text;
  };
  return {
    arb: caseArb(seeds.length),
    show: showEdits,
    run: (c) => {
      const text = mutateText(seeds[c.seed]!, c.edits);
      files.set('/fuzz/main.dts', text);
      files.set('/fuzz/self.dtsi', text);
      return guarded(() =>
        preprocess('/fuzz/main.dts', { includeDirs: ['/fuzz/inc'], readFile, cache: new PreprocessCache(), defines: { __DTS__: '1' } }),
      );
    },
  };
}

// --- parser, tree, checks, writer (compile) -----------------------------------------------------

export function compileStage(seeds: string[], dir: string) {
  const base: CompileOptions = { ...defaultCompileOptions(), outputFormat: 'dtb', quiet: 3 };
  return {
    arb: fc.record({ c: caseArb(seeds.length), symbols: fc.boolean(), dts: fc.boolean() }),
    show: (x: { c: { seed: number; edits: Edit[] } }) => showEdits(x.c),
    run: async (x: { c: { seed: number; edits: Edit[] }; symbols: boolean; dts: boolean }): Promise<Verdict> => {
      const text = mutateText(seeds[x.c.seed]!, x.c.edits);
      const file = path.join(dir, 'main.dts');
      const options: CompileOptions = { ...base, inputs: [file], symbols: x.symbols, outputFormat: x.dts ? 'dts' : 'dtb' };
      let result;
      try {
        result = await compile({ file, text }, options, newSession());
      } catch (err) {
        return judgeThrown(err);
      }
      if (result.exitCode !== 0 && !result.messages.length) return `status ${result.exitCode} without a message`;
      if (result.exitCode === 0 && !result.output) return 'status 0 without output';
      return result.exitCode === 0 ? 'ok' : 'diagnostic';
    },
  };
}

/** Compiles every source seed that compiles, for the blob stages. */
export async function compiledBlobs(seeds: string[], dir: string, symbols: boolean): Promise<Uint8Array[]> {
  const blobs: Uint8Array[] = [];
  for (const text of seeds) {
    const file = path.join(dir, 'seed.dts');
    const r = await compile({ file, text }, { ...defaultCompileOptions(), inputs: [file], outputFormat: 'dtb', symbols, quiet: 3, force: true });
    if (r.exitCode === 0 && r.output) blobs.push(r.output);
  }
  return blobs;
}

// --- DTB reader -------------------------------------------------------------------------------

export function dtbStage(blobs: Uint8Array[]) {
  return {
    arb: fc.record({ c: blobCaseArb(blobs.length), lenient: fc.boolean() }),
    show: (x: { c: { seed: number; edits: BlobEdit[] }; lenient: boolean }) => JSON.stringify(x),
    run: (x: { c: { seed: number; edits: BlobEdit[] }; lenient: boolean }) =>
      guarded(() => {
        const tree = readDtb(mutateBlob(blobs[x.c.seed]!, x.c.edits), { file: 'fuzz.dtb', lenient: x.lenient, warnings: [] });
        writeDtb(tree, { version: 17, reserveSlots: 0, minSize: 0, padSize: 0, alignSize: 0, quiet: 3 });
      }),
  };
}

// --- overlay apply ----------------------------------------------------------------------------

export function overlayStage(bases: Uint8Array[], overlays: Uint8Array[]) {
  // pairs that apply cleanly before mutation, so mutations reach past the first label lookup
  const pairs: [number, number][] = [];
  for (let b = 0; b < bases.length; b++) {
    for (let o = 0; o < overlays.length; o++) {
      try {
        applyOverlays(readDtb(bases[b]!), [{ tree: readDtb(overlays[o]!), name: 'o' }]);
        pairs.push([b, o]);
      } catch {
        // not a pair
      }
    }
  }
  // half the cases edit the blob bytes, half edit property values of the parsed trees
  // (__fixups__ entries, phandle cells, target paths): those get past the blob reader
  const arb = fc.record({
    c: blobCaseArb(pairs.length),
    mutateBase: fc.boolean(),
    stack: fc.integer({ min: 1, max: 3 }),
    values: fc.option(valueEditsArb, { freq: 2 }),
  });
  type Case = typeof arb extends fc.Arbitrary<infer T> ? T : never;
  return {
    pairs: pairs.length,
    arb,
    show: (x: Case) => JSON.stringify(x),
    run: (x: Case) =>
      guarded(() => {
        const [b, o] = pairs[x.c.seed]!;
        const byBytes = x.values === null;
        const base = readDtb(x.mutateBase && byBytes ? mutateBlob(bases[b]!, x.c.edits) : bases[b]!, { file: 'base.dtb' });
        const overlay = readDtb(!x.mutateBase && byBytes ? mutateBlob(overlays[o]!, x.c.edits) : overlays[o]!, { file: 'overlay.dtbo' });
        if (x.values) mutateValues(x.mutateBase ? base.root : overlay.root, x.values);
        const stack = Array.from({ length: x.stack }, (_, i) => ({ tree: overlay, name: `overlay${i}.dtbo` }));
        applyOverlays(base, stack);
      }),
  };
}

// --- schema loader ----------------------------------------------------------------------------

export function schemaSeeds(): { file: string; text: string }[] {
  const dirs = [path.join(repoRoot, 'schemas'), path.join(repoRoot, 'fixtures/schema'), path.join(repoRoot, 'fixtures/pas')];
  return dirs.flatMap((d) => filesUnder(d, (f) => f.endsWith('.yaml')).filter(small).map((file) => ({ file, text: fs.readFileSync(file, 'latin1') })));
}

export function schemaStage(seeds: { file: string; text: string }[]) {
  return {
    arb: caseArb(seeds.length),
    show: showEdits,
    run: (c: { seed: number; edits: Edit[] }) =>
      guarded(() => {
        const diagnostics: never[] = [];
        const text = Buffer.from(mutateText(seeds[c.seed]!.text, c.edits), 'latin1').toString('utf8');
        const schema = parseSchemaFile('fuzz.yaml', text, diagnostics);
        if (schema) processSchemas([{ file: 'fuzz.yaml', schema }]);
      }),
  };
}

// --- PAS simulator ----------------------------------------------------------------------------

export async function pasProfiles(): Promise<(SocProfile | undefined)[]> {
  const profiles: (SocProfile | undefined)[] = [undefined];
  for (const f of ['schemas/soc/sa8775p.yaml', 'fixtures/pas/smr-77.yaml', 'fixtures/pas/cb-53.yaml']) {
    const file = path.join(repoRoot, f);
    if (fs.existsSync(file)) profiles.push(await loadProfileFile(file));
  }
  return profiles;
}

export function pasStage(trees: Uint8Array[], profiles: (SocProfile | undefined)[]) {
  const arb = fc.record({
    c: blobCaseArb(trees.length),
    profile: fc.nat({ max: profiles.length - 1 }),
    el: fc.constantFrom(1 as const, 2 as const, undefined),
    values: fc.option(valueEditsArb, { freq: 4 }),
  });
  type Case = typeof arb extends fc.Arbitrary<infer T> ? T : never;
  return {
    arb,
    show: (x: Case) => JSON.stringify(x),
    run: (x: Case) =>
      guarded(() => {
        const tree: Tree = readDtb(x.values ? trees[x.c.seed]! : mutateBlob(trees[x.c.seed]!, x.c.edits), { file: 'pas.dtb' });
        if (x.values) mutateValues(tree.root, x.values);
        simulate(tree, profiles[x.profile], x.el ? { el: x.el } : {});
      }),
  };
}
