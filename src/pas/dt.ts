/**
 * What the PAS model reads from a live tree, with the kernel's meaning: availability
 * (of_device_is_available, and of_platform_populate not descending into disabled nodes), phandles,
 * labels (from the nodes or, for blobs, from __symbols__), cells, string lists, `reg` and
 * interrupt counts. Built once per simulation so that look-ups are map hits, not tree walks.
 */
import type { Span } from '../diagnostics.js';
import type { Node, Property, Tree } from '../tree/model.js';
import { findChild, findProperty, propertyString, readCell } from '../overlay/lookup.js';

export class TreeIndex {
  readonly tree: Tree;
  /** Live nodes in tree (pre-)order, without __symbols__, __fixups__ and __local_fixups__. */
  readonly nodes: Node[] = [];
  private readonly byPhandle = new Map<number, Node>();
  private readonly byPath = new Map<string, Node>();
  private readonly paths = new Map<Node, string>();
  private readonly labelsOf = new Map<Node, string[]>();
  private readonly byLabel = new Map<string, Node>();
  private readonly order = new Map<Node, number>();
  private readonly compatibleCache = new Map<Node, string[]>();
  private readonly enabledCache = new Map<Node, boolean>();

  constructor(tree: Tree) {
    this.tree = tree;
    this.visit(tree.root, '/');
    // Blobs carry labels only in __symbols__ (compiled with -@).
    const symbols = findChild(tree.root, '__symbols__');
    if (symbols) {
      for (const prop of symbols.properties) {
        if (prop.deleted) continue;
        const target = this.byPath.get(propertyString(prop) ?? '');
        if (target) this.addLabel(prop.name, target);
      }
    }
    for (const list of this.labelsOf.values()) list.sort();
  }

  private visit(node: Node, path: string): void {
    this.order.set(node, this.nodes.length);
    this.nodes.push(node);
    this.byPath.set(path, node);
    this.paths.set(node, path);
    for (const p of node.properties) {
      if (p.deleted || (p.name !== 'phandle' && p.name !== 'linux,phandle') || p.value.bytes.length !== 4) continue;
      const ph = readCell(p.value.bytes, 0);
      if (!this.byPhandle.has(ph)) this.byPhandle.set(ph, node);
    }
    for (const label of node.labels) this.addLabel(label, node);
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const child of node.children) {
      if (child.deleted) continue;
      if (path === '/' && SPECIAL_NODES.has(child.name)) continue;
      this.visit(child, prefix + child.name);
    }
  }

  private addLabel(label: string, node: Node): void {
    const list = this.labelsOf.get(node) ?? [];
    if (!list.includes(label)) list.push(label);
    this.labelsOf.set(node, list);
    if (!this.byLabel.has(label)) this.byLabel.set(label, node);
  }

  node(phandle: number): Node | undefined {
    return this.byPhandle.get(phandle);
  }

  nodeAt(path: string): Node | undefined {
    return this.byPath.get(path);
  }

  /** The node's path, computed once. */
  pathOf(node: Node): string {
    return this.paths.get(node) ?? node.path;
  }

  labels(node: Node): string[] {
    return this.labelsOf.get(node) ?? [];
  }

  label(node: Node): string | undefined {
    return this.labels(node)[0];
  }

  byLabelOrPath(name: string): Node | undefined {
    return name.startsWith('/') ? this.byPath.get(name) : this.byLabel.get(name);
  }

  /** Position in tree (pre-)order: the default probe order. */
  orderOf(node: Node): number {
    return this.order.get(node) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Label if any, else the path: how messages name a node. */
  name(node: Node): string {
    const label = this.label(node);
    return label ? `${label} (${this.pathOf(node)})` : this.pathOf(node);
  }

  compatibles(node: Node): string[] {
    let list = this.compatibleCache.get(node);
    if (!list) {
      list = compatibles(node);
      this.compatibleCache.set(node, list);
    }
    return list;
  }

  /** isEnabled, memoised along the ancestors. */
  enabled(node: Node): boolean {
    const known = this.enabledCache.get(node);
    if (known !== undefined) return known;
    const value = isAvailable(node) && (!node.parent || this.enabled(node.parent));
    this.enabledCache.set(node, value);
    return value;
  }
}

const SPECIAL_NODES = new Set(['__symbols__', '__fixups__', '__local_fixups__']);

/** of_device_is_available: status absent, "okay" or "ok". */
export function isAvailable(node: Node): boolean {
  const status = propertyString(findProperty(node, 'status'));
  return status === undefined || status === 'okay' || status === 'ok';
}

/** Available and every ancestor available: of_platform_populate never creates devices under a disabled node. */
export function isEnabled(node: Node): boolean {
  for (let n: Node | undefined = node; n; n = n.parent) if (!isAvailable(n)) return false;
  return true;
}

/** The status property, or the nearest disabled ancestor's, that makes a node disabled. */
export function disablingStatus(node: Node): { node: Node; property?: Property } | undefined {
  for (let n: Node | undefined = node; n; n = n.parent) if (!isAvailable(n)) return { node: n, property: findProperty(n, 'status') };
  return undefined;
}

export function cells(prop: Property | undefined): number[] {
  if (!prop) return [];
  const bytes = prop.value.bytes;
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(readCell(bytes, i));
  return out;
}

export function u32(node: Node, name: string): number | undefined {
  const p = findProperty(node, name);
  return p && p.value.bytes.length === 4 ? readCell(p.value.bytes, 0) : undefined;
}

export function strings(prop: Property | undefined): string[] {
  if (!prop) return [];
  const text = Buffer.from(prop.value.bytes).toString('latin1');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function compatibles(node: Node): string[] {
  return strings(findProperty(node, 'compatible'));
}

/** #address-cells / #size-cells that apply to `node`'s reg (its parent's, with dtc's defaults 2 and 1). */
export function addressCells(parent: Node | undefined): { address: number; size: number } {
  if (!parent) return { address: 2, size: 1 };
  return { address: u32(parent, '#address-cells') ?? 2, size: u32(parent, '#size-cells') ?? 1 };
}

export interface RegEntry {
  base: bigint;
  size: bigint;
}

export function regEntries(node: Node): RegEntry[] {
  const prop = findProperty(node, 'reg');
  if (!prop) return [];
  const { address, size } = addressCells(node.parent);
  const c = cells(prop);
  const step = address + size;
  const out: RegEntry[] = [];
  if (step === 0) return out;
  for (let i = 0; i + step <= c.length; i += step) {
    out.push({ base: joinCells(c.slice(i, i + address)), size: joinCells(c.slice(i + address, i + step)) });
  }
  return out;
}

function joinCells(list: number[]): bigint {
  let v = 0n;
  for (const c of list) v = (v << 32n) | BigInt(c);
  return v;
}

/** The interrupt parent of a node: `interrupt-parent`, else the nearest ancestor's. */
function interruptParent(index: TreeIndex, node: Node): Node | undefined {
  for (let n: Node | undefined = node; n; n = n.parent) {
    const ph = u32(n, 'interrupt-parent');
    if (ph !== undefined) return index.node(ph);
  }
  return undefined;
}

/** Number of interrupts a node declares (`interrupts-extended` or `interrupts`), or undefined when it cannot be told. */
export function interruptCount(index: TreeIndex, node: Node): number | undefined {
  const extended = findProperty(node, 'interrupts-extended');
  if (extended) {
    const c = cells(extended);
    let count = 0;
    for (let i = 0; i < c.length; ) {
      const target = index.node(c[i]);
      const n = target ? u32(target, '#interrupt-cells') : undefined;
      if (n === undefined) return undefined;
      i += 1 + n;
      count++;
    }
    return count;
  }
  const prop = findProperty(node, 'interrupts');
  if (!prop) return 0;
  const parent = interruptParent(index, node);
  const n = parent ? u32(parent, '#interrupt-cells') : undefined;
  if (!n) return undefined;
  return Math.floor(prop.value.bytes.length / 4 / n);
}

export function spanOf(prop: Property | undefined): Span | undefined {
  return prop?.span;
}

export function hex(n: number | bigint, width = 0): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}
