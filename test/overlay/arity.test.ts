/**
 * overlay/phandle-args (src/overlay/arity.ts): a phandle-with-arguments property that an overlay
 * set, checked against its provider's `#…-cells` in the merged tree. Valid and invalid cases, from
 * sources (entries where the references are) and from blobs (entries as dtc walks them); from
 * blobs, whether a property is wrong is also what dtc's own check says of the merged blob.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, defaultCompileOptions } from '../../src/compile/index.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { appliedBlob, readBlobForOverlay } from '../../src/overlay/blob.js';
import { ARITY_RULE, checkOverlayPhandleArgs } from '../../src/overlay/arity.js';
import { Node, Property, type Tree } from '../../src/tree/model.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { referenceBlob, tempDir } from './support.js';
import { runTool } from '../../src/dtc-wasm/index.js';

const BASE = `/dts-v1/;
/ {
	smmu: iommu { #iommu-cells = <2>; };
	gpio: gpio-controller { #gpio-cells = <2>; };
	clk: clock-controller { #clock-cells = <0>; };
	msi: msi-controller { };
	plain: plain { };
	odd: odd-cells { #iommu-cells = [00 02]; };
	dev { iommus = <&smmu 1>; };
};
`;

async function compiled(file: string, text: string): Promise<Tree> {
  const r = await compile({ file, text }, { ...defaultCompileOptions(), outputFormat: 'dtb', symbols: true, quiet: 3 });
  expect(r.tree, r.messages.join('\n')).toBeDefined();
  return r.tree!;
}

/** The findings on /dev after an overlay from source sets `props` there. */
async function fromSource(props: string): Promise<Diagnostic[]> {
  const applied = applyOverlays(await compiled('base.dts', BASE), [{ tree: await compiled('o.dtso', `/dts-v1/;\n/plugin/;\n&{/dev} {\n${props}\n};\n`), name: 'o.dtso' }]);
  return checkOverlayPhandleArgs(applied.tree, applied.touched);
}

const messages = (ds: Diagnostic[]) => ds.map((d) => `${d.property}: ${d.message}`);

describe('from source: entries start where the references are', () => {
  const cases: [string, string[]][] = [
    ['iommus = <&smmu 1 2>, <&smmu 3 4>;', []],
    ['clocks = <&clk>, <&clk>;', []],
    ['foo-gpios = <&gpio 1 0>; gpios = <&gpio 2 0>; gpio = <&gpio 3 0>; led-gpio = <&gpio 4 0>;', []],
    ['iommus = <&smmu 1>;', ['iommus: entry 1 refers to /iommu (#iommu-cells = <2>) but has 1 argument cell; expected 2']],
    ['iommus = <&smmu 1 2 3>;', ['iommus: entry 1 refers to /iommu (#iommu-cells = <2>) but has 3 argument cells; expected 2']],
    ['iommus = <&smmu 1 2>, <&smmu>;', ['iommus: entry 2 refers to /iommu (#iommu-cells = <2>) but has 0 argument cells; expected 2']],
    ['clocks = <&clk 7>;', ['clocks: entry 1 refers to /clock-controller (#clock-cells = <0>) but has 1 argument cell; expected 0']],
    ['foo-gpios = <&gpio 1>;', ['foo-gpios: entry 1 refers to /gpio-controller (#gpio-cells = <2>) but has 1 argument cell; expected 2']],
    ['gpio = <&gpio 1>;', ['gpio: entry 1 refers to /gpio-controller (#gpio-cells = <2>) but has 1 argument cell; expected 2']],
    ['led-gpio = <&gpio>;', ['led-gpio: entry 1 refers to /gpio-controller (#gpio-cells = <2>) but has 0 argument cells; expected 2']],
    ['iommus = <&plain 1>;', ['iommus: entry 1 refers to /plain, which has no #iommu-cells (is it really a iommus provider?)']],
    ['iommus = <&odd 1>;', ['iommus: provider /odd-cells has a malformed #iommu-cells']],
    ['iommus = <0x99 1 2>;', ['iommus: entry 1 (cell 0) refers to phandle 0x99, which no node of the merged tree has']],
    ['iommus = [00 00 00 01 02];', ['iommus: property size (5) is not a whole number of cells']],
    // msi-parent's cells are optional: a provider without #msi-cells takes none
    ['msi-parent = <&msi>;', []],
    ['msi-parent = <&msi 1>;', ['msi-parent: entry 1 refers to /msi-controller (#msi-cells = <0>) but has 1 argument cell; expected 0']],
    // an empty (0) entry first: no reference marks the first entry, so entries are walked as from a blob
    ['iommus = <0 &smmu 1 2>;', []],
    ['iommus = <0 &smmu 1>;', ['iommus: entry 2 refers to /iommu (#iommu-cells = <2>) but has 1 argument cell; expected 2']],
    ['iommus = <0 &smmu 1 2 0x99>;', ['iommus: entry 3 (cell 4) refers to phandle 0x99, which no node of the merged tree has']],
    // not a provider property
    ['reg = <&smmu>;', []],
  ];
  for (const [props, expected] of cases) {
    it(`${props} → ${expected.length ? expected.join('; ') : 'no finding'}`, async () => {
      expect(messages(await fromSource(props))).toEqual(expected);
    });
  }

  it('a finding is a warning at the overlay line, with the #cells line related', async () => {
    const [d] = await fromSource('\tiommus = <&smmu 1>;');
    expect(d).toMatchObject({ rule: ARITY_RULE, severity: 'warning', path: '/dev', property: 'iommus', span: { file: 'o.dtso', line: 4 } });
    expect(d!.related).toEqual([{ message: '#iommu-cells defined here', span: expect.objectContaining({ file: 'base.dts', line: 3 }) }]);
  });

  it("what the overlay did not set is not checked (the base's own /dev:iommus is short)", async () => {
    expect(await fromSource('status = "okay";')).toEqual([]);
  });
});

describe('from blobs: entries as dtc walks them; wrong exactly when dtc warns on the merged blob', () => {
  const work = tempDir('arity-');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const blob = (name: string, text: string) => {
    fs.writeFileSync(path.join(work, name), text);
    const bytes = referenceBlob(name, work, ['-q', '-@']);
    expect(bytes).toBeDefined();
    return readBlobForOverlay(bytes!);
  };
  /** dtc's warnings for /dev's property on the merged blob. */
  const dtcWarns = (merged: Uint8Array, prop: string) => {
    fs.writeFileSync(path.join(work, 'merged.dtb'), merged);
    const r = runTool('dtc', ['-I', 'dtb', '-O', 'dts', '-o', 'merged.dts', 'merged.dtb'], { cwd: work });
    return r.stderr.toString().split('\n').filter((l) => l.includes(`/dev:${prop}`));
  };
  const cases: [string, string, boolean][] = [
    ['iommus', 'iommus = <&smmu 1 2>, <&smmu 3 4>;', false],
    // from a blob the cell after the first entry reads as a second entry, whose phandle 0x99 no node has
    ['iommus', 'iommus = <&smmu 1 2 0x99>;', true],
    ['iommus', 'iommus = <&smmu 1>;', true],
    ['clocks', 'clocks = <&clk &clk>;', false],
    ['iommus', 'iommus = <0 &smmu 1 2>;', false],
    ['iommus', 'iommus = <0xffffffff &smmu 1 2>;', false],
  ];
  for (const [prop, props, wrong] of cases) {
    it(`${props} → ${wrong ? 'a finding' : 'none'}, as dtc`, () => {
      // without /odd-cells, whose malformed #iommu-cells would stop dtc's iommus check
      const applied = applyOverlays(blob('base.dts', BASE.replace(/^.*odd-cells.*\n/m, '')), [{ tree: blob('o.dtso', `/dts-v1/;\n/plugin/;\n&{/dev} {\n${props}\n};\n`), name: 'o.dtbo' }]);
      const found = checkOverlayPhandleArgs(applied.tree, applied.touched);
      expect(found.map((d) => d.property)).toEqual(wrong ? [prop] : []);
      expect(dtcWarns(appliedBlob(applied), prop).length > 0).toBe(wrong);
    });
  }
});

describe('providers by phandle', () => {
  it('two nodes with one phandle: the first in tree order is the provider (as fdt_node_offset_by_phandle)', () => {
    const cell = (n: number) => new Uint8Array([0, 0, 0, n]);
    const node = (name: string, props: [string, Uint8Array][]) => {
      const n = new Node(name);
      for (const [p, bytes] of props) n.properties.push(new Property(p, { bytes, markers: [] }));
      return n;
    };
    const root = new Node('');
    const first = node('first', [['phandle', cell(1)], ['#iommu-cells', cell(1)]]);
    const second = node('second', [['phandle', cell(1)], ['#iommu-cells', cell(2)]]);
    const dev = node('dev', [['iommus', new Uint8Array([0, 0, 0, 1, 0, 0, 0, 5])]]);
    for (const n of [first, second, dev]) {
      n.parent = root;
      root.children.push(n);
    }
    const tree = { root, reservations: [], bootCpuidPhys: 0 } as unknown as Tree;
    expect(checkOverlayPhandleArgs(tree, new Set(dev.properties))).toEqual([]);
    dev.properties[0]!.value.bytes = new Uint8Array([0, 0, 0, 1]);
    expect(messages(checkOverlayPhandleArgs(tree, new Set(dev.properties)))).toEqual(['iommus: entry 1 refers to /first (#iommu-cells = <1>) but has 0 argument cells; expected 1']);
  });
});
