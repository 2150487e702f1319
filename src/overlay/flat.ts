/**
 * Serialising a merged tree the way fdtoverlay leaves it after fdt_pack(): version 17 header,
 * reservations, structure block, then the strings block exactly as libfdt grew it.
 */
import type { Node, Property, Tree } from '../tree/model.js';
import { StringTable } from './strings.js';

/**
 * Bytes libfdt leaves in a property's alignment slack. When fdt_setprop resizes or inserts a
 * property it moves the rest of the blob and copies only the value, so the slack keeps whatever
 * was there before. fdtoverlay's output contains those bytes; we model them per property.
 */
export const stalePadding = new WeakMap<Property, Uint8Array>();

/**
 * The strings block of a tree read from a blob. libfdt keeps it and appends to it, so an overlay
 * applied to a blob that fdtoverlay wrote (whose strings are not in dtc's order) must start from it.
 */
export const blobStrings = new WeakMap<Tree, Uint8Array>();

const FDT_MAGIC = 0xd00dfeed;
const HEADER_SIZE = 40;

class ByteWriter {
  buf: Uint8Array;
  len = 0;
  /** Writers may stop early once this many bytes are out (callers wanting a prefix). */
  limit = Infinity;

  constructor(initialSize = 1 << 16) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  u32(value: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.len++] = (value >>> 24) & 0xff;
    b[this.len++] = (value >>> 16) & 0xff;
    b[this.len++] = (value >>> 8) & 0xff;
    b[this.len++] = value & 0xff;
  }

  u64(value: bigint): void {
    this.u32(Number((value >> 32n) & 0xffffffffn));
    this.u32(Number(value & 0xffffffffn));
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  align4(): void {
    while (this.len % 4) {
      this.ensure(1);
      this.buf[this.len++] = 0;
    }
  }
}

/** The structure-block bytes of one node (as libfdt lays it out), for computing stale bytes. */
export function nodeBytes(node: Node, strings: StringTable, limit = Infinity): Uint8Array {
  const out = new ByteWriter(256);
  out.limit = limit;
  writeNode(out, node, strings);
  return out.buf.slice(0, out.len);
}

/** Bytes of `node`'s properties from index `from` on, then its children and FDT_END_NODE. */
export function nodeTailBytes(node: Node, from: number, strings: StringTable, limit = Infinity): Uint8Array {
  const out = new ByteWriter(256);
  out.limit = limit;
  writeNodeTail(out, node, from, strings);
  return out.buf.slice(0, out.len);
}

function writeNode(out: ByteWriter, node: Node, strings: StringTable): void {
  out.u32(1); // FDT_BEGIN_NODE
  out.bytes(Buffer.from(node.name + '\0', 'latin1'));
  out.align4();
  writeNodeTail(out, node, 0, strings);
}

function writeNodeTail(out: ByteWriter, node: Node, from: number, strings: StringTable): void {
  for (let i = from; i < node.properties.length; i++) {
    const prop = node.properties[i];
    if (prop.deleted) continue;
    if (out.len >= out.limit) return;
    out.u32(3); // FDT_PROP
    out.u32(prop.value.bytes.length);
    out.u32(strings.offsetOf(prop.name));
    out.bytes(prop.value.bytes);
    const padding = stalePadding.get(prop);
    if (padding) out.bytes(padding);
    else out.align4();
  }
  for (const child of node.children) {
    if (out.len >= out.limit) return;
    if (!child.deleted) writeNode(out, child, strings);
  }
  out.u32(2); // FDT_END_NODE
}

/** The packed blob; `strings` is grown with any name it lacks (dtc's order when none is given). */
export function writePackedFdt(tree: Tree, strings: StringTable = StringTable.forTree(tree.root)): Uint8Array {
  const struct = new ByteWriter();
  writeNode(struct, tree.root, strings);
  struct.u32(9); // FDT_END
  const reserve = new ByteWriter();
  for (const r of tree.reservations) {
    reserve.u64(r.address);
    reserve.u64(r.size);
  }
  reserve.u64(0n);
  reserve.u64(0n);
  const stringsBlock = strings.block;
  const offReserve = HEADER_SIZE;
  const offStruct = offReserve + reserve.len;
  const offStrings = offStruct + struct.len;
  const total = offStrings + stringsBlock.length;
  const out = new ByteWriter();
  for (const v of [FDT_MAGIC, total, offStruct, offStrings, offReserve, 17, 16, tree.bootCpuidPhys >>> 0, stringsBlock.length, struct.len]) out.u32(v);
  out.bytes(reserve.buf.subarray(0, reserve.len));
  out.bytes(struct.buf.subarray(0, struct.len));
  out.bytes(stringsBlock);
  return out.buf.slice(0, out.len);
}
