/**
 * Reading property values the way dtc's checks read them: as C strings, string lists and
 * big-endian cells. Where dtc would read past the end of a short value, these return 0 instead.
 */
import type { Data, Marker, MarkerKind, Node, Property } from '../tree/model.js';

/**
 * Bytes as a byte string, one char per byte, like the rest of the tree (sources are read as
 * latin1): a message quoting a value then writes back exactly dtc's bytes.
 */
function byteString(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return text;
}

/** The value up to its first NUL, as `printf("%s", prop->val.val)` shows it; "(null)" when empty. */
export function cString(data: Data): string {
  const { bytes } = data;
  if (bytes.length === 0) return '(null)';
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return byteString(bytes.subarray(0, end));
}

/** Whether the value equals `text` as a C string comparison (`streq(prop->val.val, text)`). */
export function cStringEquals(data: Data, text: string): boolean {
  return data.bytes.length > 0 && cString(data) === text;
}

/** Exactly one NUL-terminated string with no embedded NUL (dtc's `data_is_one_string`). */
export function isOneString(data: Data): boolean {
  const { bytes } = data;
  const len = bytes.length;
  if (len === 0) return false;
  for (let i = 0; i < len - 1; i++) if (bytes[i] === 0) return false;
  return bytes[len - 1] === 0;
}

/** Every string NUL-terminated (an empty value is a valid, empty list). */
export function isStringList(data: Data): boolean {
  const { bytes } = data;
  return bytes.length === 0 || bytes[bytes.length - 1] === 0;
}

/** Whether the string list holds exactly `text` as one of its strings (no decoding). */
export function hasString(data: Data, text: string): boolean {
  const { bytes } = data;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    if (end - start === text.length) {
      let same = true;
      for (let i = 0; i < text.length && same; i++) same = bytes[start + i] === text.charCodeAt(i);
      if (same) return true;
    }
    start = end + 1;
  }
  return false;
}

/** Cell `n` (big-endian u32); 0 where the value is too short. */
export function cellAt(data: Data, n: number): number {
  const o = n * 4;
  const b = data.bytes;
  if (o + 4 > b.length) return 0;
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The value as one cell (`propval_cell`); dtc asserts the length, we read the first cell. */
export function propCell(prop: Property): number {
  return cellAt(prop.value, 0);
}

export function cellCount(prop: Property): number {
  return Math.floor(prop.value.bytes.length / 4);
}

export function isValidPhandle(phandle: number): boolean {
  return phandle !== 0 && phandle !== 0xffffffff;
}

export function markersOfKind(data: Data, kind: MarkerKind): Marker[] {
  return data.markers.filter((m) => m.kind === kind);
}

/** `get_property`: the first live property of that name. */
export function getProp(node: Node, name: string): Property | undefined {
  for (const p of node.properties) if (!p.deleted && p.name === name) return p;
  return undefined;
}

/** `strends` */
export function endsWith(text: string, suffix: string): boolean {
  return text.length >= suffix.length && text.endsWith(suffix);
}

/** A set of ASCII characters for `spanOf`, as a lookup table. */
export function charSet(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

/** Length of the leading run of characters in `allowed` (C's strspn). */
export function spanOf(text: string, allowed: Uint8Array): number {
  let n = 0;
  while (n < text.length) {
    const c = text.charCodeAt(n);
    if (c >= 128 || allowed[c] !== 1) break;
    n++;
  }
  return n;
}

/** Lowercase hex with no prefix, as `printf("%x")`. */
export function hex(value: number | bigint): string {
  return value.toString(16);
}
