/**
 * Bounds-checked access to a blob's bytes, and the errors a malformed blob raises: every read
 * goes through here, so every failure names a rule and a byte offset.
 */
import { DiagnosticError } from '../diagnostics.js';

/** The rules a blob can break, with what each means; every DtbFormatError carries one of these ids. */
export const DTB_RULES = {
  'dtb/truncated': 'the file, or a block, ends before something it must hold (header field, token, padding)',
  'dtb/bad-magic': 'the first word is not 0xd00dfeed: not a flattened device tree',
  'dtb/header': 'totalsize is too small for the header of the blob version',
  'dtb/version': 'a version libfdt cannot read (before 2, or last compatible version after 17)',
  'dtb/bad-offset': 'a block offset points outside the blob (or, by default, into the header)',
  'dtb/bad-size': 'a block or property size runs past the end of its block',
  'dtb/reservations': 'the memory reservation map has no terminating entry inside the blob',
  'dtb/structure': 'tokens out of order: no root node first, FDT_END inside a node or missing, bad names',
  'dtb/unterminated-name': 'a node name has no NUL inside the structure block',
  'dtb/bad-string-offset': 'a property name offset is not a NUL-terminated string inside the strings block',
  'dtb/bad-token': 'a word where a token belongs is no FDT_* token',
  'dtb/too-deep': 'nodes nest deeper than the configured limit (maxDepth)',
  'dtb/too-large': 'the blob is larger than the configured limit (maxBytes, --limit dtb-bytes)',
  'dtb/too-many-reservations': 'the memory reservation map has more entries than the configured limit (maxReservations, --limit memreserve-entries)',
  'dtb/warning': "dtc's non-fatal remarks: subnodes before a property, FDT_NOP in a pre-v16 blob",
} as const;

export type DtbRule = keyof typeof DTB_RULES;

/** A structural error in a blob, with the byte offset (from the start of the blob) where it was found. */
export class DtbFormatError extends DiagnosticError {
  readonly offset: number;
  /** dtc's own words for this error (flattree.c), where dtc stops on it too; `compile` prints them. */
  readonly dtcMessage: string | undefined;
  constructor(rule: DtbRule, message: string, offset: number, path?: string, dtcMessage?: string) {
    super({ rule, severity: 'error', message, ...(path !== undefined ? { path } : {}) });
    this.name = 'DtbFormatError';
    this.offset = offset;
    this.dtcMessage = dtcMessage;
  }
}

/** A byte range of the blob; offsets are absolute, alignment is relative to `base` as in dtc's inbuf. */
export interface Block {
  base: number;
  limit: number;
}

export class BlobReader {
  private readonly view: DataView;
  /** The same bytes as a Buffer, for native latin1 decoding of names. */
  private readonly buffer: Buffer;
  constructor(
    readonly bytes: Uint8Array,
    private readonly file: string | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(rule: DtbRule, text: string, offset: number, path?: string, dtcMessage?: string): never {
    const where = `byte offset 0x${offset.toString(16)}`;
    const prefix = this.file ? `${this.file}: ` : '';
    throw new DtbFormatError(rule, `${prefix}${text} (${where})`, offset, path, dtcMessage);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, false);
  }

  u64(offset: number): bigint {
    return this.view.getBigUint64(offset, false);
  }

  /**
   * The NUL-terminated string at `start`, which must end before `limit`; undefined if it does not.
   * Names are byte strings: latin1 maps each byte to one char, so printing gives the same bytes back.
   */
  cString(start: number, limit: number): { text: string; end: number } | undefined {
    const nul = this.bytes.subarray(start, limit).indexOf(0);
    if (nul < 0) return undefined;
    return { text: this.buffer.toString('latin1', start, start + nul), end: start + nul + 1 };
  }

  latin1(start: number, end: number): string {
    return this.buffer.toString('latin1', start, end);
  }
}

/**
 * Property names from the strings block. The block is decoded once and names are slices of it
 * (V8 shares the characters), and a name's end is found by binary search in the block's NUL
 * positions: a hostile blob with many offsets into one long run costs neither a rescan of the run
 * nor a copy of it per name.
 */
export class StringsBlock {
  private readonly names = new Map<number, string | null>();
  private nuls: Uint32Array | undefined;
  private text: string | undefined;

  constructor(
    private readonly r: BlobReader,
    private readonly block: Block,
  ) {}

  /** The name at `offset` (relative to the block), or undefined when it is not a terminated string inside it. */
  nameAt(offset: number): string | undefined {
    let name = this.names.get(offset);
    if (name === undefined) {
      name = this.decode(offset);
      this.names.set(offset, name);
    }
    return name ?? undefined;
  }

  private decode(offset: number): string | null {
    const { base, limit } = this.block;
    if (offset >= limit - base) return null;
    this.nuls ??= this.findNuls();
    const start = base + offset;
    // first NUL at or after start
    let lo = 0;
    let hi = this.nuls.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.nuls[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.nuls.length) return null;
    this.text ??= this.r.latin1(base, limit);
    return this.text.slice(offset, this.nuls[lo]! - base);
  }

  private findNuls(): Uint32Array {
    const bytes = this.r.bytes.subarray(this.block.base, this.block.limit);
    let count = 0;
    for (let at = bytes.indexOf(0); at >= 0; at = bytes.indexOf(0, at + 1)) count++;
    const nuls = new Uint32Array(count);
    for (let at = bytes.indexOf(0), i = 0; at >= 0; at = bytes.indexOf(0, at + 1)) nuls[i++] = this.block.base + at;
    return nuls;
  }
}

/** `offset` rounded up to a multiple of `to`, counted from `base` (dtc's flat_realign). */
export function align(offset: number, base: number, to: number): number {
  const rel = offset - base;
  return base + Math.ceil(rel / to) * to;
}
