/**
 * Issue 6: dt-binding validation against dt-validate's recorded times
 * (../shared/reference/dtschema/summary.tsv: one cold process per DTB, schema load included).
 *
 * - lemans-evk-el2, whole CLI process, cold cache (empty cache folder: every binding parsed and
 *   processed, every validator it needs compiled) and warm cache (median of 3);
 * - all 393 blobs in one process with the user's (warm) cache, against dt-validate's single process
 *   over all of them (46 min 45 s). Set DTOVERLAY_CHECK_BENCH_ALL=0 to skip that row.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readDtb } from '../src/dtb/read.js';
import { loadSchemaSet, persistSchemaSet, validate } from '../src/schema/index.js';
import { bindingsDir, buildReferenceDtb, dtschemaDir, hasCpp, readSummary, referenceDir } from '../test/schema/support/reference-dtbs.js';
import { cli, type Row } from './lib.js';

const SECTION = 'schema (#6)';
const DT_VALIDATE_ALL_SECONDS = 46 * 60 + 45;

function runValidate(dtb: string, cacheDir: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'validate', dtb, '--bindings', bindingsDir, '--core-schemas', dtschemaDir, '--unmatched', '-q'], {
    env: { ...process.env, DTOVERLAY_CHECK_CACHE: cacheDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`validate failed: ${r.stderr}`);
  return ms;
}

export function benchSchema(): Row[] {
  if (!fs.existsSync(referenceDir) || !hasCpp()) {
    console.warn(`skipping schema bench: ${fs.existsSync(referenceDir) ? 'GNU cpp is not installed' : `${referenceDir} is absent`}`);
    return [];
  }
  const entries = readSummary();
  const lemans = entries.find((e) => e.dtb === 'lemans-evk-el2.dtb')!;
  const dtb = buildReferenceDtb(lemans);
  const rows: Row[] = [];
  const cold = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-schema-cache-'));
  try {
    const coldMs = runValidate(dtb, cold);
    rows.push({ section: SECTION, case: 'validate lemans-evk-el2, cold cache (CLI)', ours: coldMs, reference: lemans.wallSeconds * 1000, referenceLabel: 'dt-validate' });
    const warm = [0, 1, 2].map(() => runValidate(dtb, cold)).sort((a, b) => a - b)[1]!;
    rows.push({ section: SECTION, case: 'validate lemans-evk-el2, warm cache (CLI)', ours: warm, reference: lemans.wallSeconds * 1000, referenceLabel: 'dt-validate' });

    if (process.env.DTOVERLAY_CHECK_BENCH_ALL !== '0') {
      // The user's cache (warm after the parity test); a first pass fills in what it lacks, untimed.
      const blobs = entries.map((e) => buildReferenceDtb(e));
      const warmUp = loadSchemaSet({ bindings: [bindingsDir], coreSchemas: dtschemaDir });
      for (const b of blobs) validate(readDtb(fs.readFileSync(b)), warmUp, { unmatched: true });
      persistSchemaSet(warmUp);
      const t0 = process.hrtime.bigint();
      const set = loadSchemaSet({ bindings: [bindingsDir], coreSchemas: dtschemaDir });
      for (const b of blobs) validate(readDtb(fs.readFileSync(b)), set, { unmatched: true });
      const allMs = Number(process.hrtime.bigint() - t0) / 1e6;
      rows.push({ section: SECTION, case: 'validate all 393 qcom blobs, one process, warm', ours: allMs, reference: DT_VALIDATE_ALL_SECONDS * 1000, referenceLabel: 'dt-validate' });
    }
  } finally {
    fs.rmSync(cold, { recursive: true, force: true });
  }
  return rows;
}
