/**
 * How a property value is split into typed pieces for output. Values built from source carry type
 * markers; values read from a blob carry none, and then dtc guesses (guess_value_type in dtc's
 * treesource.c): printable NUL-terminated text is strings, a multiple of four bytes is cells,
 * anything else bytes. Both the DTS printer and the JSON output use this, so they agree.
 */
import { isTypeMarker } from '../tree/model.js';
import type { Marker, MarkerKind, Property } from '../tree/model.js';

export type ValueType = 'u8' | 'u16' | 'u32' | 'u64' | 'string';

/** Bytes C's isprint() accepts in the "C" locale, plus NUL and the escapes \a \b \t \n \v \f \r. */
function isStringByte(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0 || (b >= 7 && b <= 13);
}

export function isPrintable(b: number): boolean {
  return b >= 0x20 && b < 0x7f;
}

/** dtc's guess for a value without type markers; `bytes` is not empty. */
export function guessValueType(bytes: Uint8Array, markers: readonly Marker[]): ValueType {
  let notString = 0;
  let nuls = 0;
  for (const b of bytes) {
    if (!isStringByte(b)) notString++;
    if (b === 0) nuls++;
  }
  let labelsInsideStrings = 0;
  let labelsInsideCells = 0;
  for (const m of markers) {
    if (m.kind !== 'label') continue;
    if (m.offset > 0 && bytes[m.offset - 1] !== 0) labelsInsideStrings++;
    if (m.offset % 4 !== 0) labelsInsideCells++;
  }
  const len = bytes.length;
  if (bytes[len - 1] === 0 && notString === 0 && nuls <= len - nuls && labelsInsideStrings === 0) return 'string';
  if (len % 4 === 0 && labelsInsideCells === 0) return 'u32';
  return 'u8';
}

function insertSorted(markers: Marker[], marker: Marker): void {
  let i = markers.length;
  while (i > 0 && markers[i - 1]!.offset > marker.offset) i--;
  markers.splice(i, 0, marker);
}

/**
 * The markers the printer walks: the property's own when it has type markers; otherwise a guessed
 * type marker at offset 0 and, for several guessed strings, a string marker at each later string
 * (dtc's add_string_markers). dtc appends those after any label markers; we keep offset order.
 */
export function effectiveMarkers(prop: Property): Marker[] {
  const { bytes, markers } = prop.value;
  if (bytes.length === 0 || markers.some((m) => isTypeMarker(m.kind))) return markers;
  const type = guessValueType(bytes, markers);
  const result: Marker[] = [{ kind: type, offset: 0 }, ...markers];
  if (type === 'string') {
    const first = bytes.indexOf(0) + 1;
    for (let at = first; at < bytes.length; ) {
      insertSorted(result, { kind: 'string', offset: at });
      const nul = bytes.indexOf(0, at);
      at = (nul < 0 ? bytes.length : nul) + 1;
    }
  }
  return result;
}

export function typeWidth(kind: MarkerKind): number {
  switch (kind) {
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'u64':
      return 8;
    default:
      return 1;
  }
}
