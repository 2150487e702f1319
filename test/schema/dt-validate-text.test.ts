/**
 * The dt-schema drop-ins on ../shared/reference/dtschema (Linux v7.1 bindings, dt-schema
 * v2025.06.1's core):
 * - our dt-mk-schema's processed schema has the real one's shape: equal as JSON, pattern and type
 *   lists compared as sets (dt-schema's order follows the file system's directory listing);
 * - through that processed schema (written as text and read back, as kbuild passes it), every one
 *   of the 393 qcom DTBs prints dt-validate's stderr, as a multiset of messages (a message is a
 *   line and its tab-indented continuation lines). In-process, one schema set for all DTBs, twice:
 *   cold (an empty cache folder: the processed schema parsed, every validator compiled) and warm
 *   (a second set from that folder, as kbuild's next processes get it: the file known by its
 *   identity, the index's tables, the compiled validators), which must print the same;
 * - the real dt-mk-schema's file, read by our dt-validate, gives the same text.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import * as os from 'node:os';
import { persistSchemaSet, schemaSetFromProcessedFile, schemaSetFromProcessedText, validate, type SchemaSet } from '../../src/schema/index.js';
import { keyByStat, processedKey } from '../../src/schema/processed-cache.js';
import { formatDtValidateMessages } from '../../src/schema/dt-validate-format.js';
import { formatProcessedSchema, makeProcessedSchema, processedSchemaJson } from '../../src/schema/processed-json.js';
import { explainSkip, sharedOrExplain } from '../support/shared.js';
import { bindingsDir, buildReferenceDtb, dtschemaDir, hasCpp, readSummary, referenceDir, type ReferenceEntry } from './support/reference-dtbs.js';

const referenceJson = path.join(referenceDir, 'processed/processed-schema.json.xz');

function hasXz(): boolean {
  try {
    execFileSync('xz', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const reason = !sharedOrExplain('the dt-schema drop-in tests')
  ? '../shared is absent'
  : !fs.existsSync(referenceJson)
    ? `${referenceJson} is absent`
    : !hasCpp()
      ? 'GNU cpp is not installed'
      : !hasXz()
        ? 'xz is not installed (the reference processed schema is xz-compressed)'
        : undefined;
if (reason) explainSkip('the dt-schema drop-in tests', reason);

/** Messages of a dt-validate stderr, sorted: each line with its tab-indented continuation lines. */
function splitMessages(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('\t') && out.length) out[out.length - 1] += `\n${line}`;
    else out.push(line);
  }
  return out.sort();
}

/** Our dt-validate's stderr for one reference DTB, with the DTB named as the reference names it. */
function ours(set: SchemaSet, entry: ReferenceEntry): string {
  const tree = readDtb(fs.readFileSync(buildReferenceDtb(entry)));
  const result = validate(tree, set, { unmatched: true });
  return formatDtValidateMessages(result.messages, { file: entry.dtb, unmatchedFile: entry.dtb }).join('');
}

interface Difference {
  dtb: string;
  extra: string[];
  missing: string[];
}

function compare(set: SchemaSet, entry: ReferenceEntry, texts?: Map<string, string>): Difference | undefined {
  const text = ours(set, entry);
  texts?.set(entry.dtb, text);
  const mine = splitMessages(text);
  const rest = splitMessages(fs.readFileSync(path.join(referenceDir, 'qcom', entry.dtb.replace(/\.dtb$/, '.txt')), 'utf8'));
  const extra: string[] = [];
  for (const m of mine) {
    const i = rest.indexOf(m);
    if (i < 0) extra.push(m);
    else rest.splice(i, 1);
  }
  return extra.length || rest.length ? { dtb: entry.dtb, extra, missing: rest } : undefined;
}

/** Lists holding patterns or types compared as sets; the rest as it is. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    const unordered = items.some((e) => typeof e === 'object' && e !== null && !Array.isArray(e) && ('pattern' in e || 'type' in e));
    return unordered ? items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : items;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * Where our processed schema may differ, with the reason. `gpios` is typed by whichever of core
 * gpio-consumer.yaml (phandle-array) and gpio-hog.yaml (uint32-matrix) dt-mk-schema meets first,
 * in its directory listing's order; we read files sorted.
 */
const TOLERATED_TYPES = new Set(['gpios']);

const LEMANS_AND_MESSAGES = ['lemans-evk-el2.dtb', 'msm8976-longcheer-l9360.dtb', 'sdm845-lg-judyln.dtb', 'glymur-crd.dtb', 'qcs6490-rb3gen2.dtb', 'qcs404-evb-1000.dtb', 'apq8096-db820c.dtb', 'ipq6018-cp01-c1.dtb'];

describe.skipIf(reason !== undefined)('dt-mk-schema and dt-validate drop-ins on the qcom references', () => {
  let processedText: Buffer | undefined;
  let set: SchemaSet | undefined;
  // a cache folder of its own, empty at first: the first pass is cold whatever the user's cache holds
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dt-validate-text-'));
  const cacheDir = path.join(work, 'cache');
  const processedFile = path.join(work, 'processed-schema.json');
  const processed = (): Buffer => {
    if (!processedText) {
      const json = processedSchemaJson(makeProcessedSchema([bindingsDir], dtschemaDir));
      processedText = Buffer.from(formatProcessedSchema(json));
      fs.writeFileSync(processedFile, processedText);
    }
    return processedText;
  };
  const schemaSet = (): SchemaSet => (set ??= schemaSetFromProcessedText(processed(), cacheDir));
  const entries = reason ? [] : readSummary();
  const coldTexts = new Map<string, string>();
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("our processed schema equals dt-mk-schema's as JSON (pattern and type lists as sets)", () => {
    const normalise = (text: string): Record<string, unknown> =>
      JSON.parse(text.split(`${bindingsDir}/`).join('<bindings>/').split(`${path.join(dtschemaDir, 'schemas')}/`).join('<dtschema>/schemas/')) as Record<string, unknown>;
    const mine = canonical(normalise(processed().toString('utf8'))) as Record<string, Record<string, Record<string, unknown>>>;
    const theirs = canonical(JSON.parse(execFileSync('xz', ['-dc', referenceJson], { maxBuffer: 1 << 30 }).toString('utf8'))) as typeof mine;
    expect(Object.keys(mine)).toEqual(Object.keys(theirs));
    const differing = Object.keys(theirs).filter((k) => k !== 'generated-types' && JSON.stringify(mine[k]) !== JSON.stringify(theirs[k]));
    expect(differing).toEqual([]);
    const types = (j: typeof mine): Record<string, unknown> => j['generated-types']!.properties as Record<string, unknown>;
    const typeDiffs = Object.keys(types(theirs)).filter((p) => !TOLERATED_TYPES.has(p) && JSON.stringify(types(mine)[p]) !== JSON.stringify(types(theirs)[p]));
    expect(typeDiffs).toEqual([]);
    expect(Object.keys(types(mine)).sort()).toEqual(Object.keys(types(theirs)).sort());
  }, 300_000);

  it('every DTB prints what dt-validate printed, through our processed schema (cold: an empty cache)', async () => {
    expect(entries.length).toBe(393);
    expect(schemaSet().fromCache).toBe(false);
    const differing: Difference[] = [];
    for (const e of entries) {
      // Let vitest's worker talk to its parent between DTBs (a long synchronous loop times it out).
      await new Promise((resolve) => setImmediate(resolve));
      const d = compare(schemaSet(), e, coldTexts);
      if (d) differing.push(d);
    }
    console.log(`dt-validate text: ${entries.length - differing.length}/${entries.length} DTBs identical`);
    expect(differing).toEqual([]);
  }, 1_800_000);

  it('and the same from the cache that run filled, as the next dt-validate processes read it (warm)', async () => {
    persistSchemaSet(schemaSet());
    // minutes after it was written, processed-schema.json is known by its identity: not read again
    const warm = schemaSetFromProcessedFile(processedFile, cacheDir);
    expect(warm.fromCache).toBe(true);
    expect(keyByStat(path.join(cacheDir, 'processed'), processedFile, fs.statSync(processedFile, { bigint: true }))).toBe(processedKey(processed()));
    const changed: string[] = [];
    for (const e of entries) {
      await new Promise((resolve) => setImmediate(resolve));
      if (ours(warm, e) !== coldTexts.get(e.dtb)) changed.push(e.dtb);
    }
    persistSchemaSet(warm);
    console.log(`dt-validate text, cold and warm cache: ${entries.length - changed.length}/${entries.length} DTBs identical`);
    expect(changed).toEqual([]);
  }, 1_800_000);

  it("reads the real dt-mk-schema's processed schema and prints the same", async () => {
    const real = schemaSetFromProcessedText(execFileSync('xz', ['-dc', referenceJson], { maxBuffer: 1 << 30 }), cacheDir);
    try {
      const picked = entries.filter((e) => LEMANS_AND_MESSAGES.includes(e.dtb));
      expect(picked.length).toBe(LEMANS_AND_MESSAGES.length);
      for (const e of picked) expect(compare(real, e), e.dtb).toBeUndefined();
    } finally {
      persistSchemaSet(real);
    }
  }, 900_000);
});
