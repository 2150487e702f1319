/**
 * Phandle allocation as dtc's `get_node_phandle` does it: the lowest number not used by a live
 * node, from a counter that only grows (a static in dtc, shared by the reference fixups and by
 * `-@` symbol generation), adding `linux,phandle` / `phandle` as `-H` asks; and the phandles of a
 * tree read from a blob or a folder, taken from its properties (`assignPhandles`).
 */
import type { Node } from './model.js';
import { Property } from './model.js';
import { walkLive } from './walk.js';

export type PhandleFormat = 'legacy' | 'epapr' | 'both';

export const isValidPhandle = (p: number): boolean => p !== 0 && p !== 0xffffffff;

export class PhandleAllocator {
  private readonly used = new Set<number>();

  constructor(
    root: Node,
    private readonly format: PhandleFormat,
    /** Where dtc's counter stands (1 before any allocation). */
    public next = 1,
  ) {
    walkLive(root, (n) => {
      if (isValidPhandle(n.phandle)) this.used.add(n.phandle);
    });
  }

  isUsed(phandle: number): boolean {
    return this.used.has(phandle);
  }

  /** Record a phandle given explicitly (`phandle = <N>`). */
  claim(node: Node, phandle: number): void {
    node.phandle = phandle;
    this.used.add(phandle);
  }

  phandleOf(node: Node): number {
    if (isValidPhandle(node.phandle)) return node.phandle;
    while (this.used.has(this.next)) this.next++;
    const phandle = this.next;
    node.phandle = phandle;
    this.used.add(phandle);
    if (this.format !== 'epapr') addPhandleProperty(node, 'linux,phandle', phandle);
    if (this.format !== 'legacy') addPhandleProperty(node, 'phandle', phandle);
    return phandle;
  }
}

function addPhandleProperty(node: Node, name: string, phandle: number): void {
  if (node.properties.some((p) => !p.deleted && p.name === name)) return;
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, phandle);
  node.properties.push(new Property(name, { bytes, markers: [{ kind: 'u32', offset: 0 }] }));
}

/**
 * Where dtc's counter stands after the checks ran: the largest phandle they allocated (nodes
 * that had no phandle property before the checks), or 1.
 */
export function counterAfterChecks(root: Node, hadPhandleProperty: Set<Node>): number {
  let max = 1;
  walkLive(root, (n) => {
    if (isValidPhandle(n.phandle) && !hadPhandleProperty.has(n) && n.phandle > max) max = n.phandle;
  });
  return max;
}

/** Nodes carrying an explicit `phandle` or `linux,phandle` value now (taken before the checks run). */
export function nodesWithPhandleProperty(root: Node): Set<Node> {
  const out = new Set<Node>();
  walkLive(root, (n) => {
    // `phandle = <&self>` asks for allocation: such a node's number comes from the counter
    const explicit = n.properties.some(
      (p) => !p.deleted && (p.name === 'phandle' || p.name === 'linux,phandle') && !p.value.markers.some((m) => m.kind === 'ref-phandle'),
    );
    if (explicit) out.add(n);
  });
  return out;
}

/** Node phandles as dtc's explicit_phandles check sets them: `phandle` first, else `linux,phandle`. */
export function assignPhandles(root: Node): void {
  const pending: Node[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const phandle = phandleValue(node.getProperty('phandle')) || phandleValue(node.getProperty('linux,phandle'));
    if (phandle) node.phandle = phandle;
    // One push per child: a spread of 125,000 siblings overflows the call stack.
    for (const child of node.children) pending.push(child);
  }
}

function phandleValue(prop: Property | undefined): number {
  const bytes = prop?.value.bytes;
  if (!bytes || bytes.length !== 4) return 0;
  const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return value === 0 || value === 0xffffffff ? 0 : value;
}
