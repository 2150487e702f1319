/**
 * Parity with dt-validate (dt-schema v2025.06.1) on the 393 qcom DTBs of
 * ../shared/reference/dtschema: for each blob, the (node name, binding $id) pairs we flag equal
 * dt-validate's, and so do the node paths it reports as matching no schema (-m).
 *
 * Blobs are built as the reference's build/ folder says (GNU cpp + the bundled dtc/fdtoverlay
 * 1.7.2), cached by content.
 *
 * Every blob is validated twice, in two cache states: cold (an empty cache folder: every binding
 * processed and every validator compiled in this process) and warm (a second set read back from
 * that folder: processed set and validator code from the cache). The verdicts must be identical,
 * finding for finding: the cache may only store what cannot change them.
 * `DTOVERLAY_CHECK_PARITY=lemans` runs only the Lemans boards and compositions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { loadTree } from '../../src/overlay/inputs.js';
import { loadSchemaSet, nodeOfDiagnostic, persistSchemaSet, validate, type SchemaSet } from '../../src/schema/index.js';
import { explainSkip, sharedDir, sharedOrExplain } from '../support/shared.js';
import {
  bindingsDir,
  buildReferenceDtb,
  dtschemaDir,
  hasCpp,
  kernelDir,
  readReferenceVerdict,
  readSummary,
  referenceDir,
  type ReferenceEntry,
} from './support/reference-dtbs.js';

/** DTBs allowed to differ, each with the reason. Empty: every DTB matches exactly. */
const TOLERATED: Record<string, string> = {};

const LEMANS = ['lemans-evk.dtb', 'qcs9100-ride.dtb', 'qcs9100-ride-r3.dtb', 'lemans-evk-el2.dtb', 'qcs9100-ride-el2.dtb', 'qcs9100-ride-r3-el2.dtb'];

function skipReason(): string | undefined {
  if (!sharedOrExplain('dt-validate parity')) return `${sharedDir} is absent`;
  if (!fs.existsSync(referenceDir)) return `${referenceDir} is absent`;
  if (!hasCpp()) return 'GNU cpp is not installed (the reference blobs are preprocessed with it)';
  return undefined;
}

const reason = skipReason();
if (reason && reason !== `${sharedDir} is absent`) explainSkip('dt-validate parity', reason);

interface Difference {
  dtb: string;
  extra: string[];
  missing: string[];
}

/** Everything a run says about a blob, in a stable order: what a cold and a warm run must agree on. */
type Verdict = string[];

function compare(set: SchemaSet, entry: ReferenceEntry, verdicts?: Map<string, Verdict>): Difference {
  const tree = readDtb(fs.readFileSync(buildReferenceDtb(entry)));
  const result = validate(tree, set, { unmatched: true });
  verdicts?.set(
    entry.dtb,
    [
      ...result.diagnostics.map((d) => `${d.rule}\t${d.path}\t${d.property ?? ''}\t${d.schema}\t${d.message}`),
      ...result.unmatched.map((u) => `unmatched\t${u.path}\t${u.compatibles.join(',')}`),
    ].sort(),
  );
  const ours = new Set(result.diagnostics.map((d) => `${nodeOfDiagnostic.get(d)?.name}\t${d.schema}`));
  for (const u of result.unmatched) ours.add(`unmatched\t${u.path}`);
  const reference = readReferenceVerdict(entry.dtb);
  const theirs = new Set([...reference.pairs, ...[...reference.unmatched].map((p) => `unmatched\t${p}`)]);
  return {
    dtb: entry.dtb,
    extra: [...ours].filter((p) => !theirs.has(p)).sort(),
    missing: [...theirs].filter((p) => !ours.has(p)).sort(),
  };
}

/** Cold then warm over `entries`: the warm set is read back from the cache the cold one filled. */
async function warmVerdicts(cacheDir: string, cold: SchemaSet, entries: ReferenceEntry[]): Promise<Map<string, Verdict>> {
  persistSchemaSet(cold);
  const warm = loadSchemaSet({ bindings: [bindingsDir], coreSchemas: dtschemaDir, cacheDir });
  expect(warm.fromCache).toBe(true);
  const verdicts = new Map<string, Verdict>();
  for (const e of entries) {
    await new Promise((resolve) => setImmediate(resolve)); // as in the cold loop below
    compare(warm, e, verdicts);
  }
  return verdicts;
}

describe.skipIf(reason !== undefined)('dt-validate parity on the qcom reference blobs, cold and warm cache', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-schema-cache-'));
  let cold: SchemaSet | undefined;
  const coldSet = (): SchemaSet => {
    if (!cold) {
      cold = loadSchemaSet({ bindings: [bindingsDir], coreSchemas: dtschemaDir, cacheDir });
      expect(cold.fromCache).toBe(false);
    }
    return cold;
  };
  const entries = reason ? [] : readSummary();
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('Lemans boards and their -el2 compositions match exactly, cold and warm', async () => {
    const lemans = entries.filter((e) => LEMANS.includes(e.dtb));
    const coldVerdicts = new Map<string, Verdict>();
    const diffs = lemans.map((e) => compare(coldSet(), e, coldVerdicts));
    expect(diffs.length).toBe(LEMANS.length);
    expect(diffs.filter((d) => d.extra.length || d.missing.length)).toEqual([]);
    expect(await warmVerdicts(cacheDir, coldSet(), lemans)).toEqual(coldVerdicts);
  }, 300_000);

  it('Lemans -el2 compositions from sources (our preprocessor and compiler) give the same verdicts, with spans', async () => {
    const includeDirs = [path.join(kernelDir, 'include'), path.join(kernelDir, 'src'), path.join(kernelDir, 'src/arm64/qcom')];
    const options = { cpp: true, includeDirs, defines: [] };
    const qcom = path.join(kernelDir, 'src/arm64/qcom');
    for (const e of entries.filter((x) => x.kind === 'composite' && LEMANS.includes(x.dtb))) {
      const [base, ...overlays] = await Promise.all(e.inputs.map((i) => loadTree(path.join(qcom, i.replace(/\.dtbo$/, '.dtso').replace(/\.dtb$/, '.dts')), options)));
      const merged = applyOverlays(base!.tree, overlays.map((o) => ({ tree: o.tree, name: o.file }))).tree;
      const result = validate(merged, coldSet(), { unmatched: true });
      const ours = new Set(result.diagnostics.map((d) => `${nodeOfDiagnostic.get(d)?.name}\t${d.schema}`));
      expect([...ours].sort(), e.dtb).toEqual([...readReferenceVerdict(e.dtb).pairs].sort());
      for (const d of result.diagnostics) expect(d.span?.file, `${e.dtb} ${d.path}`).toMatch(/\.dtsi?$|\.dtso$/);
    }
  }, 300_000);

  it.skipIf(process.env.DTOVERLAY_CHECK_PARITY === 'lemans')(
    'all 393 blobs match, but for the tolerated ones, and a warm cache gives the same verdicts as a cold one',
    async () => {
      expect(entries.length).toBe(393);
      const differing: Difference[] = [];
      const coldVerdicts = new Map<string, Verdict>();
      for (const e of entries) {
        // Let vitest's worker talk to its parent between blobs (a long synchronous loop times it out).
        await new Promise((resolve) => setImmediate(resolve));
        const d = compare(coldSet(), e, coldVerdicts);
        if ((d.extra.length || d.missing.length) && !(e.dtb in TOLERATED)) differing.push(d);
      }
      const matching = entries.length - differing.length - Object.keys(TOLERATED).length;
      console.log(`dt-validate parity: ${matching}/${entries.length} blobs identical, ${Object.keys(TOLERATED).length} tolerated`);
      expect(differing).toEqual([]);
      const warm = await warmVerdicts(cacheDir, coldSet(), entries);
      const changed = entries.filter((e) => JSON.stringify(warm.get(e.dtb)) !== JSON.stringify(coldVerdicts.get(e.dtb))).map((e) => e.dtb);
      console.log(`cold and warm cache: ${entries.length - changed.length}/${entries.length} blobs with identical verdicts`);
      expect(changed).toEqual([]);
    },
    2_400_000,
  );
});
