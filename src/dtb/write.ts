/**
 * The flattened device tree writer, byte for byte what dtc 1.7.2's flattree.c `dt_to_blob` emits:
 * header, memory reservation block (plus `-R` empty slots and the terminating entry), structure
 * block, and a strings block where each property name is stored once — or found as the tail of a
 * name already stored (dtc's `stringtable_insert` matches any suffix).
 */
import { DiagnosticError } from '../diagnostics.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_PROP } from './format.js';
import type { Data, Node, Tree } from '../tree/model.js';

export interface DtbWriteOptions {
  /** `-V`: blob version (1, 2, 3, 16 or 17). Default 17. */
  version?: number;
  /** `-R`: extra empty memory reservation slots. */
  reserveSlots?: number;
  /** `-S`: minimum blob size. */
  minSize?: number;
  /** `-p`: padding added after the blob. */
  padSize?: number;
  /** `-a`: total size aligned to this power of two. */
  alignSize?: number;
  /** dtc's `-q` count (the `-S` warning is shown below 1). */
  quiet?: number;
}

export interface DtbWriteResult {
  bytes: Uint8Array;
  /** Messages dtc prints on stderr while writing (e.g. the `-S` size warning). */
  warnings: string[];
}

export const FTF_FULLPATH = 0x1;
export const FTF_VARALIGN = 0x2;
export const FTF_NAMEPROPS = 0x4;
export const FTF_BOOTCPUID = 0x8;
export const FTF_STRTABSIZE = 0x10;
export const FTF_STRUCTSIZE = 0x20;

export interface VersionInfo {
  version: number;
  lastCompVersion: number;
  headerSize: number;
  flags: number;
}

export const VERSIONS: VersionInfo[] = [
  { version: 1, lastCompVersion: 1, headerSize: 28, flags: FTF_FULLPATH | FTF_VARALIGN | FTF_NAMEPROPS },
  { version: 2, lastCompVersion: 1, headerSize: 32, flags: FTF_FULLPATH | FTF_VARALIGN | FTF_NAMEPROPS | FTF_BOOTCPUID },
  {
    version: 3,
    lastCompVersion: 1,
    headerSize: 36,
    flags: FTF_FULLPATH | FTF_VARALIGN | FTF_NAMEPROPS | FTF_BOOTCPUID | FTF_STRTABSIZE,
  },
  { version: 16, lastCompVersion: 16, headerSize: 36, flags: FTF_BOOTCPUID | FTF_STRTABSIZE },
  { version: 17, lastCompVersion: 16, headerSize: 40, flags: FTF_BOOTCPUID | FTF_STRTABSIZE | FTF_STRUCTSIZE },
];

/** `-V` with a version dtc cannot write (dtc dies with the same words). */
export class UnknownDtbVersionError extends DiagnosticError {
  constructor(version: number) {
    super({ rule: 'compile/version', severity: 'error', message: `Unknown device tree blob version ${version}` });
  }
}

/** A growable big-endian byte buffer. */
export class ByteBuffer {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.bytes;
    const o = this.length;
    b[o] = v >>> 24;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
    this.length += 4;
  }

  /** A name as NUL-terminated bytes (names are byte strings, one char per byte). */
  cstring(s: string): void {
    this.ensure(s.length + 1);
    const b = this.bytes;
    let o = this.length;
    for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i) & 0xff;
    b[o++] = 0;
    this.length = o;
  }

  data(d: Uint8Array): void {
    this.ensure(d.length);
    this.bytes.set(d, this.length);
    this.length += d.length;
  }

  align(a: number): void {
    const n = (a - (this.length % a)) % a;
    if (n === 0) return;
    this.ensure(n);
    // past `length` the buffer is still zero (it only grows, and grows into fresh zeroed memory):
    // no fill, whose builtin call costs a cold run more than the padding bytes themselves
    this.length += n;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * dtc's strings block: names appended in first-use order; a name found at the first place where it
 * and its NUL occur, which may be the tail of a longer stored name ("gpios" inside "cs-gpios").
 */
export class StringTable {
  readonly buf = new ByteBuffer();
  private readonly offsets = new Map<string, number>();
  /** Stored names (with their offsets) by their last 1–4 characters, in the order they were stored. */
  private readonly byEnding = new Map<string, { name: string; offset: number }[]>();
  private first: { name: string; offset: number } | undefined;

  insert(name: string): number {
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const offset = this.tailOffset(name) ?? this.append(name);
    this.offsets.set(name, offset);
    return offset;
  }

  /** Where `name` ends a stored name, earliest first (names are stored in offset order). */
  private tailOffset(name: string): number | undefined {
    if (name === '') return this.first && this.first.offset + this.first.name.length;
    const k = Math.min(name.length, 4);
    for (const s of this.byEnding.get(`${k}${name.slice(-k)}`) ?? []) {
      if (s.name.endsWith(name)) return s.offset + s.name.length - name.length;
    }
    return undefined;
  }

  private append(name: string): number {
    const entry = { name, offset: this.buf.length };
    this.buf.cstring(name);
    this.first ??= entry;
    for (let k = 1; k <= 4 && k <= name.length; k++) {
      const key = `${k}${name.slice(-k)}`;
      const list = this.byEnding.get(key);
      if (list) list.push(entry);
      else this.byEnding.set(key, [entry]);
    }
    return entry.offset;
  }
}

function baseNameLength(node: Node): number {
  const at = node.name.indexOf('@');
  return at < 0 ? node.name.length : at;
}

/**
 * What dtc's flatten_tree writes, in order (its `struct emitter`): the structure block as bytes
 * (writeDtb) or as assembler text (`-O asm`, src/output/asm.ts).
 */
export interface FlatEmitter {
  /** FDT_BEGIN_NODE, after the node's labels. */
  beginNode(labels: readonly string[]): void;
  /** FDT_END_NODE, before the node's `_end` labels. */
  endNode(labels: readonly string[]): void;
  /** FDT_PROP, after the property's labels. */
  property(labels: readonly string[]): void;
  cell(value: number): void;
  /** `text` NUL-terminated; with `length` (not 0), only its first `length` characters. */
  string(text: string, length?: number): void;
  align(to: number): void;
  value(data: Data): void;
}

/** The version entry dtc writes for `-V version`, or UnknownDtbVersionError. */
export function versionInfo(version: number): VersionInfo {
  const vi = VERSIONS.find((v) => v.version === version);
  if (!vi) throw new UnknownDtbVersionError(version);
  return vi;
}

/** dtc's flatten_tree (with an explicit stack: nesting can be deep); names go into `strings`. */
export function flattenTree(root: Node, vi: VersionInfo, emit: FlatEmitter, strings: StringTable): void {
  const fullPaths = (vi.flags & FTF_FULLPATH) !== 0;
  const beginNode = (node: Node, path: string): void => {
    emit.beginNode(node.labels);
    emit.string(fullPaths ? path : node.name);
    emit.align(4);
    let seenNameProp = false;
    for (const prop of node.properties) {
      if (prop.deleted) continue;
      if (prop.name === 'name') seenNameProp = true;
      const nameoff = strings.insert(prop.name);
      emit.property(prop.labels);
      emit.cell(prop.value.bytes.length);
      emit.cell(nameoff);
      if (vi.flags & FTF_VARALIGN && prop.value.bytes.length >= 8) emit.align(8);
      emit.value(prop.value);
      emit.align(4);
    }
    if (vi.flags & FTF_NAMEPROPS && !seenNameProp) {
      const len = baseNameLength(node);
      emit.property([]);
      emit.cell(len + 1);
      emit.cell(strings.insert('name'));
      if (vi.flags & FTF_VARALIGN && len + 1 >= 8) emit.align(8);
      // dtc passes the base name's length, and a length of 0 means "the whole string"
      emit.string(node.name, len);
      emit.align(4);
    }
  };
  const stack: { node: Node; path: string; next: number }[] = [];
  if (!root.deleted) {
    beginNode(root, '/');
    stack.push({ node: root, path: '/', next: 0 });
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const children = top.node.children;
    while (top.next < children.length && children[top.next]!.deleted) top.next++;
    if (top.next >= children.length) {
      emit.endNode(top.node.labels);
      stack.pop();
      continue;
    }
    const child = children[top.next++]!;
    const path = fullPaths ? (top.path === '/' ? `/${child.name}` : `${top.path}/${child.name}`) : '';
    beginNode(child, path);
    stack.push({ node: child, path, next: 0 });
  }
}

/** The structure block as bytes. */
class BlobEmitter implements FlatEmitter {
  constructor(private readonly out: ByteBuffer) {}
  beginNode(): void {
    this.out.u32(FDT_BEGIN_NODE);
  }
  endNode(): void {
    this.out.u32(FDT_END_NODE);
  }
  property(): void {
    this.out.u32(FDT_PROP);
  }
  cell(value: number): void {
    this.out.u32(value);
  }
  string(text: string, length?: number): void {
    this.out.cstring(length ? text.slice(0, length) : text);
  }
  align(to: number): void {
    this.out.align(to);
  }
  value(data: Data): void {
    this.out.data(data.bytes);
  }
}

export function writeDtb(tree: Tree, options: DtbWriteOptions = {}): DtbWriteResult {
  const vi = versionInfo(options.version ?? 17);
  const warnings: string[] = [];

  const struct = new ByteBuffer();
  const strings = new StringTable();
  flattenTree(tree.root, vi, new BlobEmitter(struct), strings);
  struct.u32(FDT_END);

  const reserveCount = tree.reservations.length + (options.reserveSlots ?? 0);
  const reserveSize = reserveCount * 16;
  const reserveOff = alignUp(vi.headerSize, 8);
  const structSize = struct.length;
  const stringsSize = strings.buf.length;
  const offStruct = reserveOff + reserveSize + 16;
  const offStrings = offStruct + structSize;
  let totalSize = offStrings + stringsSize;

  let padLen = 0;
  const minSize = options.minSize ?? 0;
  if (minSize > 0) {
    padLen = minSize - totalSize;
    if (padLen < 0) {
      padLen = 0;
      if ((options.quiet ?? 0) < 1) warnings.push(`Warning: blob size ${totalSize} >= minimum size ${minSize}`);
    }
  }
  if ((options.padSize ?? 0) > 0) padLen = options.padSize!;
  if ((options.alignSize ?? 0) > 0) padLen = alignUp(totalSize + padLen, options.alignSize!) - totalSize;
  if (padLen > 0) totalSize += padLen;

  const out = new Uint8Array(offStrings + stringsSize + Math.max(padLen, 0));
  const view = new DataView(out.buffer);
  // header: fields a version lacks are simply not written (dtc fills the struct with 0xff first)
  const header = new Uint8Array(40).fill(0xff);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, FDT_MAGIC);
  hv.setUint32(4, totalSize >>> 0);
  hv.setUint32(8, offStruct);
  hv.setUint32(12, offStrings);
  hv.setUint32(16, reserveOff);
  hv.setUint32(20, vi.version);
  hv.setUint32(24, vi.lastCompVersion);
  if (vi.flags & FTF_BOOTCPUID) hv.setUint32(28, tree.bootCpuidPhys >>> 0);
  if (vi.flags & FTF_STRTABSIZE) hv.setUint32(32, stringsSize);
  if (vi.flags & FTF_STRUCTSIZE) hv.setUint32(36, structSize);
  out.set(header.subarray(0, vi.headerSize), 0);

  let o = reserveOff;
  for (const r of tree.reservations) {
    view.setBigUint64(o, BigInt.asUintN(64, r.address));
    view.setBigUint64(o + 8, BigInt.asUintN(64, r.size));
    o += 16;
  }
  // -R slots and the terminating entry are zeroes already
  out.set(struct.view(), offStruct);
  out.set(strings.buf.view(), offStrings);
  return { bytes: out, warnings };
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
