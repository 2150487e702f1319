/**
 * A string → string table on disk that is looked up where it lies, without parsing it: a fresh
 * process (kbuild starts one per DTB) asks the 24,000-entry compatible map about the few hundred
 * compatibles of one tree, and parsing it as JSON would cost more than the look-ups.
 *
 * Layout (little-endian): u32 entry count n, then n + 1 u32 offsets into the text, then the text:
 * each entry is its key and its value as JSON strings, joined by a tab, entries sorted by key
 * bytes. JSON strings hold no raw tab or newline and encode each string one way, so a key is found
 * by comparing the encoded query with the encoded keys, whatever characters the strings hold.
 */

import * as os from 'node:os';

const U32 = 4;

/** The table's bytes for these entries (a later equal key replaces an earlier one, as in an object). */
export function sortedTableBytes(entries: Iterable<[string, string]>): Buffer {
  const byKey = new Map<string, string>();
  for (const [k, v] of entries) byKey.set(k, v);
  const rows = [...byKey].map(([k, v]) => ({ key: Buffer.from(JSON.stringify(k)), value: JSON.stringify(v) }));
  rows.sort((a, b) => Buffer.compare(a.key, b.key));
  const texts = rows.map((r) => Buffer.concat([r.key, Buffer.from(`\t${r.value}`)]));
  const head = Buffer.alloc(U32 * (rows.length + 2));
  head.writeUInt32LE(rows.length, 0);
  let offset = 0;
  texts.forEach((t, i) => {
    head.writeUInt32LE(offset, U32 * (i + 1));
    offset += t.length;
  });
  head.writeUInt32LE(offset, U32 * (rows.length + 1));
  return Buffer.concat([head, ...texts]);
}

/**
 * Why these bytes are not a table sortedTableBytes wrote, or undefined when they look like one:
 * the count, the offsets' extent and the text's length agree. The cache checks an entry's SHA-256
 * before this; each row's bounds are checked again when it is read (SortedTable.row).
 */
export function sortedTableProblem(bytes: Buffer): string | undefined {
  if (bytes.length < U32) return 'too short';
  const n = bytes.readUInt32LE(0);
  const textStart = U32 * (n + 2);
  if (textStart > bytes.length) return 'offsets past the end';
  if (bytes.readUInt32LE(U32) !== 0 || textStart + bytes.readUInt32LE(U32 * (n + 1)) !== bytes.length) return 'text length differs';
  return undefined;
}

export class SortedTable {
  private readonly n: number;
  private readonly textStart: number;
  /** The n + 1 offsets, copied out once: look-ups read them often, and Buffer's readers check each call. */
  private readonly offsets: Uint32Array;

  /** `bytes` must have passed sortedTableProblem (the cache checks its entries' hashes too). */
  constructor(private readonly bytes: Buffer) {
    this.n = bytes.readUInt32LE(0);
    this.textStart = U32 * (this.n + 2);
    this.offsets = new Uint32Array(this.n + 1);
    if (os.endianness() === 'LE') new Uint8Array(this.offsets.buffer).set(bytes.subarray(U32, this.textStart));
    else for (let i = 0; i <= this.n; i++) this.offsets[i] = bytes.readUInt32LE(U32 * (i + 1));
  }

  get size(): number {
    return this.n;
  }

  private row(i: number): { start: number; end: number } {
    const start = this.textStart + this.offsets[i]!;
    const end = this.textStart + this.offsets[i + 1]!;
    if (start > end || end > this.bytes.length) throw new Error('damaged sorted table: offsets out of order');
    return { start, end };
  }

  /** The value of `key`, or undefined. */
  get(key: string): string | undefined {
    const wanted = Buffer.from(`${JSON.stringify(key)}\t`);
    const bytes = this.bytes;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const { start, end } = this.row(mid);
      // An encoded key ends at its only unescaped quote, so none is a prefix of another: the
      // query's encoding and tab against the row's start order as the keys do, and equal means found.
      let order = 0;
      const length = Math.min(wanted.length, end - start);
      for (let k = 0; k < length && order === 0; k++) order = bytes[start + k]! - wanted[k]!;
      if (order === 0 && length < wanted.length) order = -1;
      if (order === 0) return JSON.parse(bytes.toString('utf8', start + wanted.length, end)) as string;
      if (order < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Every entry, in key order (for callers that need the whole map, e.g. an editor's completion list). */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.n; i++) {
      const { start, end } = this.row(i);
      const tab = this.bytes.indexOf(9, start);
      yield [JSON.parse(this.bytes.toString('utf8', start, tab)) as string, JSON.parse(this.bytes.toString('utf8', tab + 1, end)) as string];
    }
  }
}
