/**
 * Reading a flattened device tree (DTB) into the live tree, as `dtc -I dtb` does (dt_from_blob in
 * dtc's flattree.c), with libfdt's structural checks on top.
 *
 * Every read is bounds-checked against its block, the walk is iterative (no recursion, so nesting
 * depth cannot exhaust the stack) and every loop advances by at least four bytes, so a corrupt or
 * truncated blob ends in a DtbFormatError naming the byte offset, never a crash or a hang.
 *
 * The tree looks like dtc's after reading a blob: property values are bytes without type markers
 * (the DTS printer guesses, as dtc does), there are no labels (dtc does not recreate them from
 * `__symbols__`), node phandles come from `phandle` / `linux,phandle`, and the header's
 * reservations and boot_cpuid_phys are kept.
 */
import type { Diagnostic } from '../diagnostics.js';
import { DiagnosticError } from '../diagnostics.js';
import { Node, Property } from '../tree/model.js';
import type { MemoryReservation, Tree } from '../tree/model.js';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_FIRST_SUPPORTED_VERSION,
  FDT_LAST_SUPPORTED_VERSION,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_RESERVE_ENTRY_SIZE,
  HeaderField,
  hasFullPathNames,
  headerSize,
  tokenName,
} from './format.js';

export interface ReadDtbOptions {
  /** Name of the blob for messages. */
  file?: string;
  /**
   * Accept exactly what dtc 1.7.2 accepts (default false). Even then, anything that would make dtc
   * read outside the blob is rejected. The default adds libfdt's checks: supported versions,
   * blocks not overlapping the header, the structure block ending at size_dt_struct, an empty root
   * name, and full-path names that really extend their parent's path.
   */
  lenient?: boolean;
  /** Deepest node nesting accepted (root is depth 1). */
  maxDepth?: number;
  /** Receives dtc's non-fatal warnings (subnodes before a property, NOP in a pre-v16 blob). */
  warnings?: Diagnostic[];
}

export const DEFAULT_MAX_DTB_DEPTH = 4096;

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
  'dtb/warning': "dtc's non-fatal remarks: subnodes before a property, FDT_NOP in a pre-v16 blob",
} as const;

export type DtbRule = keyof typeof DTB_RULES;

/** A structural error in a blob, with the byte offset (from the start of the blob) where it was found. */
export class DtbFormatError extends DiagnosticError {
  readonly offset: number;
  constructor(rule: DtbRule, message: string, offset: number, path?: string) {
    super({ rule, severity: 'error', message, ...(path !== undefined ? { path } : {}) });
    this.name = 'DtbFormatError';
    this.offset = offset;
  }
}

/** Where each node and property of a tree read from a blob started (its FDT_BEGIN_NODE / FDT_PROP token). */
const blobOffsets = new WeakMap<Node | Property, number>();

/** Byte offset in the source blob of a node or property that readDtb built, if it built it. */
export function blobOffsetOf(item: Node | Property): number | undefined {
  return blobOffsets.get(item);
}

interface Header {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  /** Present from version 3. */
  sizeDtStrings?: number;
  /** Present from version 17. */
  sizeDtStruct?: number;
}

/** A byte range of the blob; offsets are absolute, alignment is relative to `base` as in dtc's inbuf. */
interface Block {
  base: number;
  limit: number;
}

class BlobReader {
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

  fail(rule: DtbRule, text: string, offset: number, path?: string): never {
    const where = `byte offset 0x${offset.toString(16)}`;
    const prefix = this.file ? `${this.file}: ` : '';
    throw new DtbFormatError(rule, `${prefix}${text} (${where})`, offset, path);
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
class StringsBlock {
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

function align(offset: number, base: number, to: number): number {
  const rel = offset - base;
  return base + Math.ceil(rel / to) * to;
}

function readHeader(r: BlobReader, lenient: boolean): Header {
  const length = r.bytes.length;
  if (length < 4) r.fail('dtb/truncated', `blob is ${length} bytes, too short for the magic number`, length);
  const magic = r.u32(HeaderField.magic);
  if (magic !== FDT_MAGIC) {
    r.fail('dtb/bad-magic', `bad magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0xd00dfeed)`, 0);
  }
  if (length < 8) r.fail('dtb/truncated', `blob is ${length} bytes, too short for the totalsize field`, length);
  const totalsize = r.u32(HeaderField.totalsize);
  if (totalsize < 28) {
    r.fail('dtb/header', `totalsize ${totalsize} is smaller than the smallest header (28 bytes)`, HeaderField.totalsize);
  }
  if (totalsize > length) {
    r.fail('dtb/truncated', `blob is ${length} bytes but its header says totalsize ${totalsize}`, length);
  }
  const version = r.u32(HeaderField.version);
  const lastCompVersion = r.u32(HeaderField.lastCompVersion);
  if (!lenient) {
    if (version < FDT_FIRST_SUPPORTED_VERSION) {
      r.fail('dtb/version', `unsupported version ${version} (oldest readable is ${FDT_FIRST_SUPPORTED_VERSION})`, HeaderField.version);
    }
    if (lastCompVersion > FDT_LAST_SUPPORTED_VERSION) {
      r.fail(
        'dtb/version',
        `last compatible version ${lastCompVersion} is newer than ${FDT_LAST_SUPPORTED_VERSION}`,
        HeaderField.lastCompVersion,
      );
    }
    if (version < lastCompVersion) {
      r.fail('dtb/version', `version ${version} is older than its last compatible version ${lastCompVersion}`, HeaderField.version);
    }
  }
  // dtc reads boot_cpuid_phys whatever the version, size_dt_strings from v3 and size_dt_struct from
  // v17: those fields must lie inside totalsize. libfdt wants the whole header of the version.
  const needed = lenient ? (version >= 17 ? 40 : version >= 3 ? 36 : 32) : Math.max(32, headerSize(version));
  if (totalsize < needed) {
    r.fail('dtb/header', `totalsize ${totalsize} is smaller than the version ${version} header (${needed} bytes)`, HeaderField.totalsize);
  }
  const header: Header = {
    totalsize,
    offDtStruct: r.u32(HeaderField.offDtStruct),
    offDtStrings: r.u32(HeaderField.offDtStrings),
    offMemRsvmap: r.u32(HeaderField.offMemRsvmap),
    version,
    lastCompVersion,
    bootCpuidPhys: r.u32(HeaderField.bootCpuidPhys),
  };
  if (version >= 3) header.sizeDtStrings = r.u32(HeaderField.sizeDtStrings);
  if (version >= 17) header.sizeDtStruct = r.u32(HeaderField.sizeDtStruct);
  checkBlocks(r, header, lenient ? 0 : needed);
  return header;
}

function checkBlocks(r: BlobReader, h: Header, headerEnd: number): void {
  const hex = (n: number) => `0x${n.toString(16)}`;
  if (h.offMemRsvmap >= h.totalsize) {
    r.fail('dtb/bad-offset', `memory reservation map offset ${hex(h.offMemRsvmap)} is not inside totalsize ${hex(h.totalsize)}`, HeaderField.offMemRsvmap);
  }
  if (h.offDtStruct >= h.totalsize) {
    r.fail('dtb/bad-offset', `structure block offset ${hex(h.offDtStruct)} is not inside totalsize ${hex(h.totalsize)}`, HeaderField.offDtStruct);
  }
  if (h.offDtStrings > h.totalsize) {
    r.fail('dtb/bad-offset', `strings block offset ${hex(h.offDtStrings)} is past totalsize ${hex(h.totalsize)}`, HeaderField.offDtStrings);
  }
  if (h.sizeDtStrings !== undefined && h.offDtStrings + h.sizeDtStrings > h.totalsize) {
    r.fail(
      'dtb/bad-size',
      `strings block (${hex(h.offDtStrings)} + ${hex(h.sizeDtStrings)}) extends past totalsize ${hex(h.totalsize)}`,
      HeaderField.sizeDtStrings,
    );
  }
  if (h.sizeDtStruct !== undefined && h.offDtStruct + h.sizeDtStruct > h.totalsize) {
    r.fail(
      'dtb/bad-size',
      `structure block (${hex(h.offDtStruct)} + ${hex(h.sizeDtStruct)}) extends past totalsize ${hex(h.totalsize)}`,
      HeaderField.sizeDtStruct,
    );
  }
  const overlaps: [number, number, string][] = [
    [h.offMemRsvmap, HeaderField.offMemRsvmap, 'memory reservation map'],
    [h.offDtStruct, HeaderField.offDtStruct, 'structure block'],
    [h.offDtStrings, HeaderField.offDtStrings, 'strings block'],
  ];
  for (const [offset, field, what] of overlaps) {
    if (offset < headerEnd) r.fail('dtb/bad-offset', `${what} offset ${hex(offset)} overlaps the ${headerEnd}-byte header`, field);
  }
}

function readReservations(r: BlobReader, h: Header): MemoryReservation[] {
  const reservations: MemoryReservation[] = [];
  // Every entry is 16 bytes, so this ends within totalsize / 16 iterations.
  for (let at = h.offMemRsvmap; ; at += FDT_RESERVE_ENTRY_SIZE) {
    if (at + FDT_RESERVE_ENTRY_SIZE > h.totalsize) {
      r.fail('dtb/reservations', 'memory reservation map runs past the end of the blob without a terminating entry', at);
    }
    const address = r.u64(at);
    const size = r.u64(at + 8);
    if (size === 0n) return reservations;
    reservations.push({ address, size, labels: [] });
  }
}

interface OpenNode {
  node: Node;
  /** The name as stored in the blob: a full path before version 16. */
  flatName: string;
  /** Offset of the FDT_BEGIN_NODE token, for messages. */
  offset: number;
}

/** Walks the structure block (iteratively) and returns the root node. */
function readStructure(r: BlobReader, h: Header, opts: ReadDtbOptions, lenient: boolean): Node {
  const struct: Block = {
    base: h.offDtStruct,
    limit: !lenient && h.sizeDtStruct !== undefined ? h.offDtStruct + h.sizeDtStruct : h.totalsize,
  };
  const strings: Block = {
    base: h.offDtStrings,
    limit: h.sizeDtStrings !== undefined ? h.offDtStrings + h.sizeDtStrings : h.totalsize,
  };
  const fullPaths = hasFullPathNames(h.version);
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DTB_DEPTH;
  const warn = (message: string, path: string) =>
    opts.warnings?.push({ rule: 'dtb/warning', severity: 'warning', message, path });

  const names = new StringsBlock(r, strings);
  let pos = struct.base;
  const word = (what: string): number => {
    if (pos + 4 > struct.limit) r.fail('dtb/truncated', `structure block ends where ${what} should be`, pos);
    const value = r.u32(pos);
    pos += 4;
    return value;
  };
  const realign = (to: number) => {
    pos = align(pos, struct.base, to);
    if (pos > struct.limit) r.fail('dtb/truncated', 'structure block ends inside padding', struct.limit);
  };
  const openNode = (parent: OpenNode | undefined, tokenAt: number): OpenNode => {
    const named = r.cString(pos, struct.limit);
    if (!named) r.fail('dtb/unterminated-name', 'node name is not terminated inside the structure block', pos, parent && pathOf(parent.node));
    const flatName = named.text;
    const nameAt = pos;
    pos = named.end;
    realign(4);
    let name = flatName;
    if (fullPaths) name = nameFromFullPath(r, parent?.flatName ?? '', flatName, nameAt, lenient);
    else if (!parent && !lenient && name !== '') {
      r.fail('dtb/structure', `root node has the name "${name}" (it must be empty)`, nameAt);
    }
    const node = new Node(name);
    blobOffsets.set(node, tokenAt);
    return { node, flatName, offset: tokenAt };
  };

  const firstAt = pos;
  const first = word('the first token');
  if (first !== FDT_BEGIN_NODE) {
    r.fail('dtb/structure', `structure block begins with ${tokenName(first)}, not FDT_BEGIN_NODE`, firstAt);
  }
  const root = openNode(undefined, firstAt);
  const stack: OpenNode[] = [root];

  while (stack.length > 0) {
    const current = stack[stack.length - 1]!;
    const tokenAt = pos;
    const token = word('a token');
    switch (token) {
      case FDT_PROP: {
        const lengthAt = pos;
        const length = word('a property length');
        const nameOffAt = pos;
        const nameOff = word('a property name offset');
        const name = names.nameAt(nameOff);
        if (name === undefined) {
          r.fail(
            'dtb/bad-string-offset',
            `property name offset 0x${nameOff.toString(16)} is not a terminated string inside the strings block`,
            nameOffAt,
            pathOf(current.node),
          );
        }
        if (current.node.children.length > 0) {
          warn('Flat tree input has subnodes preceding a property.', pathOf(current.node));
        }
        if (fullPaths && length >= 8) realign(8);
        if (length > struct.limit - pos) {
          r.fail(
            'dtb/bad-size',
            `property "${name}" is ${length} bytes, past the end of the structure block`,
            lengthAt,
            pathOf(current.node),
          );
        }
        const value = r.bytes.slice(pos, pos + length);
        pos += length;
        realign(4);
        const property = new Property(name, { bytes: value, markers: [] });
        blobOffsets.set(property, tokenAt);
        current.node.properties.push(property);
        break;
      }
      case FDT_BEGIN_NODE: {
        if (stack.length >= maxDepth) {
          r.fail('dtb/too-deep', `nodes nest deeper than ${maxDepth} levels`, tokenAt, pathOf(current.node));
        }
        const child = openNode(current, tokenAt);
        current.node.addChild(child.node);
        stack.push(child);
        break;
      }
      case FDT_END_NODE:
        stack.pop();
        break;
      case FDT_NOP:
        if (fullPaths) warn('NOP tag found in flat tree version <16', pathOf(current.node));
        break;
      case FDT_END:
        r.fail('dtb/structure', `premature FDT_END inside node ${pathOf(current.node)}`, tokenAt, pathOf(current.node));
      default:
        r.fail('dtb/bad-token', `invalid token ${tokenName(token)} in node ${pathOf(current.node)}`, tokenAt, pathOf(current.node));
    }
  }
  const endAt = pos;
  const end = word('FDT_END');
  if (end !== FDT_END) r.fail('dtb/structure', `expected FDT_END after the root node, found ${tokenName(end)}`, endAt);
  return root.node;
}

/** Node.path without recursion: blobs may nest thousands deep. */
function pathOf(node: Node): string {
  const names: string[] = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) names.push(n.name);
  return `/${names.reverse().join('/')}`;
}

/** Before v16 a node's name is its full path; its own name is what follows the parent's path (nodename_from_path). */
function nameFromFullPath(r: BlobReader, parentPath: string, path: string, at: number, lenient: boolean): string {
  if (!path.startsWith(parentPath)) {
    r.fail('dtb/structure', `path "${path}" is not valid as a child of "${parentPath}"`, at);
  }
  const skip = parentPath === '/' ? 1 : parentPath.length + 1;
  if (path.length < skip) r.fail('dtb/structure', `path "${path}" is not valid as a child of "${parentPath}"`, at);
  if (!lenient) {
    const separatorOk = parentPath === '' ? path === '/' : parentPath === '/' || path[parentPath.length] === '/';
    if (!separatorOk) r.fail('dtb/structure', `path "${path}" is not valid as a child of "${parentPath}"`, at);
  }
  return path.slice(skip);
}

/** Node phandles as dtc's explicit_phandles check sets them: `phandle` first, else `linux,phandle`. */
function assignPhandles(root: Node): void {
  const pending: Node[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const phandle = phandleValue(node.getProperty('phandle')) || phandleValue(node.getProperty('linux,phandle'));
    if (phandle) node.phandle = phandle;
    pending.push(...node.children);
  }
}

function phandleValue(prop: Property | undefined): number {
  const bytes = prop?.value.bytes;
  if (!bytes || bytes.length !== 4) return 0;
  const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return value === 0 || value === 0xffffffff ? 0 : value;
}

/** Reads a blob into a tree; throws DtbFormatError (a DiagnosticError, rule `dtb/...`) on a malformed blob. */
export function readDtb(bytes: Uint8Array, opts: ReadDtbOptions = {}): Tree {
  const lenient = opts.lenient ?? false;
  const r = new BlobReader(bytes, opts.file);
  const header = readHeader(r, lenient);
  const reservations = readReservations(r, header);
  const root = readStructure(r, header, opts, lenient);
  assignPhandles(root);
  return { v1: true, plugin: false, reservations, root, bootCpuidPhys: header.bootCpuidPhys };
}
