/**
 * Turning a live tree into the JSON instance that bindings are written against, as dt-validate
 * decodes a blob (dt-schema's dtb.py): each property's bytes are typed by the property type table
 * (strings → string lists, cells → integers, arrays, matrices split by the table's dimensions,
 * empty → true), then `*-gpios`, `interrupts`, `reg`/`ranges` and phandle-arrays are split by the
 * provider's or parent's `#…-cells`.
 *
 * Integers are JS numbers; their width (8/16/32/64 bits, for the `typeSize` keyword) is kept on
 * the side in `valueSizes`. 64-bit values beyond 2^53 lose precision, which no binding
 * constrains that finely.
 */
import { isTypeMarker, type Marker, type Node, type Property } from '../tree/model.js';
import type { PropTypeLookup, Dim } from './prop-types.js';

/** Bytes that could not be decoded (dt-validate keeps them as a Python `bytes`). */
export class RawBytes {
  constructor(readonly bytes: Uint8Array) {}
}

export type DtValue = true | number | string[] | number[] | number[][] | RawBytes;
export interface DtNode {
  [name: string]: DtValue | DtNode | string[];
}

/** Width in bits of the integers in an array, or of a scalar property (keyed by node object). */
export const valueSizes = new WeakMap<object, number | Map<string, number>>();

/** The decoded tree plus where each instance came from. */
export interface DecodedTree {
  root: DtNode;
  /** Instance object → live node. */
  nodes: Map<DtNode, Node>;
}

interface IntFormat {
  size: number;
  signed: boolean;
}

const INT_FORMATS: Record<string, IntFormat> = {
  int8: { size: 1, signed: true },
  uint8: { size: 1, signed: false },
  int16: { size: 2, signed: true },
  uint16: { size: 2, signed: false },
  int32: { size: 4, signed: true },
  uint32: { size: 4, signed: false },
  int64: { size: 8, signed: true },
  uint64: { size: 8, signed: false },
  phandle: { size: 4, signed: false },
  address: { size: 4, signed: false },
};

function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function isAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b > 0x7f) return false;
  return true;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** dt-schema's bytes_to_string: a list of non-empty printable strings, or undefined. */
function bytesToStrings(bytes: Uint8Array): string[] | undefined {
  if (!isAscii(bytes)) return undefined;
  const strings = latin1(bytes).split('\0');
  if (strings.length - 1 > 0 && strings[strings.length - 1] === '') {
    const body = strings.slice(0, -1);
    if (body.every((s) => s !== '' && isPrintableAscii(s))) return body;
  }
  return undefined;
}

function unpack(bytes: Uint8Array, fmt: IntFormat): number[] | undefined {
  if (bytes.length % fmt.size) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += fmt.size) {
    switch (fmt.size) {
      case 1:
        out.push(fmt.signed ? view.getInt8(i) : view.getUint8(i));
        break;
      case 2:
        out.push(fmt.signed ? view.getInt16(i) : view.getUint16(i));
        break;
      case 4:
        out.push(fmt.signed ? view.getInt32(i) : view.getUint32(i));
        break;
      default:
        out.push(Number(fmt.signed ? view.getBigInt64(i) : view.getBigUint64(i)));
    }
  }
  return out;
}

/** dt-schema's get_stride: the row length that fits the table's dimensions. */
function stride(length: number, dim: Dim): number {
  for (let outer = dim[0][0]; outer <= dim[0][1]; outer++) {
    for (let inner = dim[1][0]; inner <= dim[1][1]; inner++) if (outer * inner === length) return inner;
  }
  if (dim[1][0] > 0 && dim[1][0] === dim[1][1]) return dim[1][0];
  if (dim[0][0] > 0 && dim[0][0] === dim[0][1]) return Math.trunc(length / dim[0][0]);
  return length;
}

function rows(values: number[], width: number, size: number): number[][] {
  const out: number[][] = [];
  if (width <= 0) width = values.length || 1;
  for (let i = 0; i < values.length; i += width) out.push(sized(values.slice(i, i + width), size));
  return out;
}

function sized<T extends number[]>(values: T, bits: number): T {
  if (bits !== 32) valueSizes.set(values, bits);
  return values;
}

const SIZE_FILTERS: [test: (len: number) => boolean, drop: string[]][] = [
  [(n) => n % 8 !== 0, ['int64', 'uint64', 'int64-array', 'uint64-array']],
  [(n) => n % 4 !== 0, ['int32', 'uint32', 'int32-array', 'uint32-array', 'phandle', 'phandle-array']],
  [(n) => n % 2 !== 0, ['int16', 'uint16', 'int16-array', 'uint16-array']],
  [(n) => n > 4, ['int32', 'uint32', 'phandle']],
  [(n) => n <= 4, ['int64', 'uint64', 'int64-array', 'uint64-array']],
  [(n) => n > 2, ['int16', 'uint16']],
  [(n) => n <= 2, ['int32', 'uint32', 'int32-array', 'uint32-array', 'phandle', 'phandle-array']],
  [(n) => n > 1, ['int8', 'uint8']],
  [(n) => n <= 1, ['int16', 'uint16', 'int16-array', 'uint16-array']],
  [(n) => n > 0, ['flag']],
];

/** dt-schema's prop_value: one property's bytes as the instance value. */
/** What a source wrote: one kind of value throughout ('string' or a cell width), or undefined (a blob, or mixed). */
export type SyntaxHint = 'string' | 'u8' | 'u16' | 'u32' | 'u64' | undefined;

export function syntaxHint(markers: readonly Marker[]): SyntaxHint {
  let hint: SyntaxHint;
  for (let k = 0; k < markers.length; k++) {
    const m = markers[k]!;
    if (!isTypeMarker(m.kind)) continue;
    if (hint !== undefined && hint !== m.kind) return undefined;
    hint = m.kind as SyntaxHint;
  }
  return hint;
}

const HINT_TYPES: Record<string, (t: string) => boolean> = {
  string: (t) => t.startsWith('string'),
  u8: (t) => /^u?int8/.test(t),
  u16: (t) => /^u?int16/.test(t),
  u32: (t) => /^u?int32/.test(t) || t.startsWith('phandle') || t === 'address' || t === 'flag',
  u64: (t) => /^u?int64/.test(t),
};

/**
 * What the type table says about a property of one name, length and source syntax — all of
 * prop_value's choices that do not look at the bytes. A board repeats a few hundred names over
 * ~15,000 properties: the choices are made once per (name, length, hint) and kept on the lookup.
 */
interface DecodePlan {
  /** Several candidate types, strings among them: the bytes decide (strings if they are some). */
  stringsFirst: boolean;
  /** With stringsFirst: the format when the bytes are no strings (undefined: raw bytes). */
  otherFormat: string | undefined;
  /** `dma-masters` with several candidates: the bytes decide. */
  dmaMasters: boolean;
  /** Otherwise the format, or undefined when the table says nothing that settles it. */
  format: string | undefined;
  hasFlag: boolean;
  dim: Dim | undefined;
}

const plans = new WeakMap<PropTypeLookup, Map<string, DecodePlan>>();

function decodePlan(lookup: PropTypeLookup, name: string, len: number, hint: SyntaxHint): DecodePlan {
  let byKey = plans.get(lookup);
  if (!byKey) plans.set(lookup, (byKey = new Map()));
  const key = `${hint ?? ''}|${len}|${name}`;
  let plan = byKey.get(key);
  if (!plan) byKey.set(key, (plan = makeDecodePlan(lookup, name, len, hint)));
  return plan;
}

function makeDecodePlan(lookup: PropTypeLookup, name: string, len: number, hint: SyntaxHint): DecodePlan {
  const types = new Set(lookup.types(name));
  types.delete('node');
  if (hint !== undefined) {
    if (types.size === 0) {
      if (hint === 'string') types.add('string-array');
      else types.add(`uint${hint.slice(1)}-array`);
    } else if (types.size > 1) {
      const fits = [...types].filter(HINT_TYPES[hint]!);
      if (fits.length) for (const t of [...types]) if (!fits.includes(t)) types.delete(t);
    }
  }
  if (types.size > 1) {
    for (const [test, drop] of SIZE_FILTERS) if (test(len)) for (const t of drop) types.delete(t);
    if (types.has('phandle') && types.has('phandle-array')) types.delete('phandle');
    for (const w of ['64', '32', '16', '8']) if (types.has(`int${w}`) && types.has(`uint${w}`)) types.delete(`uint${w}`);
  }
  const dim = lookup.dim(name);
  const plan: DecodePlan = { stringsFirst: false, otherFormat: undefined, dmaMasters: false, format: undefined, hasFlag: types.has('flag'), dim };
  const matrixTypes = [...types].filter((t) => t.includes('matrix'));
  if (types.size > 1) {
    if (types.has('string') || types.has('string-array')) {
      plan.stringsFirst = true;
      const others = [...types].filter((t) => t !== 'string' && t !== 'string-array');
      plan.otherFormat = others[others.length - 1];
    } else if (matrixTypes.length) {
      const scalars = [...types].filter((t) => !t.includes('matrix'));
      if (scalars.length === 1) {
        plan.format = scalars[0]!;
        const minDim = dim ? dim[0][0] * dim[1][0] : 0;
        const unit = INT_FORMATS[plan.format.split('-')[0]!]?.size ?? 4;
        if (len / unit >= minDim) plan.format = matrixTypes[matrixTypes.length - 1];
      }
    } else if (name === 'dma-masters') {
      plan.dmaMasters = true;
    } else if (name === 'mode-gpios') {
      plan.format = 'phandle-array';
    }
  } else if (types.size === 1) {
    plan.format = [...types][0]!;
  }
  return plan;
}

/**
 * dt-schema's prop_value: one property's bytes as the instance value. A source's syntax (`hint`)
 * settles what the table leaves open: the type of a property no binding types, and the choice
 * between candidate types (string or cells, and the cell width).
 */
export function decodeProperty(lookup: PropTypeLookup, nodeName: string, name: string, bytes: Uint8Array, owner: DtNode, hint?: SyntaxHint): DtValue {
  const len = bytes.length;
  if (len === 0) return true;
  if (nodeName === '__fixups__' || nodeName === 'aliases') return latin1(bytes.subarray(0, len - 1)).split('\0');

  const plan = decodePlan(lookup, name, len, hint);
  const dim = plan.dim;
  let fmt = plan.format;
  if (plan.stringsFirst) {
    const strings = bytesToStrings(bytes);
    if (strings) return strings;
    if (plan.otherFormat === undefined) return new RawBytes(bytes);
    fmt = plan.otherFormat;
  } else if (plan.dmaMasters) {
    const first = len === 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) : 0;
    fmt = len === 4 && first > 0 && first <= 4 ? 'uint32' : 'phandle-array';
  }

  if (!fmt) {
    // Mostly aliases-like properties: one printable string.
    if (isAscii(bytes)) {
      let s = latin1(bytes);
      if (s.endsWith('\0')) {
        s = s.slice(0, -1);
        if (isPrintableAscii(s)) return [s];
      }
    }
    if (len % 4 !== 0) return new RawBytes(bytes);
    fmt = 'uint32-array';
  }

  if (fmt.startsWith('string')) {
    if (bytes[len - 1] !== 0) return new RawBytes(bytes);
    return latin1(bytes.subarray(0, len - 1)).split('\0');
  }
  if (plan.hasFlag && fmt === 'flag') return new RawBytes(bytes);

  let intFormat = INT_FORMATS[fmt.split('-')[0]!] ?? INT_FORMATS.uint32!;
  let values = unpack(bytes, intFormat);
  if (!values) {
    const fallback = len === 4 ? 'uint32' : len === 2 ? 'uint16' : len === 1 ? 'uint8' : undefined;
    if (!fallback) return new RawBytes(bytes);
    intFormat = INT_FORMATS[fallback]!;
    values = unpack(bytes, intFormat)!;
  }
  const bits = intFormat.size * 8;
  if (fmt.includes('matrix') || fmt === 'phandle' || fmt === 'phandle-array' || fmt === 'address') {
    return dim ? rows(values, stride(values.length, dim), bits) : [sized(values, bits)];
  }
  if (!fmt.includes('array') && values.length === 1) {
    if (bits !== 32) {
      const m = valueSizes.get(owner);
      if (m instanceof Map) m.set(name, bits);
      else valueSizes.set(owner, new Map([[name, bits]]));
    }
    return values[0]!;
  }
  return sized(values, bits);
}

/** Turns the live tree into instances, then splits cells as dt-validate's fdt_unflatten does. */
export function decodeTree(root: Node, lookup: PropTypeLookup): DecodedTree {
  const nodes = new Map<DtNode, Node>();
  const phandles = new Map<number, DtNode>();
  const phandleLocations = new Set<string>();

  const scan = (node: Node, name: string): DtNode | undefined => {
    if (name === '__fixups__') {
      const props: DtNode = {};
      for (const p of node.liveProperties()) {
        const v = decodeProperty(lookup, name, p.name, p.value.bytes, props);
        if (Array.isArray(v)) for (const s of v) phandleLocations.add(String(s));
      }
      return undefined;
    }
    if (name === '__local_fixups__') {
      collectLocalFixups(node, '', phandleLocations);
      return undefined;
    }
    if (name.startsWith('__')) return undefined;
    const obj: DtNode = {};
    // indexed loops: once per property of the tree, on V8's baseline tiers in a one-shot run
    const properties = node.properties;
    for (let k = 0; k < properties.length; k++) {
      const p = properties[k]!;
      if (!p.deleted) obj[p.name] = decodeProperty(lookup, name, p.name, p.value.bytes, obj, syntaxHint(p.value.markers));
    }
    const ph = obj.phandle;
    if (typeof ph === 'number') phandles.set(ph, obj);
    const children = node.children;
    for (let k = 0; k < children.length; k++) {
      const child = children[k]!;
      if (child.deleted) continue;
      const c = scan(child, child.name);
      if (c) obj[child.name] = c;
    }
    nodes.set(obj, node);
    return obj;
  };
  const rootObj = scan(root, '/')!;
  const ctx: FixupContext = { lookup, phandles, phandleLocations };
  fixupGpios(rootObj, ctx);
  fixupInterrupts(rootObj, 1, ctx);
  fixupAddresses(rootObj, 2, 1, ctx);
  fixupPhandles(rootObj, '', ctx);
  return { root: rootObj, nodes };
}

function collectLocalFixups(node: Node, parentPath: string, out: Set<string>): void {
  for (const p of node.liveProperties()) {
    const b = p.value.bytes;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i + 4 <= b.length; i += 4) out.add(`${parentPath}:${p.name}:${view.getUint32(i)}`);
  }
  for (const child of node.liveChildren()) collectLocalFixups(child, `${parentPath}/${child.name}`, out);
}

interface FixupContext {
  lookup: PropTypeLookup;
  phandles: Map<number, DtNode>;
  phandleLocations: Set<string>;
}

export function isDtNode(v: unknown): v is DtNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawBytes);
}

function cellsOf(node: DtNode | undefined, cellName: string | number | null): number {
  if (typeof cellName === 'number') return cellName;
  if (!node || cellName === null) return 0;
  const v = node[cellName];
  return typeof v === 'number' ? v : 0;
}

function firstRow(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || !Array.isArray(v[0])) return undefined;
  return v[0] as number[];
}

function fixupGpios(dt: DtNode, ctx: FixupContext): void {
  if ('gpio-hog' in dt) return;
  for (const k in dt) {
    const v = dt[k]!;
    if (isDtNode(v)) {
      fixupGpios(v, ctx);
      continue;
    }
    if (!(k.endsWith('-gpios') || k.endsWith('-gpio') || k === 'gpio' || k === 'gpios') || k.endsWith(',nr-gpios')) continue;
    if (!Array.isArray(v)) continue;
    const val = (Array.isArray(v[0]) ? v[0] : v) as number[];
    const out: number[][] = [];
    let i = 0;
    while (i < val.length) {
      const phandle = val[i]!;
      let cells: number;
      if (phandle === 0) cells = 0;
      else if (phandle === 0xffffffff) {
        let next = -1;
        for (let j = i + 1; j < val.length - 1; j++) if (val[j] === 0xffffffff) { next = j; break; }
        cells = (next >= 0 ? next : val.length) - (i + 1);
      } else {
        const provider = ctx.phandles.get(phandle);
        // dt-validate would stop with a KeyError here; keep the rest as one entry instead.
        cells = provider ? cellsOf(provider, '#gpio-cells') : val.length - i - 1;
      }
      out.push(val.slice(i, i + cells + 1));
      i += cells + 1;
    }
    dt[k] = out;
  }
}

function fixupInterrupts(dt: DtNode, icells: number, ctx: FixupContext): void {
  const parent = dt['interrupt-parent'];
  if (Array.isArray(parent)) {
    const phandle = (firstRow(parent) ?? (parent as number[]))[0];
    if (phandle === 0xffffffff) delete dt['interrupt-parent'];
    else if (phandle !== undefined) icells = cellsOf(ctx.phandles.get(phandle), '#interrupt-cells');
  }
  for (const k in dt) {
    const v = dt[k]!;
    if (isDtNode(v)) {
      if ('#interrupt-cells' in dt) icells = cellsOf(dt, '#interrupt-cells');
      fixupInterrupts(v, icells, ctx);
    } else if (k === 'interrupts' && !(v instanceof RawBytes)) {
      const val = firstRow(v);
      if (!val || icells <= 0) continue;
      dt[k] = rows(val, icells, 32);
    } else if (k === 'interrupt-map' && !(v instanceof RawBytes)) {
      const val = firstRow(v);
      if (!val) continue;
      const mapIcells = cellsOf(dt, '#interrupt-cells');
      const ac = cellsOf(dt, '#address-cells');
      const out: number[][] = [];
      const phandle = val[ac + mapIcells];
      let i = 0;
      if (phandle === 0xffffffff) {
        let next = -1;
        for (let j = ac + mapIcells + 1; j < val.length; j++) if (val[j] === 0xffffffff) { next = j; break; }
        const cells = next >= 0 ? next - (ac + mapIcells) : val.length;
        while (i < val.length) {
          out.push(val.slice(i, i + cells));
          i += cells;
        }
      } else {
        const provider = phandle === undefined ? undefined : ctx.phandles.get(phandle);
        const pIcells = cellsOf(provider, '#interrupt-cells');
        const pAc = provider && '#address-cells' in provider ? cellsOf(provider, '#address-cells') : 0;
        const cells = ac + mapIcells + 1 + pAc + pIcells;
        while (i < val.length) {
          out.push(val.slice(i, i + cells));
          i += cells;
        }
      }
      dt[k] = out;
    }
  }
}

function fixupAddresses(dt: DtNode, ac: number, sc: number, ctx: FixupContext): void {
  for (const k in dt) {
    const v = dt[k]!;
    if (isDtNode(v)) {
      if ('#address-cells' in dt) ac = cellsOf(dt, '#address-cells');
      if ('#size-cells' in dt) sc = cellsOf(dt, '#size-cells');
      fixupAddresses(v, ac, sc, ctx);
    } else if (ctx.lookup.types(k).has('address')) {
      const val = firstRow(v);
      if (!val || ac + sc <= 0) continue;
      dt[k] = rows(val, ac + sc, 32);
    } else if ((k === 'ranges' || k === 'dma-ranges') && v !== true) {
      const val = firstRow(v);
      const width = ac + cellsOf(dt, '#address-cells') + cellsOf(dt, '#size-cells');
      if (!val || width <= 0) continue;
      dt[k] = rows(val, width, 32);
    }
  }
}

/** phandle+args properties whose cell count is fixed or not named `#<prop minus s>-cells`. */
const PHANDLE_ARGS: Record<string, string | number | null> = {
  'assigned-clocks': '#clock-cells',
  'assigned-clock-parents': '#clock-cells',
  'cooling-device': '#cooling-cells',
  'interrupts-extended': '#interrupt-cells',
  interconnects: '#interconnect-cells',
  mboxes: '#mbox-cells',
  'sound-dai': '#sound-dai-cells',
  'msi-parent': '#msi-cells',
  'msi-ranges': '#interrupt-cells',
  'gpio-ranges': 3,
  'memory-region': null,
};

function phandleArgSize(ctx: FixupContext, propPath: string, idx: number, cells: number[], cellName: string | number | null): number {
  if (cells.length === 0) return 0;
  const phandle = cells[0]!;
  if (phandle === 0 || cellName === null || cellName === '') return 1;
  if (phandle === 0xffffffff) {
    const isPhandle = (cell: number): boolean => ctx.phandleLocations.has(`${propPath}:${cell * 4}`);
    if (!isPhandle(idx)) return 0;
    let count = 1;
    while (count < cells.length && !isPhandle(idx + count)) count++;
    return count;
  }
  const provider = ctx.phandles.get(phandle);
  if (!provider) return 0;
  return cellsOf(provider, cellName) + 1;
}

function fixupPhandles(dt: DtNode, path: string, ctx: FixupContext): void {
  for (const k in dt) {
    const v = dt[k]!;
    if (isDtNode(v)) {
      fixupPhandles(v, `${path}/${k}`, ctx);
      continue;
    }
    if (!ctx.lookup.types(k).has('phandle-array')) continue;
    if (ctx.lookup.hasFixedDimensions(k)) continue;
    if (!Array.isArray(v) || v.length > 1 || !Array.isArray(v[0])) continue;
    let cellName: string | number | null;
    const propPath = `${path}:${k}`;
    if (k in PHANDLE_ARGS) cellName = PHANDLE_ARGS[k]!;
    else if (k.endsWith('s') && !k.includes('gpio')) {
      cellName = `#${k.slice(0, -1)}-cells`;
      if (phandleArgSize(ctx, propPath, 0, v[0] as number[], cellName) === 0) continue;
    } else continue;

    const val = v[0] as number[];
    const out: number[][] = [];
    let i = 0;
    while (i < val.length) {
      let cells = phandleArgSize(ctx, propPath, i, val.slice(i), cellName);
      if (cells === 0) break;
      if (k === 'msi-ranges') cells += 1;
      if (k === 'interconnects') cells += phandleArgSize(ctx, propPath, i + cells, val.slice(i + cells), cellName);
      out.push(val.slice(i, i + cells));
      i += cells;
    }
    dt[k] = out;
  }
}

export type { Property };
