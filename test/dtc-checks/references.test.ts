import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/dtc-checks/index.js';
import type { Node } from '../../src/tree/model.js';
import { concat, node, pathRef, prop, ref, root, str, tree, u32 } from './trees.js';

const cell = (n: Node, name: string, i = 0): number =>
  new DataView(n.getProperty(name)!.value.bytes.buffer).getUint32(i * 4);
const text = (n: Node, name: string): string => new TextDecoder().decode(n.getProperty(name)!.value.bytes);

describe('phandle_references', () => {
  it('allocates phandles in traversal order, skipping explicit ones', () => {
    const a = node('a', [prop('x', u32(ref('C'), ref('B')))]);
    const b = node('b', [], { labels: ['B'] });
    const c = node('c', [prop('phandle', u32(1))], { labels: ['C'] });
    const d = node('d', [prop('y', u32(ref('D')))], { labels: ['D'] });
    const t = tree(root([a, b, c, d]));
    const result = runChecks(t);
    expect(result.diagnostics).toEqual([]);
    expect([cell(a, 'x', 0), cell(a, 'x', 1)]).toEqual([1, 2]);
    expect(b.phandle).toBe(2);
    expect(d.phandle).toBe(3);
    expect(cell(d, 'y')).toBe(3);
    // epapr by default: only `phandle`, appended after the node's own properties
    expect(b.properties.map((p) => p.name)).toEqual(['phandle']);
    expect(d.properties.map((p) => p.name)).toEqual(['y', 'phandle']);
    expect(b.referenced && c.referenced && d.referenced).toBe(true);
  });

  it('adds linux,phandle and/or phandle as -H asks', () => {
    for (const [format, names] of [
      ['legacy', ['linux,phandle']],
      ['epapr', ['phandle']],
      ['both', ['linux,phandle', 'phandle']],
    ] as const) {
      const b = node('b', [], { labels: ['B'] });
      runChecks(tree(root([node('a', [prop('x', u32(ref('B')))]), b])), { phandleFormat: format });
      expect(b.properties.map((p) => p.name)).toEqual(names);
    }
  });

  it('fills a self-referencing phandle property', () => {
    const a = node('a', [prop('phandle', u32(ref('A')))], { labels: ['A'] });
    const result = runChecks(tree(root([a])));
    expect(result.diagnostics).toEqual([]);
    expect(a.phandle).toBe(1);
    expect(cell(a, 'phandle')).toBe(1);
    expect(a.properties).toHaveLength(1);
  });

  it('leaves unresolved references as 0xffffffff in a plugin', () => {
    const f = node('fragment@0', [prop('target', u32(ref('base')))]);
    const result = runChecks(tree(node('', [f]), true));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(cell(f, 'target')).toBe(0xffffffff);
  });

  it('resolves label/path references', () => {
    const a = node('a', [prop('x', u32(ref('S/child')))]);
    const child = node('child');
    const t = tree(root([a, node('s', [child], { labels: ['S'] })]));
    expect(runChecks(t).diagnostics).toEqual([]);
    expect(child.phandle).toBe(1);
  });
});

describe('explicit_phandles', () => {
  const errors = (...nodes: Node[]) =>
    runChecks(tree(root(nodes))).diagnostics.map((d) => `${d.path}${d.property ? `:${d.property}` : ''}: ${d.message}`);

  it('rejects duplicates, bad values, bad lengths and mismatches', () => {
    expect(errors(node('a', [prop('phandle', u32(5))]), node('b', [prop('phandle', u32(5))]))).toEqual([
      '/b: duplicated phandle 0x5 (seen before at /a)',
    ]);
    expect(errors(node('a', [prop('phandle', u32(0xffffffff))]))).toEqual([
      '/a:phandle: bad value (0xffffffff) in phandle property',
    ]);
    expect(errors(node('a', [prop('linux,phandle', u32(1, 2))]))).toEqual([
      '/a:linux,phandle: bad length (8) linux,phandle property',
    ]);
    expect(errors(node('a', [prop('phandle', u32(1)), prop('linux,phandle', u32(2))]))).toEqual([
      "/a: mismatching 'phandle' and 'linux,phandle' properties",
    ]);
    expect(errors(node('a', [prop('phandle', u32(ref('B')))]), node('b', [], { labels: ['B'] }))).toEqual([
      '/a: phandle is a reference to another node',
    ]);
  });
});

describe('path_references', () => {
  it('inserts the path and moves later markers', () => {
    const a = node('a', [prop('x', concat(str('pre'), pathRef('T'), u32(ref('T'))))]);
    const target = node('target', [], { labels: ['T'] });
    runChecks(tree(root([a, target])));
    const value = a.getProperty('x')!.value;
    expect(text(a, 'x').slice(0, 12)).toBe('pre\0/target\0');
    const phandleMarker = value.markers.find((m) => m.kind === 'ref-phandle')!;
    expect(phandleMarker.offset).toBe(12);
    expect(new DataView(value.bytes.buffer).getUint32(12)).toBe(1);
  });

  it('reports missing targets', () => {
    const result = runChecks(tree(root([node('a', [prop('x', pathRef('nope'))])])));
    expect(result.diagnostics.map((d) => d.message)).toEqual(['Reference to non-existent node or label "nope"']);
    expect(result.diagnostics[0]!.rule).toBe('dtc/path_references');
  });
});

describe('omit_unused_nodes', () => {
  it('deletes unreferenced /omit-if-no-ref/ nodes only', () => {
    const used = node('used', [], { labels: ['U'], omitIfNoRef: true });
    const unused = node('unused', [node('sub', [prop('p', u32(1))])], { labels: ['X'], omitIfNoRef: true });
    const t = tree(root([node('a', [prop('x', u32(ref('U')))]), used, unused]));
    runChecks(t);
    expect(used.deleted).toBe(false);
    expect(unused.deleted).toBe(true);
    expect(unused.children[0]!.deleted).toBe(true);
    expect(unused.labels).toEqual([]);
  });

  it('keeps labelled nodes under -@', () => {
    const unused = node('unused', [], { labels: ['X'], omitIfNoRef: true });
    runChecks(tree(root([unused])), { symbols: true });
    expect(unused.deleted).toBe(false);
  });
});

describe('phandle counter', () => {
  it('reports where dtc\'s counter stands after the checks', () => {
    const b = node('b', [], { labels: ['B'] });
    const c = node('c', [prop('phandle', u32(2))]);
    const result = runChecks(tree(root([node('a', [prop('x', u32(ref('B')))]), b, c])));
    expect(b.phandle).toBe(1);
    // the counter stays on the last phandle handed out; the next allocation skips the taken 2
    expect(result.nextPhandle).toBe(1);
  });
});

describe('running the checks twice', () => {
  it('does not insert a path twice', () => {
    const a = node('a', [prop('x', pathRef('T'))]);
    const t = tree(root([a, node('target', [], { labels: ['T'] })]));
    runChecks(t);
    runChecks(t);
    expect(text(a, 'x')).toBe('/target\0');
  });
});
