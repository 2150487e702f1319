/**
 * The tree as JSON, in our own documented shape (docs/json-tree.md): nodes with path, name,
 * labels and phandle; properties with typed values (cells with their size, strings, bytes,
 * references), the raw bytes, labels inside values and source spans (or blob offsets).
 * Keys are always emitted in the same order, so equal trees give equal text.
 */
import { DiagnosticError, type Diagnostic, type Span } from '../diagnostics.js';
import { blobOffsetOf } from '../dtb/read.js';
import { isTypeMarker } from '../tree/model.js';
import type { Marker, MarkerKind, MemoryReservation, Node, Property, Tree } from '../tree/model.js';
import { effectiveMarkers, typeWidth } from './value-types.js';

export const JSON_TREE_FORMAT = 'dtoverlay-check/tree';
export const JSON_TREE_VERSION = 1;

export interface JsonSpan {
  file: string;
  line: number;
  column: number;
}

/** A phandle reference inside cells: the label or path written, and the phandle it resolved to. */
export interface JsonPhandleRef {
  ref: string;
  phandle: number;
}

/** A path reference inside strings: the label or path written, and the path it became. */
export interface JsonPathRef {
  ref: string;
  path: string;
}

export type JsonChunk =
  | { type: 'cells'; bits: 8 | 16 | 32 | 64; offset: number; values: (number | string | JsonPhandleRef)[] }
  | { type: 'strings'; offset: number; values: (string | JsonPathRef)[] }
  | { type: 'bytes'; offset: number; values: number[] };

export interface JsonValue {
  /** The value's bytes as lowercase hex, exactly as in a blob. */
  raw: string;
  /** True when the types were guessed (no type information, e.g. read from a blob), as dtc -O dts guesses. */
  guessed: boolean;
  chunks: JsonChunk[];
  /** Labels inside the value (`<1 lbl: 2>`), at byte offsets into `raw`. */
  labels: { name: string; offset: number }[];
}

export interface JsonProperty {
  name: string;
  labels: string[];
  value: JsonValue;
  spans: JsonSpan[];
  /** Byte offset of the property in the blob it was read from. */
  offset?: number;
}

export interface JsonNode {
  path: string;
  name: string;
  labels: string[];
  phandle: number | null;
  spans: JsonSpan[];
  offset?: number;
  properties: JsonProperty[];
  children: JsonNode[];
}

export interface JsonReservation {
  address: string;
  size: string;
  labels: string[];
}

export interface JsonTree {
  format: typeof JSON_TREE_FORMAT;
  version: typeof JSON_TREE_VERSION;
  plugin: boolean;
  bootCpuidPhys: number;
  reservations: JsonReservation[];
  root: JsonNode;
}

const hex = (value: bigint | number): string => `0x${value.toString(16)}`;

function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function jsonSpan(span: Span): JsonSpan {
  return { file: span.file, line: span.line, column: span.column };
}

function readUint(bytes: Uint8Array, at: number, width: number): bigint {
  let value = 0n;
  for (let i = 0; i < width; i++) value = (value << 8n) | BigInt(bytes[at + i]!);
  return value;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Splits a value into typed chunks, following its (possibly guessed) type markers. */
export function valueToJson(prop: Property): JsonValue {
  const { bytes, markers: own } = prop.value;
  const guessed = bytes.length > 0 && !own.some((m) => isTypeMarker(m.kind));
  const markers = effectiveMarkers(prop);
  const labels = own.filter((m) => m.kind === 'label').map((m) => ({ name: m.ref ?? '', offset: m.offset }));
  const phandleRefs = new Map<number, Marker>();
  const pathRefs = new Map<number, Marker>();
  for (const m of own) {
    if (m.kind === 'ref-phandle') phandleRefs.set(m.offset, m);
    else if (m.kind === 'ref-path') pathRefs.set(m.offset, m);
  }

  // Typed ranges: each type marker's type runs to the next type marker.
  const ranges: { kind: MarkerKind; start: number; end: number }[] = [];
  let coveredTo = 0;
  for (const m of markers) {
    if (!isTypeMarker(m.kind)) continue;
    const last = ranges[ranges.length - 1];
    if (last) last.end = m.offset;
    else if (m.offset > 0) ranges.push({ kind: 'u8', start: 0, end: m.offset }); // untyped lead (e.g. /incbin/)
    ranges.push({ kind: m.kind, start: m.offset, end: bytes.length });
    coveredTo = bytes.length;
  }
  if (coveredTo < bytes.length) ranges.push({ kind: 'u8', start: coveredTo, end: bytes.length });

  const chunks: JsonChunk[] = [];
  const pushBytes = (start: number, end: number) => {
    if (end > start) chunks.push({ type: 'bytes', offset: start, values: Array.from(bytes.subarray(start, end)) });
  };
  for (const range of ranges) {
    if (range.end <= range.start) continue;
    if (range.kind === 'string') {
      const values: (string | JsonPathRef)[] = [];
      let at = range.start;
      while (at < range.end) {
        const nul = bytes.indexOf(0, at);
        if (nul < 0 || nul >= range.end) break;
        const text = latin1(bytes, at, nul);
        const ref = pathRefs.get(at);
        values.push(ref ? { ref: ref.ref ?? '', path: text } : text);
        at = nul + 1;
      }
      const previous = chunks[chunks.length - 1];
      if (values.length > 0) {
        if (previous?.type === 'strings' && previous.offset + stringsLength(previous.values) === range.start) {
          previous.values.push(...values);
        } else chunks.push({ type: 'strings', offset: range.start, values });
      }
      pushBytes(at, range.end); // an unterminated tail
      continue;
    }
    const width = typeWidth(range.kind);
    const bits = (width * 8) as 8 | 16 | 32 | 64;
    const whole = range.start + Math.floor((range.end - range.start) / width) * width;
    if (range.kind === 'u8') {
      pushBytes(range.start, range.end);
      continue;
    }
    const values: (number | string | JsonPhandleRef)[] = [];
    for (let at = range.start; at < whole; at += width) {
      const value = readUint(bytes, at, width);
      const ref = width === 4 ? phandleRefs.get(at) : undefined;
      if (ref) values.push({ ref: ref.ref ?? '', phandle: Number(value) });
      else values.push(width === 8 ? hex(value) : Number(value));
    }
    chunks.push({ type: 'cells', bits, offset: range.start, values });
    pushBytes(whole, range.end);
  }
  return { raw: bytesToHex(bytes), guessed, chunks, labels };
}

function stringsLength(values: (string | JsonPathRef)[]): number {
  let length = 0;
  for (const v of values) length += (typeof v === 'string' ? v.length : v.path.length) + 1;
  return length;
}

function propertyToJson(prop: Property): JsonProperty {
  const offset = blobOffsetOf(prop);
  return {
    name: prop.name,
    labels: [...prop.labels],
    value: valueToJson(prop),
    spans: prop.spans.map(jsonSpan),
    ...(offset !== undefined ? { offset } : {}),
  };
}

function nodeFields(node: Node, path: string): JsonNode {
  const offset = blobOffsetOf(node);
  return {
    path,
    name: node.name,
    labels: [...node.labels],
    phandle: node.phandle || null,
    spans: node.spans.map(jsonSpan),
    ...(offset !== undefined ? { offset } : {}),
    properties: node.liveProperties().map(propertyToJson),
    children: [],
  };
}

/** The subtree as JSON; iterative (an explicit stack), so any depth converts. */
function nodeToJson(top: Node): JsonNode {
  const root = nodeFields(top, '/');
  const pending: { node: Node; json: JsonNode }[] = [{ node: top, json: root }];
  while (pending.length > 0) {
    const { node, json } = pending.pop()!;
    for (const child of node.liveChildren()) {
      const childJson = nodeFields(child, json.path === '/' ? `/${child.name}` : `${json.path}/${child.name}`);
      json.children.push(childJson);
      pending.push({ node: child, json: childJson });
    }
  }
  return root;
}

function reservationToJson(re: MemoryReservation): JsonReservation {
  return { address: hex(re.address), size: hex(re.size), labels: [...re.labels] };
}

export interface TreeToJsonOptions {
  /** Most property-value bytes to convert (each byte becomes JSON numbers and hex); more is `output/too-large`. */
  maxValueBytes?: number;
}

/** Kernel trees hold well under 1 MiB of values; this leaves room while keeping memory bounded. */
export const DEFAULT_MAX_JSON_VALUE_BYTES = 64 * 2 ** 20;

function tooLarge(message: string): DiagnosticError {
  return new DiagnosticError({ rule: 'output/too-large', severity: 'error', message });
}

function checkValueBudget(root: Node, maxValueBytes: number): void {
  let total = 0;
  const pending: Node[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const prop of node.liveProperties()) total += prop.value.bytes.length;
    if (total > maxValueBytes) throw tooLarge(`the tree holds more than ${maxValueBytes} bytes of property values, too many for JSON output`);
    for (const child of node.liveChildren()) pending.push(child); // no spread: a blob may have 100,000s of siblings
  }
}

/** The tree as a plain object in the shape of docs/json-tree.md. */
export function treeToJson(tree: Tree, opts: TreeToJsonOptions = {}): JsonTree {
  checkValueBudget(tree.root, opts.maxValueBytes ?? DEFAULT_MAX_JSON_VALUE_BYTES);
  return {
    format: JSON_TREE_FORMAT,
    version: JSON_TREE_VERSION,
    plugin: tree.plugin,
    bootCpuidPhys: tree.bootCpuidPhys,
    reservations: tree.reservations.map(reservationToJson),
    root: nodeToJson(tree.root),
  };
}

/** `-O json`: one object with the run's diagnostics and the tree (DESIGN.md's JSON output), as text. */
export function printJson(tree: Tree, diagnostics: Diagnostic[] = []): string {
  const json = { diagnostics, tree: treeToJson(tree) };
  try {
    return `${JSON.stringify(json, null, 2)}\n`;
  } catch (err) {
    // longer than V8's longest string, or nested deeper than JSON.stringify recurses
    if (err instanceof RangeError) throw tooLarge(`the JSON text cannot be built: ${err.message}`);
    throw err;
  }
}
