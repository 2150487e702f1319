/**
 * Node and property look-ups with libfdt's exact semantics, on the live tree: the overlay code
 * must find the same node fdtoverlay finds, or the merged bytes differ.
 */
import type { Node, Property, Tree } from '../tree/model.js';

/**
 * libfdt's name match: `name` equals the node name, or, when `name` has no unit address, equals
 * the part before '@' ("soc" finds "soc@0"). The first matching child wins.
 */
export function findChild(node: Node, name: string): Node | undefined {
  const hasUnit = name.includes('@');
  for (const child of node.children) {
    if (child.deleted) continue;
    if (child.name === name) return child;
    if (!hasUnit && child.name.length > name.length && child.name.startsWith(name) && child.name[name.length] === '@') return child;
  }
  return undefined;
}

export function findProperty(node: Node, name: string): Property | undefined {
  return node.properties.find((p) => !p.deleted && p.name === name);
}

/** A property's value as a NUL-terminated string, or undefined if it is not one. */
export function propertyString(prop: Property | undefined): string | undefined {
  if (!prop) return undefined;
  const bytes = prop.value.bytes;
  const nul = bytes.indexOf(0);
  if (nul < 0) return undefined;
  return Buffer.from(bytes.subarray(0, nul)).toString('latin1');
}

/** fdt_path_offset: an absolute path, or an alias name from /aliases followed by an optional path. */
export function findNodeByPath(tree: Tree, path: string): Node | undefined {
  let node: Node | undefined = tree.root;
  let rest = path;
  if (!path.startsWith('/')) {
    const slash = path.indexOf('/');
    const alias = slash < 0 ? path : path.slice(0, slash);
    const aliases = findChild(tree.root, 'aliases');
    const target = aliases ? propertyString(findProperty(aliases, alias)) : undefined;
    if (target === undefined) return undefined;
    node = findNodeByPath(tree, target);
    rest = slash < 0 ? '' : path.slice(slash);
  }
  for (const part of rest.split('/')) {
    if (!node) return undefined;
    if (part === '') continue;
    node = findChild(node, part);
  }
  return node;
}

/** fdt_get_phandle: `phandle`, else `linux,phandle`, each only when exactly 4 bytes long. */
export function phandleOf(node: Node): number {
  for (const name of ['phandle', 'linux,phandle']) {
    const prop = findProperty(node, name);
    if (prop && prop.value.bytes.length === 4) return readCell(prop.value.bytes, 0);
  }
  return 0;
}

export function readCell(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

export function writeCell(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 24) & 0xff;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

/** Live nodes in pre-order, as fdt_next_node visits them (iterative: no recursion limit, no generator overhead). */
export function walkNodes(root: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) if (!node.children[i].deleted) stack.push(node.children[i]);
  }
  return out;
}

/** fdt_node_offset_by_phandle: the first node in tree order with this phandle. */
export function findNodeByPhandle(tree: Tree, phandle: number): Node | undefined {
  if (phandle === 0 || phandle === 0xffffffff) return undefined;
  for (const node of walkNodes(tree.root)) if (phandleOf(node) === phandle) return node;
  return undefined;
}

export function maxPhandle(tree: Tree): number {
  let max = 0;
  for (const node of walkNodes(tree.root)) max = Math.max(max, phandleOf(node));
  return max;
}
