/** The strings block (src/overlay/strings.ts) against the blocks the reference dtc writes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { StringTable } from '../../src/overlay/strings.js';
import { referenceBlob, tempDir } from './support.js';

const work = tempDir('overlay-strings-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** dtc's blob of `source` and its strings block. */
function dtcStrings(source: string): { blob: Uint8Array; strings: Uint8Array } {
  fs.writeFileSync(path.join(work, 's.dts'), source);
  const blob = referenceBlob('s.dts', work, ['-q'])!;
  const view = Buffer.from(blob);
  return { blob, strings: blob.slice(view.readUInt32BE(12), view.readUInt32BE(12) + view.readUInt32BE(32)) };
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

// Names that are tails of earlier ones share their bytes; names first met deep in the tree come last.
const SOURCES = [
  '/dts-v1/;\n/ { linux,phandle = <1>; phandle = <1>; a { #clock-cells = <0>; clock-cells = <1>; cells = <2>; }; b { x = <1>; }; };\n',
  '/dts-v1/;\n/ { compatible = "c"; a-compatible = "d"; ompatible = "e"; a { deep { z-last = <1>; }; }; };\n',
  '/dts-v1/;\n/ { p = <1>; p2 = <1>; n { p = <2>; q = <3>; /delete-property/ q; }; };\n',
];

describe('StringTable', () => {
  for (const [i, source] of SOURCES.entries()) {
    it(`forTree gives dtc's block (source ${i + 1})`, () => {
      const { blob, strings } = dtcStrings(source);
      expect(latin1(StringTable.forTree(readDtb(blob).root).block)).toBe(latin1(strings));
    });

    it(`read from dtc's block, every name is found where dtc put it, nothing appended (source ${i + 1})`, () => {
      const { strings } = dtcStrings(source);
      const table = new StringTable(strings);
      const text = latin1(strings);
      for (const name of new Set(text.split('\0').filter(Boolean).flatMap((n) => [n, n.slice(1), n.slice(-1)]))) {
        expect(table.offsetOf(name), name).toBe(text.indexOf(`${name}\0`));
      }
      expect(latin1(table.block)).toBe(text);
    });
  }

  it('appends what it lacks, after a block of any size, and a clone grows apart', () => {
    const big = new Uint8Array(Buffer.from(`${'x'.repeat(300)}\0y\0`, 'latin1'));
    const table = new StringTable(big);
    expect(table.offsetOf('y')).toBe(301);
    expect(table.offsetOf('xx')).toBe(298);
    const copy = table.clone();
    expect(table.offsetOf('new')).toBe(303);
    expect(copy.offsetOf('other')).toBe(303);
    expect(latin1(table.block)).toBe(`${'x'.repeat(300)}\0y\0new\0`);
    expect(latin1(copy.block)).toBe(`${'x'.repeat(300)}\0y\0other\0`);
    // many names: the block grows past its first capacity
    const grown = new StringTable();
    for (let n = 0; n < 100; n++) expect(grown.offsetOf(`name-${n}`)).toBe(n === 0 ? 0 : latin1(grown.block).indexOf(`name-${n}\0`));
    expect(grown.block.length).toBe(10 * 7 + 90 * 8);
  });

  it('an empty name at the start of a block is found there; a tail without NUL matches nothing', () => {
    const table = new StringTable(new Uint8Array(Buffer.from('\0ab\0cd', 'latin1')));
    expect(table.offsetOf('')).toBe(0);
    expect(table.offsetOf('ab')).toBe(1);
    expect(table.offsetOf('cd')).toBe(6);
    expect(latin1(table.block)).toBe('\0ab\0cdcd\0');
  });
});
