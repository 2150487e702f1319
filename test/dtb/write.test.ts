/**
 * The DTB writer: layout facts checked directly, and every writer option against the bundled
 * dtc (`-V 1|2|3|16|17`, `-R`, `-S`, `-p`, `-a`, `-b`) on sources with reservations and many
 * property names.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDtb } from '../../src/dtb/write.js';
import { Node, Property, type Tree } from '../../src/tree/model.js';
import { compileWith } from '../compile/support.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';

function tree(): Tree {
  const root = new Node('');
  const add = (node: Node, name: string, bytes: number[] = []): void => {
    node.properties.push(new Property(name, { bytes: new Uint8Array(bytes), markers: [] }));
  };
  add(root, 'compatible', [0x61, 0]);
  add(root, 'linux,phandle');
  const child = new Node('child@1');
  add(child, 'phandle', [0, 0, 0, 1]);
  add(child, 'compatible', [0x62, 0]);
  root.addChild(child);
  return { v1: true, plugin: false, reservations: [{ address: 0x1000n, size: 0x10n, labels: [] }], root, bootCpuidPhys: 3 };
}

describe('writeDtb', () => {
  it('lays out header, reservations, structure and strings as dtc does', () => {
    const { bytes } = writeDtb(tree());
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(v.getUint32(0)).toBe(0xd00dfeed);
    expect(v.getUint32(4)).toBe(bytes.length);
    expect(v.getUint32(16)).toBe(40); // reservations right after the v17 header
    expect(v.getUint32(8)).toBe(40 + 2 * 16); // one entry and the terminator
    expect(v.getUint32(20)).toBe(17);
    expect(v.getUint32(24)).toBe(16);
    expect(v.getUint32(28)).toBe(3);
    // strings: "compatible" once, "phandle" found as the tail of "linux,phandle"
    const strings = Buffer.from(bytes.subarray(v.getUint32(12))).toString('latin1');
    expect(strings).toBe('compatible\0linux,phandle\0');
  });

  it('skips deleted nodes and properties', () => {
    const t = tree();
    t.root.children[0]!.deleted = true;
    t.root.properties[0]!.deleted = true;
    const strings = (b: Uint8Array): string => {
      const v = new DataView(b.buffer, b.byteOffset);
      return Buffer.from(b.subarray(v.getUint32(12))).toString('latin1');
    };
    expect(strings(writeDtb(t).bytes)).toBe('linux,phandle\0');
  });

  it('warns like dtc when -S is below the blob size', () => {
    const result = writeDtb(tree(), { minSize: 10 });
    expect(result.warnings).toEqual([`Warning: blob size ${writeDtb(tree()).bytes.length} >= minimum size 10`]);
  });
});

describe('writer options vs dtc', () => {
  const dir = path.join(repoRoot, 'fixtures/dts');
  const OPTION_SETS = [
    ['-V', '16'],
    ['-V', '17'],
    ['-V', '1'],
    ['-V', '2'],
    ['-V', '3'],
    ['-R', '3'],
    ['-S', '4096'],
    ['-p', '100'],
    ['-a', '64'],
    ['-b', '7'],
    ['-R', '2', '-p', '8', '-b', '0x10'],
  ];
  for (const file of ['labels-and-refs.dts', 'names-and-strings.dts']) {
    it(`${file}: identical to dtc under ${OPTION_SETS.length} option sets`, async () => {
      for (const opts of OPTION_SETS) {
        const args = ['-q', ...opts, '-I', 'dts', '-O', 'dtb'];
        const ref = referenceDtc([...args, '-o', '-', file], { cwd: dir });
        const ours = await compileWith(args, file, dir);
        expect(ours.exitCode, opts.join(' ')).toBe(ref.status);
        expect(Buffer.from(ours.output!).toString('latin1'), opts.join(' ')).toBe(ref.stdout);
      }
    });
  }
});
