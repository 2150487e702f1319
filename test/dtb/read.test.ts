/** readDtb: what the tree holds after reading a blob, as dtc's dt_from_blob leaves it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_NOP, FDT_PROP } from '../../src/dtb/format.js';
import { blobOffsetOf, readDtb } from '../../src/dtb/read.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';
import { assembleBlob } from './read-corrupt-cases.js';

const small = new Uint8Array(fs.readFileSync(path.join(repoRoot, 'fixtures/dtb/small.dtb')));

function compile(source: string, args: string[] = []): Uint8Array {
  const result = referenceDtc(['-q', ...args, '-I', 'dts', '-O', 'dtb', '-o', 'out.dtb', 'in.dts'], { files: { 'in.dts': source } });
  expect(result.status, result.stderr).toBe(0);
  return result.outputs['out.dtb']!;
}

describe('readDtb', () => {
  it('reads nodes, properties as untyped bytes, reservations and no labels', () => {
    const tree = readDtb(small);
    expect(tree.v1).toBe(true);
    expect(tree.plugin).toBe(false);
    expect(tree.reservations).toEqual([{ address: 0x10000000n, size: 0x4000n, labels: [] }]);
    expect(tree.root.name).toBe('');
    expect(tree.root.children.map((c) => c.path)).toEqual(['/interrupt-controller@1000', '/uart@2000']);
    const uart = tree.root.getChild('uart@2000')!;
    expect(uart.properties.map((p) => p.name)).toEqual(['compatible', 'reg', 'interrupt-parent', 'interrupts', 'mac', 'width']);
    const mac = uart.getProperty('mac')!;
    expect(Array.from(mac.value.bytes)).toEqual([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    expect(mac.value.markers).toEqual([]);
    expect(tree.root.children[0]!.labels).toEqual([]); // dtc does not rebuild labels from a blob
  });

  it('takes node phandles from phandle, else linux,phandle', () => {
    const blob = compile(`/dts-v1/;
/ {
	a { phandle = <5>; };
	b { linux,phandle = <6>; };
	c { phandle = <7>; linux,phandle = <7>; };
	d { phandle = [00 01]; };
};`, ['-f']);
    const tree = readDtb(blob);
    expect(tree.root.children.map((c) => [c.name, c.phandle])).toEqual([
      ['a', 5],
      ['b', 6],
      ['c', 7],
      ['d', 0],
    ]);
  });

  it('keeps boot_cpuid_phys and several reservations', () => {
    const blob = compile('/dts-v1/;\n/memreserve/ 0x1 0x2;\n/memreserve/ 0xffffffff00000000 0x1000;\n/ { };', ['-b', '3']);
    const tree = readDtb(blob);
    expect(tree.bootCpuidPhys).toBe(3);
    expect(tree.reservations.map((r) => [r.address, r.size])).toEqual([
      [1n, 2n],
      [0xffffffff00000000n, 0x1000n],
    ]);
  });

  it('reads pre-v16 blobs: full-path names, 8-byte aligned long values', () => {
    const source = '/dts-v1/;\n/ { a { b { long = /bits/ 64 <1 2>; short = <1>; }; }; };';
    for (const version of ['2', '3', '16']) {
      const tree = readDtb(compile(source, ['-V', version]));
      const b = tree.root.getChild('a')!.getChild('b')!;
      expect(b.path).toBe('/a/b');
      expect(Array.from(b.getProperty('long')!.value.bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    }
  });

  it("reports dtc's warning for subnodes before a property, and allows NOP from v16", () => {
    const blob = assembleBlob([FDT_BEGIN_NODE, '', FDT_BEGIN_NODE, 'child', FDT_END_NODE, FDT_PROP, 0, 0, FDT_NOP, FDT_END_NODE, FDT_END], 'late\0');
    const warnings: Diagnostic[] = [];
    const tree = readDtb(blob, { warnings });
    expect(tree.root.properties.map((p) => p.name)).toEqual(['late']);
    expect(warnings).toEqual([
      { rule: 'dtb/warning', severity: 'warning', message: 'Flat tree input has subnodes preceding a property.', path: '/' },
    ]);
  });

  it('remembers where each node and property starts in the blob', () => {
    const tree = readDtb(small);
    const structStart = 0x48;
    expect(blobOffsetOf(tree.root)).toBe(structStart);
    expect(blobOffsetOf(tree.root.properties[0]!)).toBe(structStart + 8);
  });

  it('accepts a named root only in lenient mode, where dtc prints the name', () => {
    const blob = assembleBlob([FDT_BEGIN_NODE, 'foo', FDT_END_NODE, FDT_END]);
    expect(() => readDtb(blob)).toThrow(/root node has the name "foo"/);
    expect(readDtb(blob, { lenient: true }).root.name).toBe('foo');
  });
});
