/**
 * Malformed blobs: every one ends in a DtbFormatError naming the byte offset (never a crash or a
 * hang), and our accept/reject agrees with the reference dtc wherever dtc's behaviour is defined.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DTB_RULES, DtbFormatError, readDtb, type ReadDtbOptions } from '../../src/dtb/read.js';
import { printDts } from '../../src/output/dts.js';
import { treeToJson } from '../../src/output/json.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_PROP } from '../../src/dtb/format.js';
import { assembleBlob, corruptCases, deepBlob, u32 } from './read-corrupt-cases.js';
import { seededRandom } from '../support/random.js';

const fixtures = path.join(repoRoot, 'fixtures/dtb');
const base = new Uint8Array(fs.readFileSync(path.join(fixtures, 'small.dtb')));

function readError(bytes: Uint8Array, opts?: ReadDtbOptions): DtbFormatError | undefined {
  try {
    readDtb(bytes, opts);
    return undefined;
  } catch (err) {
    if (err instanceof DtbFormatError) return err;
    throw err;
  }
}

/** The reference dtc reading a blob; -f so that its checks do not hide what its reader did. */
function dtcReads(bytes: Uint8Array) {
  return referenceDtc(['-q', '-f', '-I', 'dtb', '-O', 'dts', 'in.dtb'], { files: { 'in.dtb': bytes } });
}


describe('readDtb on malformed blobs', () => {
  it('the base fixture is what the reference dtc makes of small.dts', () => {
    const result = referenceDtc(['-I', 'dts', '-O', 'dtb', '-o', 'out.dtb', 'small.dts'], {
      files: { 'small.dts': fs.readFileSync(path.join(fixtures, 'small.dts')) },
    });
    expect(result.status).toBe(0);
    expect(Buffer.from(result.outputs['out.dtb']!).equals(Buffer.from(base))).toBe(true);
  });

  describe.each(corruptCases)('$name: $description', (c) => {
    const bytes = c.make(base);
    const fixture = path.join(fixtures, 'corrupt', `${c.name}.dtb`);

    it('is the fixture file', () => {
      if (process.env.UPDATE_FIXTURES) fs.writeFileSync(fixture, bytes);
      expect(Buffer.from(fs.readFileSync(fixture)).equals(Buffer.from(bytes))).toBe(true);
    });

    it(`is ${c.rule} at the right offset`, () => {
      const err = readError(bytes, { file: `${c.name}.dtb` });
      expect(err, 'readDtb accepted it').toBeDefined();
      const offset = typeof c.offset === 'number' ? c.offset : c.offset(base);
      expect({ rule: err!.diagnostic.rule, offset: err!.offset }).toEqual({ rule: c.rule, offset });
      expect(err!.diagnostic.severity).toBe('error');
      expect(Object.keys(DTB_RULES)).toContain(c.rule);
      expect(err!.message).toContain(`${c.name}.dtb: `);
      expect(err!.message).toContain(`(byte offset 0x${offset.toString(16)})`);
    });

    if (c.dtc !== 'undefined') {
      it(`dtc ${c.dtc} it, and so does lenient mode`, () => {
        const reference = dtcReads(bytes);
        const lenient = readError(bytes, { lenient: true });
        if (c.dtc === 'rejects') {
          expect(reference.status).not.toBe(0);
          expect(lenient).toBeDefined();
        } else {
          expect(reference.status).toBe(0);
          expect(lenient).toBeUndefined();
          expect(printDts(readDtb(bytes, { lenient: true }))).toBe(reference.stdout);
        }
      });

      it(`compile -I dtb -O dts does what dtc does with it (status, output, stderr)`, async () => {
        const { compile, parseCompileArgs } = await import('../../src/compile/index.js');
        const reference = dtcReads(bytes);
        const ours = await compile({ file: fixture }, parseCompileArgs(['-q', '-f', '-I', 'dtb', '-O', 'dts', fixture]));
        expect(ours.exitCode === 0).toBe(reference.status === 0);
        if (reference.status !== 0) return; // dtc's fatal message is its own; ours names the byte offset
        expect(ours.exitCode).toBe(reference.status);
        expect(Buffer.from(ours.output ?? new Uint8Array()).toString('latin1')).toBe(reference.stdout);
        expect(ours.stderr).toBe(reference.stderr);
      });
    }
  });

  it('rejects every truncation of a valid blob, naming where it ends', () => {
    for (let length = 0; length < base.length; length++) {
      const err = readError(base.slice(0, length));
      expect(err, `truncated to ${length}`).toBeDefined();
      expect(err!.diagnostic.rule).toBe('dtb/truncated');
      expect(err!.offset).toBe(length);
    }
  });

  it('rejects the blob cut at every length with totalsize saying so, as dtc does at each header field', () => {
    for (let length = 0; length < base.length; length++) {
      const cut = base.slice(0, length);
      if (length >= 8) new DataView(cut.buffer).setUint32(4, length, false);
      const err = readError(cut);
      expect(err, `cut to ${length}`).toBeDefined();
      expect(err!.offset).toBeLessThanOrEqual(length);
    }
    // at each header field from 32 bytes on and into the reservation map, dtc rejects it too
    // (below 32 bytes it reads outside its buffer: not compared)
    for (const length of [32, 36, 40, 44, 48]) {
      const cut = base.slice(0, length);
      new DataView(cut.buffer).setUint32(4, length, false);
      expect(dtcReads(cut).status, `dtc on ${length}`).not.toBe(0);
    }
  });

  it('does not rescan a long name run for each of many name offsets into it', () => {
    const run = 'a'.repeat(1 << 20);
    const struct: number[] = [FDT_BEGIN_NODE, 0];
    for (let i = 0; i < 50_000; i++) struct.push(FDT_PROP, 0, i * 7);
    struct.push(FDT_END_NODE, FDT_END);
    const started = performance.now();
    const tree = readDtb(assembleBlob(struct, `${run}\0`));
    expect(tree.root.properties.length).toBe(50_000);
    expect(tree.root.properties[1]!.name.length).toBe((1 << 20) - 7);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reads deep nesting without recursion, up to a configurable limit', () => {
    const deep = deepBlob(5000);
    const err = readError(deep);
    expect(err?.diagnostic.rule).toBe('dtb/too-deep');
    const tree = readDtb(deep, { maxDepth: 10_000 });
    let depth = 1;
    for (let node = tree.root; node.children.length > 0; node = node.children[0]!) depth++;
    expect(depth).toBe(5000);
    // the printer and the JSON output are iterative too
    const text = printDts(tree);
    expect(text.endsWith('\t};\n};\n')).toBe(true);
    expect(text.split('\n').filter((line) => line.endsWith('n {')).length).toBe(4999);
    let json = treeToJson(tree).root;
    for (let level = 1; level < 5000; level++) json = json.children[0]!;
    expect(json.path.length).toBe(2 * 4999);
  });

  // DTB_FUZZ_CASES / DTB_FUZZ_SEED run a longer or different campaign (e.g. from `npm run fuzz`).
  const fuzzCases = Number(process.env.DTB_FUZZ_CASES ?? 3000);
  const fuzzSeed = Number(process.env.DTB_FUZZ_SEED ?? 0x5eed);
  it(`survives ${fuzzCases} seeded mutations with a tree or a DtbFormatError, never anything else`, () => {
    const next = seededRandom(fuzzSeed);
    const interesting = [0, 1, 2, 3, 4, 9, 0x10, 0x7fffffff, 0x80000000, 0xffffffff, base.length, base.length - 4];
    let accepted = 0;
    for (let i = 0; i < fuzzCases; i++) {
      const bytes = base.slice();
      const view = new DataView(bytes.buffer);
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        if (next() < 0.5) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
        else view.setUint32(4 * Math.floor((next() * bytes.length) / 4), interesting[Math.floor(next() * interesting.length)]!, false);
      }
      for (const lenient of [false, true]) {
        try {
          printDts(readDtb(bytes, { lenient }));
          accepted++;
        } catch (err) {
          if (!(err instanceof DtbFormatError)) throw new Error(`mutation ${i} (seed ${fuzzSeed}): ${String(err)}`);
        }
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('agrees with dtc on 300 seeded mutations in lenient mode: same accept/reject, same text', () => {
    const next = seededRandom(0xd7c);
    const mismatches: string[] = [];
    let bothAccept = 0;
    let dtcCrashed = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = base.slice();
      const view = new DataView(bytes.buffer);
      // mutate only the structure and strings blocks (header mutations are covered above and
      // often lead dtc outside its buffer)
      const start = u32(base, 8);
      const at = start + 4 * Math.floor((next() * (base.length - start)) / 4);
      if (next() < 0.5) bytes[at + Math.floor(next() * 4)] ^= 1 << Math.floor(next() * 8);
      else view.setUint32(at, [0, 1, 2, 3, 4, 9, 0xffff][Math.floor(next() * 7)]!, false);
      const reference = dtcReads(bytes);
      if (reference.status === 134) {
        // dtc's reader accepted it but a check then hit an assert (e.g. a 1-byte phandle cell): no verdict
        dtcCrashed++;
        continue;
      }
      let ours: string | undefined;
      try {
        ours = printDts(readDtb(bytes, { lenient: true }));
      } catch (err) {
        if (!(err instanceof DtbFormatError)) throw err;
      }
      if ((reference.status === 0) !== (ours !== undefined)) mismatches.push(`#${i} @0x${at.toString(16)}: dtc ${reference.status}, ours ${ours === undefined ? 'rejects' : 'accepts'}`);
      else if (ours !== undefined) {
        bothAccept++;
        if (ours !== reference.stdout) mismatches.push(`#${i} @0x${at.toString(16)}: different text`);
      }
    }
    console.log(
      `lenient mutations vs dtc: ${300 - dtcCrashed - mismatches.length}/${300 - dtcCrashed} agree ` +
        `(${bothAccept} accepted by both; dtc crashed in its checks on ${dtcCrashed})`,
    );
    expect(dtcCrashed).toBeLessThan(30);
    expect(mismatches).toEqual([]);
  });
});
