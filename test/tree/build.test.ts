/** Tree building: dtc's merge, delete, revive and label rules, and plugin orphans. */
import { describe, expect, it } from 'vitest';
import { parseDts } from '../../src/dts/parser.js';
import type { SourceHost } from '../../src/dts/source.js';
import { buildTree } from '../../src/tree/build.js';
import type { Node } from '../../src/tree/model.js';

const host: SourceHost = { open: () => undefined, openBinary: () => undefined };

function build(text: string) {
  const parsed = parseDts(text, 't.dts', { host });
  expect(parsed.diagnostics).toEqual([]);
  return buildTree(parsed.source!);
}

const names = (n: Node): string[] => n.children.filter((c) => !c.deleted).map((c) => c.name);
const props = (n: Node): string[] => n.properties.filter((p) => !p.deleted).map((p) => p.name);

describe('buildTree', () => {
  it('merges repeated nodes and replaces repeated properties in place, keeping every span', () => {
    const { tree } = build('/dts-v1/;\n/ { a { x = <1>; y = <2>; }; };\n/ { a { x = <3>; z; }; b { }; };\n');
    const a = tree.root.children[0]!;
    expect(names(tree.root)).toEqual(['a', 'b']);
    expect(props(a)).toEqual(['x', 'y', 'z']);
    expect([...a.properties[0]!.value.bytes]).toEqual([0, 0, 0, 3]);
    expect(a.properties[0]!.spans.map((s) => s.line)).toEqual([2, 3]);
    expect(a.spans.map((s) => s.line)).toEqual([2, 3]);
  });

  it('keeps labels newest first, as dtc lists them', () => {
    const { tree } = build('/dts-v1/;\n/ { a: b: n { }; };\nc: &a { };\n&b { };\n');
    expect(tree.root.children[0]!.labels).toEqual(['c', 'a', 'b']);
  });

  it('revives a deleted node and property in their old places, without their old labels', () => {
    const { tree } = build(
      '/dts-v1/;\n/ { first { }; l: gone { p = <1>; q; }; last { }; };\n/delete-node/ &l;\n/ { gone { q = <2>; }; };\n',
    );
    expect(names(tree.root)).toEqual(['first', 'gone', 'last']);
    const gone = tree.root.children[1]!;
    expect(gone.labels).toEqual([]);
    expect(props(gone)).toEqual(['q']);
    expect(gone.properties.map((p) => p.name)).toEqual(['p', 'q']);
  });

  it('resolves label paths in node references (&{label/sub})', () => {
    const { tree } = build('/dts-v1/;\n/ { l: a { b { }; }; };\n&{l/b} { added; };\n');
    expect(props(tree.root.children[0]!.children[0]!)).toEqual(['added']);
  });

  it('reports unknown references where they are written', () => {
    const parsed = parseDts('/dts-v1/;\n/ { };\n&nope { };\n/delete-node/ &{/missing};\n', 't.dts', { host });
    const { diagnostics } = buildTree(parsed.source!);
    expect(diagnostics.map((d) => `${d.span!.line}:${d.span!.column} ${d.message}`)).toEqual([
      '3:1 Label or path nope not found',
      '4:15 Label or path /missing not found',
    ]);
  });

  it('turns references to unknown labels in a plugin into fragments', () => {
    const { tree } = build('/dts-v1/;\n/plugin/;\n&ext { p; };\n&{/a/b} { q; };\n');
    expect(tree.plugin).toBe(true);
    expect(names(tree.root)).toEqual(['fragment@0', 'fragment@1']);
    const [f0, f1] = tree.root.children;
    expect(f0!.properties[0]!.name).toBe('target');
    expect(f0!.properties[0]!.value.markers).toMatchObject([{ kind: 'ref-phandle', ref: 'ext' }]);
    expect(f1!.properties[0]!.name).toBe('target-path');
    expect(names(f1!)).toEqual(['__overlay__']);
  });

  it('guesses the boot CPU from the first /cpus child', () => {
    const { tree } = build('/dts-v1/;\n/ { cpus { cpu@2 { reg = <2>; }; cpu@0 { reg = <0>; }; }; };\n');
    expect(tree.bootCpuidPhys).toBe(2);
  });
});
