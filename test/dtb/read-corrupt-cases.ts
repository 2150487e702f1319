/**
 * The table of malformed blobs for the DTB reader: each case says how it is made from
 * fixtures/dtb/small.dtb (or assembled by hand), what readDtb must report (rule and byte offset),
 * and what dtc 1.7.2 does with it:
 * - 'rejects': dtc refuses it too;
 * - 'accepts': dtc reads it (only the libfdt checks of our default mode refuse it), so
 *   `readDtb(.., {lenient: true})` must accept it and print what dtc prints;
 * - 'undefined': dtc's behaviour is undefined (reads outside its buffer): not compared.
 * Each case is also a file under fixtures/dtb/corrupt/ (seeds for the fuzzer).
 */
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_NOP, FDT_PROP } from '../../src/dtb/format.js';

export interface CorruptCase {
  name: string;
  description: string;
  make: (base: Uint8Array) => Uint8Array;
  rule: string;
  /** Byte offset the error must name; a function of the base blob when it depends on its layout. */
  offset: number | ((base: Uint8Array) => number);
  dtc: 'rejects' | 'accepts' | 'undefined';
}

export const u32 = (bytes: Uint8Array, at: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, false);

function withWord(base: Uint8Array, at: number, value: number): Uint8Array {
  const copy = base.slice();
  new DataView(copy.buffer).setUint32(at, value >>> 0, false);
  return copy;
}

const header = (b: Uint8Array) => ({
  totalsize: u32(b, 4),
  offDt: u32(b, 8),
  offStr: u32(b, 12),
  offRsv: u32(b, 16),
  sizeStr: u32(b, 32),
  sizeDt: u32(b, 36),
});

/** Offset of the structure block's first FDT_PROP (root name is empty: token, 4 name bytes). */
const firstProp = (b: Uint8Array) => header(b).offDt + 8;

/** Offset of the last FDT_PROP token before the root's end (small.dtb: `width` in uart@2000). */
function lastProp(b: Uint8Array): number {
  const h = header(b);
  for (let at = h.offDt + h.sizeDt - 4; at >= h.offDt; at -= 4) if (u32(b, at) === FDT_PROP) return at;
  throw new Error('no FDT_PROP');
}

/**
 * Assembles a v17 blob: header, an empty reservation map, the strings block, then the structure
 * block last (so a structure that runs off its end runs off the end of the blob).
 */
export function assembleBlob(struct: (number | string)[], strings = ''): Uint8Array {
  const structBytes: number[] = [];
  for (const item of struct) {
    if (typeof item === 'number') structBytes.push((item >>> 24) & 0xff, (item >>> 16) & 0xff, (item >>> 8) & 0xff, item & 0xff);
    else {
      // a raw byte string, padded to 4 unless it ends with '!' (kept unterminated and unpadded)
      const raw = item.endsWith('!') ? item.slice(0, -1) : `${item}\0`;
      for (const ch of raw) structBytes.push(ch.charCodeAt(0));
      if (!item.endsWith('!')) while (structBytes.length % 4) structBytes.push(0);
    }
  }
  const stringBytes = Buffer.from(strings, 'latin1');
  const offRsv = 40;
  const offStr = offRsv + 16;
  const offDt = offStr + ((stringBytes.length + 3) & ~3);
  const total = offDt + structBytes.length;
  const blob = new Uint8Array(total);
  const view = new DataView(blob.buffer);
  const fields = [0xd00dfeed, total, offDt, offStr, offRsv, 17, 16, 0, stringBytes.length, structBytes.length];
  fields.forEach((v, i) => view.setUint32(i * 4, v, false));
  blob.set(stringBytes, offStr);
  blob.set(structBytes, offDt);
  return blob;
}

export const corruptCases: CorruptCase[] = [
  {
    name: 'bad-magic',
    description: 'first word is not 0xd00dfeed',
    make: (b) => withWord(b, 0, 0xd00dfeee),
    rule: 'dtb/bad-magic',
    offset: 0,
    dtc: 'rejects',
  },
  {
    name: 'truncated-in-header',
    description: 'the file ends after 20 bytes, inside the header',
    make: (b) => b.slice(0, 20),
    rule: 'dtb/truncated',
    offset: 20,
    dtc: 'rejects',
  },
  {
    name: 'truncated-in-strings',
    description: 'the file ends 10 bytes before totalsize',
    make: (b) => b.slice(0, b.length - 10),
    rule: 'dtb/truncated',
    offset: (b) => b.length - 10,
    dtc: 'rejects',
  },
  {
    name: 'totalsize-too-small',
    description: 'totalsize 16 is smaller than any header',
    make: (b) => withWord(b, 4, 16),
    rule: 'dtb/header',
    offset: 4,
    dtc: 'rejects',
  },
  {
    name: 'totalsize-huge',
    description: 'totalsize 0xffffffff, far beyond the file',
    make: (b) => withWord(b, 4, 0xffffffff),
    rule: 'dtb/truncated',
    offset: (b) => b.length,
    dtc: 'rejects',
  },
  {
    name: 'header-shorter-than-version',
    description: 'a v17 blob whose totalsize (36) cannot hold the v17 header',
    make: (b) => withWord(b.slice(0, 36), 4, 36),
    rule: 'dtb/header',
    offset: 4,
    dtc: 'undefined',
  },
  {
    name: 'struct-offset-past-end',
    description: 'off_dt_struct equals totalsize',
    make: (b) => withWord(b, 8, header(b).totalsize),
    rule: 'dtb/bad-offset',
    offset: 8,
    dtc: 'rejects',
  },
  {
    name: 'strings-offset-past-end',
    description: 'off_dt_strings beyond totalsize',
    make: (b) => withWord(b, 12, header(b).totalsize + 4),
    rule: 'dtb/bad-offset',
    offset: 12,
    dtc: 'rejects',
  },
  {
    name: 'reservations-offset-past-end',
    description: 'off_mem_rsvmap equals totalsize',
    make: (b) => withWord(b, 16, header(b).totalsize),
    rule: 'dtb/bad-offset',
    offset: 16,
    dtc: 'rejects',
  },
  {
    name: 'reservations-overlap-header',
    description: 'off_mem_rsvmap points into the header',
    make: (b) => withWord(b, 16, 8),
    rule: 'dtb/bad-offset',
    offset: 16,
    dtc: 'accepts',
  },
  {
    name: 'strings-size-huge',
    description: 'size_dt_strings 0xfffffff0 (wraps around)',
    make: (b) => withWord(b, 32, 0xfffffff0),
    rule: 'dtb/bad-size',
    offset: 32,
    dtc: 'rejects',
  },
  {
    name: 'struct-size-huge',
    description: 'size_dt_struct 0xfffffff0 (wraps around)',
    make: (b) => withWord(b, 36, 0xfffffff0),
    rule: 'dtb/bad-size',
    offset: 36,
    dtc: 'rejects',
  },
  {
    name: 'unterminated-reservations',
    description: 'the reservation map starts 8 bytes before the end, so no terminating entry fits',
    make: (b) => withWord(b, 16, header(b).totalsize - 8),
    rule: 'dtb/reservations',
    offset: (b) => header(b).totalsize - 8,
    dtc: 'rejects',
  },
  {
    name: 'struct-not-begin-node',
    description: 'the structure block starts with FDT_PROP',
    make: (b) => withWord(b, header(b).offDt, FDT_PROP),
    rule: 'dtb/structure',
    offset: (b) => header(b).offDt,
    dtc: 'rejects',
  },
  {
    name: 'missing-fdt-end',
    description: 'the final FDT_END is replaced by FDT_NOP',
    make: (b) => withWord(b, header(b).offDt + header(b).sizeDt - 4, FDT_NOP),
    rule: 'dtb/structure',
    offset: (b) => header(b).offDt + header(b).sizeDt - 4,
    dtc: 'rejects',
  },
  {
    name: 'fdt-end-outside-struct-size',
    description: 'size_dt_struct stops 4 bytes short, leaving FDT_END outside the structure block',
    make: (b) => withWord(b, 36, header(b).sizeDt - 4),
    rule: 'dtb/truncated',
    offset: (b) => header(b).offDt + header(b).sizeDt - 4,
    dtc: 'accepts',
  },
  {
    name: 'premature-fdt-end',
    description: 'FDT_END inside the root node',
    make: (b) => withWord(b, firstProp(b), FDT_END),
    rule: 'dtb/structure',
    offset: firstProp,
    dtc: 'rejects',
  },
  {
    name: 'bad-token',
    description: 'token 0x5 where a property starts',
    make: (b) => withWord(b, firstProp(b), 5),
    rule: 'dtb/bad-token',
    offset: firstProp,
    dtc: 'rejects',
  },
  {
    name: 'bad-property-name-offset',
    description: 'a property name offset beyond the strings block',
    make: (b) => withWord(b, firstProp(b) + 8, 0x1000),
    rule: 'dtb/bad-string-offset',
    offset: (b) => firstProp(b) + 8,
    dtc: 'rejects',
  },
  {
    name: 'unterminated-property-name',
    description: 'size_dt_strings cuts the NUL of the last name',
    make: (b) => withWord(b, 32, header(b).sizeStr - 1),
    rule: 'dtb/bad-string-offset',
    offset: (b) => lastProp(b) + 8,
    dtc: 'rejects',
  },
  {
    name: 'property-length-huge',
    description: 'a property length of 0x7ffffff0 bytes',
    make: (b) => withWord(b, firstProp(b) + 4, 0x7ffffff0),
    rule: 'dtb/bad-size',
    offset: (b) => firstProp(b) + 4,
    dtc: 'rejects',
  },
  {
    name: 'property-length-negative',
    description: 'a property length of 0xfffffff0 (negative as a C int)',
    make: (b) => withWord(b, firstProp(b) + 4, 0xfffffff0),
    rule: 'dtb/bad-size',
    offset: (b) => firstProp(b) + 4,
    dtc: 'undefined',
  },
  {
    name: 'extra-end-node',
    description: 'an FDT_END_NODE after the root node has ended',
    make: (b) => withWord(b, header(b).offDt + header(b).sizeDt - 4, FDT_END_NODE),
    rule: 'dtb/structure',
    offset: (b) => header(b).offDt + header(b).sizeDt - 4,
    dtc: 'rejects',
  },
  {
    name: 'version-too-old',
    description: 'version 1 (libfdt reads from 2)',
    make: (b) => withWord(b, 20, 1),
    rule: 'dtb/version',
    offset: 20,
    dtc: 'undefined',
  },
  {
    name: 'version-too-new',
    description: 'last_comp_version 18 (libfdt reads up to 17)',
    make: (b) => withWord(b, 24, 18),
    rule: 'dtb/version',
    offset: 24,
    dtc: 'accepts',
  },
  {
    name: 'node-name-runs-off-end',
    description: 'a child node name without its NUL at the very end of the blob',
    make: () => assembleBlob([FDT_BEGIN_NODE, '', FDT_BEGIN_NODE, 'child-without-end!']),
    rule: 'dtb/unterminated-name',
    offset: 56 + 12,
    dtc: 'rejects',
  },
  {
    name: 'structure-runs-off-end',
    description: 'the blob ends after a node name, with no more tokens',
    make: () => assembleBlob([FDT_BEGIN_NODE, '', FDT_BEGIN_NODE, 'child']),
    rule: 'dtb/truncated',
    offset: 56 + 20,
    dtc: 'rejects',
  },
  {
    name: 'property-value-runs-off-end',
    description: 'a property longer than what is left of the blob',
    make: () => assembleBlob([FDT_BEGIN_NODE, '', FDT_PROP, 64, 0, 1, 2, FDT_END_NODE, FDT_END], 'p\0'),
    rule: 'dtb/bad-size',
    offset: 60 + 12,
    dtc: 'rejects',
  },
  {
    name: 'root-with-name',
    description: 'the root node is named "foo" (libfdt wants an empty name)',
    make: () => assembleBlob([FDT_BEGIN_NODE, 'foo', FDT_END_NODE, FDT_END]),
    rule: 'dtb/structure',
    offset: 60,
    dtc: 'accepts',
  },
];

/** Nodes nested `depth` deep, each with one property, as one blob. */
export function deepBlob(depth: number): Uint8Array {
  const struct: (number | string)[] = [FDT_BEGIN_NODE, ''];
  for (let i = 1; i < depth; i++) struct.push(FDT_BEGIN_NODE, 'n', FDT_PROP, 4, 0, i);
  for (let i = 0; i < depth; i++) struct.push(FDT_END_NODE);
  struct.push(FDT_END);
  return assembleBlob(struct, 'v\0');
}
