/**
 * Building property values the way dtc's data.c does: bytes grow at the end, markers are appended
 * in offset order, and merging two values shifts the second one's markers.
 */
import type { Data, Marker, MarkerKind } from './model.js';

/** A growable property value; `finish()` gives the model's immutable-ish `Data`. */
export class DataBuilder {
  bytes: Uint8Array;
  length = 0;
  markers: Marker[] = [];

  constructor(capacity = 16) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Empty it for reuse (the markers array is handed out by finish(), so a new one is made). */
  reset(): void {
    this.length = 0;
    this.markers = [];
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2 || 16;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  addMarker(kind: MarkerKind, ref?: string, span?: Marker['span']): this {
    const marker: Marker = { kind, offset: this.length };
    if (ref !== undefined) marker.ref = ref;
    if (span !== undefined) marker.span = span;
    this.markers.push(marker);
    return this;
  }

  appendByte(byte: number): this {
    this.ensure(1);
    this.bytes[this.length++] = byte & 0xff;
    return this;
  }

  appendBytes(src: Uint8Array): this {
    this.ensure(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
    return this;
  }

  /** A 32-bit cell given as a JS number (0 ≤ value < 2^32, or negative: two's complement). */
  appendCell(value: number): this {
    this.ensure(4);
    const b = this.bytes;
    const o = this.length;
    b[o] = (value >>> 24) & 0xff;
    b[o + 1] = (value >>> 16) & 0xff;
    b[o + 2] = (value >>> 8) & 0xff;
    b[o + 3] = value & 0xff;
    this.length += 4;
    return this;
  }

  /** An element of `bits` width, big-endian, truncated as C's conversion to the narrower type does. */
  appendInteger(value: bigint, bits: 8 | 16 | 32 | 64): this {
    const n = bits / 8;
    this.ensure(n);
    let v = BigInt.asUintN(bits, value);
    for (let i = n - 1; i >= 0; i--) {
      this.bytes[this.length + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.length += n;
    return this;
  }

  /** `data_merge`: append another value, shifting its markers by our length. */
  merge(other: DataBuilder): this {
    const base = this.length;
    this.appendBytes(other.bytes.subarray(0, other.length));
    for (const m of other.markers) {
      m.offset += base;
      this.markers.push(m);
    }
    return this;
  }

  finish(): Data {
    return { bytes: carve(this.bytes, this.length), markers: this.markers };
  }
}

/**
 * Small values are copied into a shared 64 KiB block and handed out as views: one typed-array
 * object per value instead of an array, its own ArrayBuffer and a backing store each (a board
 * has tens of thousands of values). The views never overlap; nothing relies on `.buffer`.
 */
const ARENA_SIZE = 1 << 16;
const ARENA_MAX_VALUE = 1 << 10;
let arena = new Uint8Array(0);
let arenaUsed = 0;

function carve(src: Uint8Array, length: number): Uint8Array {
  if (length > ARENA_MAX_VALUE) return src.slice(0, length);
  if (arenaUsed + length > arena.length) {
    arena = new Uint8Array(ARENA_SIZE);
    arenaUsed = 0;
  }
  const at = arenaUsed;
  for (let i = 0; i < length; i++) arena[at + i] = src[i]!;
  arenaUsed = at + length;
  return arena.subarray(at, at + length);
}

/** `data_insert_at_marker`: insert bytes at a marker's offset, shifting every later marker. */
export function insertAtMarker(data: Data, marker: Marker, insert: Uint8Array): Data {
  const at = marker.offset;
  const bytes = new Uint8Array(data.bytes.length + insert.length);
  bytes.set(data.bytes.subarray(0, at), 0);
  bytes.set(insert, at);
  bytes.set(data.bytes.subarray(at), at + insert.length);
  const index = data.markers.indexOf(marker);
  for (let i = index + 1; i < data.markers.length; i++) data.markers[i]!.offset += insert.length;
  return { bytes, markers: data.markers };
}

/** `append_to_property` helper: append bytes to a value, preceded by a marker at the old end. */
export function appendWithMarker(data: Data, kind: MarkerKind, ref: string | undefined, extra: Uint8Array): Data {
  const bytes = new Uint8Array(data.bytes.length + extra.length);
  bytes.set(data.bytes, 0);
  bytes.set(extra, data.bytes.length);
  const marker: Marker = { kind, offset: data.bytes.length };
  if (ref !== undefined) marker.ref = ref;
  return { bytes, markers: [...data.markers, marker] };
}

/** Bytes of a JS string holding one byte per char (latin1) — how the lexer keeps source text. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * NUL-terminated bytes of a name or path. Names in the tree are byte strings (one char per byte,
 * as the lexer reads sources in latin1), so this is the exact inverse of how they were read.
 */
export function cString(text: string): Uint8Array {
  const out = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
