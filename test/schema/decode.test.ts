/**
 * Typing property values from bytes (decode.ts) with a type table built from small bindings
 * (prop-types.ts): strings, cells, matrices by dimension, phandle-arrays split by the provider's
 * #…-cells, gpios, interrupts and reg split by the parent's cells; regex guard.
 */
import { describe, expect, it } from 'vitest';
import { decodeTree, RawBytes, type DtNode } from '../../src/schema/decode.js';
import { fixupSchema } from '../../src/schema/fixups.js';
import type { JsonObject } from '../../src/schema/json.js';
import { buildPropTypeTable, PropTypeLookup } from '../../src/schema/prop-types.js';
import { bindingRegExp, hasNestedQuantifier } from '../../src/schema/regex.js';
import { Node, Property } from '../../src/tree/model.js';

const T = '/schemas/types.yaml#/definitions/';
const binding = fixupSchema({
  $id: 'http://devicetree.org/schemas/t.yaml#',
  properties: {
    'str-prop': { $ref: `${T}string` },
    'u8-prop': { $ref: `${T}uint8-array` },
    'mat-prop': { $ref: `${T}uint32-matrix`, items: { minItems: 2, maxItems: 2 } },
    clocks: { $ref: `${T}phandle-array` },
    reg: { $ref: `${T}address` },
    interrupts: { $ref: `${T}uint32-matrix` },
    'phandle': { $ref: `${T}uint32` },
    '#clock-cells': { $ref: `${T}uint32` },
    '#address-cells': { $ref: `${T}uint32` },
    '#size-cells': { $ref: `${T}uint32` },
    '#interrupt-cells': { $ref: `${T}uint32` },
    '#gpio-cells': { $ref: `${T}uint32` },
    'reset-gpios': { $ref: `${T}phandle-array` },
  },
});
const lookup = new PropTypeLookup(buildPropTypeTable([binding as JsonObject]));

function cells(...values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x >>> 0));
  return b;
}

function node(name: string, props: Record<string, Uint8Array>, children: Node[] = []): Node {
  const n = new Node(name);
  for (const [k, v] of Object.entries(props)) n.properties.push(new Property(k, { bytes: v, markers: [] }));
  for (const c of children) n.addChild(c);
  return n;
}

describe('decode', () => {
  const provider = node('clock-controller', { phandle: cells(1), '#clock-cells': cells(1), '#gpio-cells': cells(2), '#interrupt-cells': cells(3) });
  const device = node('dev@10', {
    'str-prop': Buffer.from('hello\0'),
    'u8-prop': new Uint8Array([1, 2, 3]),
    'mat-prop': cells(1, 2, 3, 4),
    clocks: cells(1, 5, 1, 6),
    reg: cells(0x10, 0x100, 0x20, 0x100),
    interrupts: cells(0, 1, 4, 0, 2, 4),
    'reset-gpios': cells(1, 7, 0),
    'unknown-flag': new Uint8Array(0),
    'unknown-text': Buffer.from('x\0'),
  });
  const root = node('', { '#address-cells': cells(1), '#size-cells': cells(1), 'interrupt-parent': cells(1) }, [provider, device]);
  const decoded = decodeTree(root, lookup);
  const dev = decoded.root['dev@10'] as DtNode;

  it('types by the table and splits by cells', () => {
    expect(dev['str-prop']).toEqual(['hello']);
    expect(dev['u8-prop']).toEqual([1, 2, 3]);
    expect(dev['mat-prop']).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(dev.clocks).toEqual([
      [1, 5],
      [1, 6],
    ]);
    expect(dev.reg).toEqual([
      [0x10, 0x100],
      [0x20, 0x100],
    ]);
    expect(dev['reset-gpios']).toEqual([[1, 7, 0]]);
    expect(dev['unknown-flag']).toBe(true);
    expect(dev['unknown-text']).toEqual(['x']);
  });

  it('splits interrupts by the interrupt parent cells', () => {
    expect(dev.interrupts).toEqual([
      [0, 1, 4],
      [0, 2, 4],
    ]);
  });

  it('keeps undecodable bytes as bytes', () => {
    const odd = node('', { 'weird-prop': new Uint8Array([1, 2, 3]) });
    expect(decodeTree(odd, lookup).root['weird-prop']).toBeInstanceOf(RawBytes);
  });

  it('maps instances back to live nodes', () => {
    expect(decoded.nodes.get(dev)?.name).toBe('dev@10');
  });
});

describe('decode: what the type table leaves open', () => {
  // Two bindings: one types `dual-prop` as a number, the other as a string; a matrix whose row
  // count is fixed (minItems = maxItems) but whose rows say nothing of their length.
  const other = fixupSchema({
    $id: 'http://devicetree.org/schemas/u.yaml#',
    properties: {
      'dual-prop': { $ref: `${T}string` },
      'names-prop': { $ref: `${T}string` },
      'fixed-rows': { $ref: `${T}uint32-matrix`, minItems: 2, maxItems: 2 },
    },
  });
  const first = fixupSchema({
    $id: 'http://devicetree.org/schemas/v.yaml#',
    properties: { 'dual-prop': { $ref: `${T}uint32` }, 'names-prop': { $ref: `${T}string-array` } },
  });
  const table = new PropTypeLookup(buildPropTypeTable([first as JsonObject, other as JsonObject]));
  const decode = (props: Record<string, Uint8Array>) => decodeTree(node('', props), table).root;

  it('string or number: a string when the bytes are one, else the number', () => {
    expect([...table.types('dual-prop')]).toEqual(['uint32', 'string']);
    expect(decode({ 'dual-prop': Buffer.from('text\0') })['dual-prop']).toEqual(['text']);
    expect(decode({ 'dual-prop': cells(0x01020304) })['dual-prop']).toBe(0x01020304);
  });

  it('only string types, and bytes that are no strings: kept as bytes', () => {
    expect(decode({ 'names-prop': cells(0x01020304) })['names-prop']).toBeInstanceOf(RawBytes);
  });

  it('rows of a fixed length that the values do not fill: the last row is short', () => {
    expect(decodeTree(node('', { 'mat-prop': cells(1, 2, 3) }), lookup).root['mat-prop']).toEqual([[1, 2], [3]]);
  });

  it('a fixed number of rows of unknown length: the values split evenly among them', () => {
    expect(decode({ 'fixed-rows': cells(1, 2, 3, 4, 5, 6) })['fixed-rows']).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });
});

describe('decode: phandle+args lists split by each provider', () => {
  // dt-validate's fixups: interconnects entries are two phandle+args (source and destination);
  // *-gpios use the provider's #gpio-cells, a 0 phandle being an empty entry; interrupts-extended
  // takes each interrupt controller's own #interrupt-cells.
  const providers = fixupSchema({
    $id: 'http://devicetree.org/schemas/providers.yaml#',
    properties: {
      interconnects: { $ref: `${T}phandle-array` },
      'interrupts-extended': { $ref: `${T}phandle-array` },
      'enable-gpios': { $ref: `${T}phandle-array` },
      phandle: { $ref: `${T}uint32` },
      '#interconnect-cells': { $ref: `${T}uint32` },
      '#interrupt-cells': { $ref: `${T}uint32` },
      '#gpio-cells': { $ref: `${T}uint32` },
    },
  });
  const types = new PropTypeLookup(buildPropTypeTable([providers as JsonObject]));
  const root = node('', {}, [
    node('noc-a', { phandle: cells(1), '#interconnect-cells': cells(1) }),
    node('noc-b', { phandle: cells(2), '#interconnect-cells': cells(2) }),
    node('intc-a', { phandle: cells(3), '#interrupt-cells': cells(3) }),
    node('intc-b', { phandle: cells(4), '#interrupt-cells': cells(1) }),
    node('tlmm', { phandle: cells(5), '#gpio-cells': cells(2) }),
    node('dev', {
      interconnects: cells(1, 10, 2, 20, 21, 2, 30, 31, 1, 11),
      'interrupts-extended': cells(3, 0, 5, 4, 4, 9, 3, 0, 6, 1),
      'enable-gpios': cells(5, 7, 0, 0, 5, 8, 1),
    }),
  ]);
  const dev = decodeTree(root, types).root.dev as DtNode;

  it('interconnects: one entry is a source and a destination, each with its provider\'s cells', () => {
    expect(dev.interconnects).toEqual([
      [1, 10, 2, 20, 21],
      [2, 30, 31, 1, 11],
    ]);
  });

  it('interrupts-extended: each controller\'s #interrupt-cells', () => {
    expect(dev['interrupts-extended']).toEqual([
      [3, 0, 5, 4],
      [4, 9],
      [3, 0, 6, 1],
    ]);
  });

  it('*-gpios: the provider\'s #gpio-cells, a 0 phandle an empty entry', () => {
    expect(dev['enable-gpios']).toEqual([[5, 7, 0], [0], [5, 8, 1]]);
  });
});

describe('decode: cells split by the parent, the map or the unresolved phandles of an overlay', () => {
  const bus = fixupSchema({
    $id: 'http://devicetree.org/schemas/bus.yaml#',
    properties: {
      reg: { $ref: `${T}address` },
      'interrupt-map': { $ref: `${T}uint32-matrix` },
      ranges: { oneOf: [{ type: 'boolean' }, { $ref: `${T}uint32-matrix` }] },
      'enable-gpios': { $ref: `${T}phandle-array` },
      phandle: { $ref: `${T}uint32` },
      '#address-cells': { $ref: `${T}uint32` },
      '#size-cells': { $ref: `${T}uint32` },
      '#interrupt-cells': { $ref: `${T}uint32` },
    },
  });
  const types = new PropTypeLookup(buildPropTypeTable([bus as JsonObject]));
  const U = 0xffffffff;
  const root = node('', { '#address-cells': cells(1), '#size-cells': cells(1) }, [
    node('gic', { phandle: cells(3), '#interrupt-cells': cells(3), '#address-cells': cells(1) }),
    node('pcie', { '#address-cells': cells(1), '#size-cells': cells(0), '#interrupt-cells': cells(1), 'interrupt-map': cells(0x10, 1, 3, 0, 0, 100, 4, 0x20, 2, 3, 0, 0, 101, 4) }, [
      node('dev@10', { reg: cells(0x10, 0x11) }),
    ]),
    node('soc', { '#address-cells': cells(2), '#size-cells': cells(1), ranges: cells(0, 0x1000, 0x2000, 0x100, 0, 0x3000, 0x4000, 0x100) }),
    node('simple-bus', { ranges: new Uint8Array(0) }),
    // an overlay fragment: phandles not resolved yet (0xffffffff), split at the next unresolved one
    node('overlay', {
      '#address-cells': cells(1),
      '#interrupt-cells': cells(1),
      'interrupt-map': cells(0x10, 1, U, 7, 8, 9, 0x20, 2, U, 7, 8, 9),
      'enable-gpios': cells(U, 7, 0, U, 8, 1),
    }),
    node('overlay-tail', { 'enable-gpios': cells(U, 7, 0, U) }),
  ]);
  const decoded = decodeTree(root, types).root;
  const at = (name: string) => decoded[name] as DtNode;

  it('interrupt-map rows: child address and interrupt, the parent phandle, its address and interrupt cells', () => {
    expect(at('pcie')['interrupt-map']).toEqual([
      [0x10, 1, 3, 0, 0, 100, 4],
      [0x20, 2, 3, 0, 0, 101, 4],
    ]);
  });

  it('reg by the parent\'s cells, even one cell wide; ranges by its own address cells, the parent\'s and its size cells', () => {
    expect((at('pcie')['dev@10'] as DtNode).reg).toEqual([[0x10], [0x11]]);
    expect(at('soc').ranges).toEqual([
      [0, 0x1000, 0x2000, 0x100],
      [0, 0x3000, 0x4000, 0x100],
    ]);
    expect(at('simple-bus').ranges).toBe(true);
  });

  it('unresolved phandles: an entry runs to the next 0xffffffff (not counting a last cell)', () => {
    expect(at('overlay')['interrupt-map']).toEqual([
      [0x10, 1, U, 7, 8, 9],
      [0x20, 2, U, 7, 8, 9],
    ]);
    expect(at('overlay')['enable-gpios']).toEqual([
      [U, 7, 0],
      [U, 8, 1],
    ]);
    expect(at('overlay-tail')['enable-gpios']).toEqual([[U, 7, 0, U]]);
  });
});

describe('regex guard', () => {
  it.each([
    ['(a+)+', true],
    ['^(,[0-9a-f]+)*$', true],
    ['^[a-z]+@[0-9a-f]+$', false],
    ['^(foo|bar)-[0-9]+$', false],
    ['(?:x*)*', true],
  ])('%s nested=%s', (pattern, nested) => {
    expect(hasNestedQuantifier(pattern)).toBe(nested);
  });

  it('bounds flagged patterns to short inputs, translating Python syntax', () => {
    const re = bindingRegExp('^(a+)+$', '');
    expect(re.test('aaaa')).toBe(true);
    expect(re.test(`${'a'.repeat(300)}!`)).toBe(false);
    expect(bindingRegExp('^(?P<x>a)(?P=x)\\Z', '').test('aa')).toBe(true);
  });
});
