/** A small in-code way to build live trees for the check tests (no parser needed). */
import type { Span } from '../../src/diagnostics.js';
import { Node, Property, type Data, type Marker, type Tree } from '../../src/tree/model.js';

export type Cell = number | { ref: string };

export const ref = (label: string): { ref: string } => ({ ref: label });

/** `<…>` cells; `ref('x')` is `&x`. */
export function u32(...cells: Cell[]): Data {
  const bytes = new Uint8Array(cells.length * 4);
  const view = new DataView(bytes.buffer);
  const markers: Marker[] = [{ kind: 'u32', offset: 0 }];
  cells.forEach((c, i) => {
    if (typeof c === 'number') view.setUint32(i * 4, c >>> 0);
    else {
      view.setUint32(i * 4, 0xffffffff);
      markers.push({ kind: 'ref-phandle', offset: i * 4, ref: c.ref });
    }
  });
  return { bytes, markers };
}

/** `"a", "b"` */
export function str(...strings: string[]): Data {
  const text = strings.map((s) => `${s}\0`).join('');
  return { bytes: new TextEncoder().encode(text), markers: [{ kind: 'string', offset: 0 }] };
}

/** `&label` used as a value (a path reference). */
export function pathRef(label: string): Data {
  return { bytes: new Uint8Array(0), markers: [{ kind: 'ref-path', offset: 0, ref: label }] };
}

/** `[00 11]` */
export function raw(...bytes: number[]): Data {
  return { bytes: Uint8Array.from(bytes), markers: [{ kind: 'u8', offset: 0 }] };
}

/** Several chunks in one value (`a = "x", <1>, &y;`). */
export function concat(...parts: Data[]): Data {
  const total = parts.reduce((n, p) => n + p.bytes.length, 0);
  const bytes = new Uint8Array(total);
  const markers: Marker[] = [];
  let at = 0;
  for (const p of parts) {
    bytes.set(p.bytes, at);
    for (const m of p.markers) markers.push({ ...m, offset: m.offset + at });
    at += p.bytes.length;
  }
  return { bytes, markers };
}

export interface Extra {
  labels?: string[];
  span?: Span;
  spans?: Span[];
  omitIfNoRef?: boolean;
  deleted?: boolean;
}

export function prop(name: string, value: Data = { bytes: new Uint8Array(0), markers: [] }, extra: Extra = {}): Property {
  const p = new Property(name, value, extra.span);
  if (extra.labels) p.labels = [...extra.labels];
  if (extra.deleted) p.deleted = true;
  return p;
}

export function node(name: string, items: (Node | Property)[] = [], extra: Extra = {}): Node {
  const n = new Node(name, extra.span);
  if (extra.spans) n.spans.push(...extra.spans);
  if (extra.labels) n.labels = [...extra.labels];
  if (extra.omitIfNoRef) n.omitIfNoRef = true;
  if (extra.deleted) n.deleted = true;
  for (const item of items) {
    if (item instanceof Node) n.addChild(item);
    else n.properties.push(item);
  }
  return n;
}

export function tree(root: Node, plugin = false): Tree {
  return { v1: true, plugin, reservations: [], root, bootCpuidPhys: 0 };
}

/** A span on one line, dtc-style columns: `at(4, 2, 10)` is 4.2-10 (end inclusive in our Span). */
export function at(line: number, column: number, endColumn?: number, endLine?: number): Span {
  const s: Span = { file: 't.dts', line, column };
  if (endColumn !== undefined) {
    s.endColumn = endColumn - 1;
    s.endLine = endLine ?? line;
  }
  return s;
}

/** Root with the usual 1/1 cells so addressing checks stay quiet. */
export function root(items: (Node | Property)[] = []): Node {
  return node('', [prop('#address-cells', u32(1)), prop('#size-cells', u32(1)), ...items]);
}
