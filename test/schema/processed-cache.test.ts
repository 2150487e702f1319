/**
 * dt-validate's processed schema through the cache (src/schema/processed-cache.ts): a run from the
 * cache prints what a run without any cache prints, whatever state the cache is in — filled by
 * another run, found by the file's identity, or damaged (it is then rebuilt from the file).
 * Names that an ordinary object inherits (`constructor`, `toString`) are ordinary names here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { formatDtValidateMessages } from '../../src/schema/dt-validate-format.js';
import { persistSchemaSet, schemaSetFromProcessedFile, schemaSetFromProcessedText, validate, type SchemaSet } from '../../src/schema/index.js';
import { chooseCoreSchemas } from '../../src/schema/load.js';
import { keyByStat, processedKey, recordKeyByStat, STAT_SETTLE_MS } from '../../src/schema/processed-cache.js';
import { formatProcessedSchema, makeProcessedSchema, processedSchemaJson } from '../../src/schema/processed-json.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';

const bindings = path.join(repoRoot, 'fixtures/schema/bindings');

/** A board with messages, a disabled node held to less, and names every plain object inherits. */
const BOARD = `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	compatible = "acme,board";
	model = "Acme";
	xo: clock-xo { #clock-cells = <0>; compatible = "fixed-clock"; clock-frequency = <19200000>; };
	mem: memory@80000000 { device_type = "memory"; reg = <0x80000000 0x100000>; };
	remoteproc@30000000 {
		compatible = "acme,soc-adsp-pas";
		reg = <0x30000000 0x100>, <0x31000000 0x100>;
		clocks = <&xo>;
		memory-region = <&mem>;
		firmware-name = "a.mbn", "b.mbn", "c.mbn";
		acme,unknown-prop = <1>;
	};
	remoteproc@40000000 { compatible = "acme,soc-adsp-pas"; status = "disabled"; };
	odd@50000000 {
		compatible = "constructor", "toString";
		reg = <0x50000000 0x10>;
		constructor = <1>;
		hasOwnProperty = "x";
		toString;
	};
};
`;

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'processed-cache-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function processedText(): Buffer {
  return Buffer.from(formatProcessedSchema(processedSchemaJson(makeProcessedSchema([bindings], chooseCoreSchemas().dir))));
}

function boardDtb(): Buffer {
  const result = referenceDtc(['-O', 'dtb', '-o', 'board.dtb', 'board.dts'], { files: { 'board.dts': BOARD } });
  expect(result.status, result.stderr.toString()).toBe(0);
  return Buffer.from(result.outputs['board.dtb']!);
}

/** What dt-validate -m prints for the board with this set, sorted. */
function printed(set: SchemaSet, dtb: Buffer): string[] {
  const result = validate(readDtb(dtb), set, { unmatched: true });
  persistSchemaSet(set);
  return formatDtValidateMessages(result.messages, { file: 'board.dtb', unmatchedFile: 'board.dtb' }).sort();
}

describe('the processed schema through the cache', () => {
  it('prints the same without a cache, filling it, from it, and from an entry found by the identity of the file', () => {
    const text = processedText();
    const file = path.join(work, 'processed-schema.json');
    fs.writeFileSync(file, text);
    const dtb = boardDtb();
    const cache = path.join(work, 'cache');
    const fresh = printed(schemaSetFromProcessedText(text, null), dtb);
    expect(fresh.join('')).toContain('is too long');
    expect(fresh.join('')).toContain("failed to match any schema with compatible: ['constructor', 'toString']");

    const filling = schemaSetFromProcessedFile(file, cache);
    expect(filling.fromCache).toBe(false);
    expect(printed(filling, dtb)).toEqual(fresh);
    const warm = schemaSetFromProcessedFile(file, cache);
    expect(warm.fromCache).toBe(true);
    expect(printed(warm, dtb)).toEqual(fresh);
    // a third run: validators and their V8 code cache from the cache too
    expect(printed(schemaSetFromProcessedFile(file, cache), dtb)).toEqual(fresh);
  });

  it("a file known by its identity is not read: the entry its identity names is used", () => {
    const dir = path.join(work, 'cache', 'processed');
    const file = path.join(work, 'p.json');
    fs.writeFileSync(file, '{}');
    const st = fs.statSync(file, { bigint: true });
    recordKeyByStat(dir, file, st, 'a'.repeat(32));
    // written only once the file has been left alone long enough (its change time then moves on any write)
    expect(keyByStat(dir, file, st)).toBeUndefined();
    recordKeyByStat(dir, file, st, 'a'.repeat(32), Date.now() + STAT_SETTLE_MS);
    expect(keyByStat(dir, file, st)).toBe('a'.repeat(32));
    // another identity (here: another size) is another file
    fs.appendFileSync(file, ' ');
    expect(keyByStat(dir, file, fs.statSync(file, { bigint: true }))).toBeUndefined();

    // the entry of the real processed schema, named for a file that holds something else
    const text = processedText();
    const cache = path.join(work, 'cache');
    printed(schemaSetFromProcessedText(text, cache), boardDtb());
    const other = path.join(work, 'other.json');
    fs.writeFileSync(other, '{"not": "a processed schema"}');
    recordKeyByStat(dir, other, fs.statSync(other, { bigint: true }), processedKey(text), Date.now() + STAT_SETTLE_MS);
    expect(schemaSetFromProcessedFile(other, cache).fromCache).toBe(true);
  });

  it('a damaged cache is rebuilt from the file and prints the same', () => {
    const text = processedText();
    const file = path.join(work, 'processed-schema.json');
    fs.writeFileSync(file, text);
    const dtb = boardDtb();
    const cache = path.join(work, 'cache');
    const fresh = printed(schemaSetFromProcessedText(text, null), dtb);
    printed(schemaSetFromProcessedFile(file, cache), dtb);
    const dir = path.join(cache, 'processed');
    const named = (suffix: string): string => path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(suffix))!);

    // a byte of the index changed: not used (its hash), built again
    const index = named('.index');
    const bytes = fs.readFileSync(index);
    bytes[bytes.length - 10] ^= 1;
    fs.writeFileSync(index, bytes);
    const afterIndex = schemaSetFromProcessedFile(file, cache);
    expect(afterIndex.fromCache).toBe(false);
    expect(printed(afterIndex, dtb)).toEqual(fresh);

    // the index truncated, then an empty one
    for (const damage of [(b: Buffer) => b.subarray(0, b.length >> 1), () => Buffer.alloc(0)]) {
      fs.writeFileSync(named('.index'), damage(fs.readFileSync(named('.index'))));
      const set = schemaSetFromProcessedFile(file, cache);
      expect(set.fromCache).toBe(false);
      expect(printed(set, dtb)).toEqual(fresh);
    }

    // the schemas file changed: each schema a failure needs fails its own hash, the file answers
    const schemas = named('.schemas.jsonl');
    fs.writeFileSync(schemas, fs.readFileSync(schemas, 'utf8').replace(/"maxItems":2/g, '"maxItems":9'));
    const afterSchemas = schemaSetFromProcessedFile(file, cache);
    expect(afterSchemas.fromCache).toBe(true);
    expect(printed(afterSchemas, dtb)).toEqual(fresh);
  });
});
