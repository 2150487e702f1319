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
import { Node, Property } from '../tree/model.js';
import { assignPhandles } from '../tree/phandles.js';
import type { Tree } from '../tree/model.js';
import { align, BlobReader, DtbFormatError, StringsBlock, type Block } from './blob.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_NOP, FDT_PROP, hasFullPathNames, tokenName } from './format.js';
import { readHeader, readReservations, type Header } from './header.js';
import { DEFAULT_LIMITS } from '../limits.js';

export { DTB_RULES, DtbFormatError, type DtbRule } from './blob.js';

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
  /** Largest blob accepted, in bytes (unlimited by default). */
  maxBytes?: number;
  /** Most memory reservation entries accepted (default: the `memreserve-entries` limit's default). */
  maxReservations?: number;
  /** Receives dtc's non-fatal warnings (subnodes before a property, NOP in a pre-v16 blob). */
  warnings?: Diagnostic[];
}

export const DEFAULT_MAX_DTB_DEPTH = 4096;

/** Where each node and property of a tree read from a blob started (its FDT_BEGIN_NODE / FDT_PROP token). */
const blobOffsets = new WeakMap<Node | Property, number>();

/** Byte offset in the source blob of a node or property that readDtb built, if it built it. */
export function blobOffsetOf(item: Node | Property): number | undefined {
  return blobOffsets.get(item);
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

/** Reads a blob into a tree; throws DtbFormatError (a DiagnosticError, rule `dtb/...`) on a malformed blob. */
export function readDtb(bytes: Uint8Array, opts: ReadDtbOptions = {}): Tree {
  const lenient = opts.lenient ?? false;
  if (opts.maxBytes !== undefined && bytes.length > opts.maxBytes) {
    throw new DtbFormatError('dtb/too-large', `${opts.file ?? 'blob'}: ${bytes.length} bytes exceeds the limit of ${opts.maxBytes} (--limit dtb-bytes=N to change it)`, 0);
  }
  const r = new BlobReader(bytes, opts.file);
  const header = readHeader(r, lenient);
  const reservations = readReservations(r, header, opts.maxReservations ?? DEFAULT_LIMITS['memreserve-entries']);
  const root = readStructure(r, header, opts, lenient);
  assignPhandles(root);
  return { v1: true, plugin: false, reservations, root, bootCpuidPhys: header.bootCpuidPhys };
}
