/**
 * Reserved memory (PAS.md §5.1 P5, §7): the regions under /reserved-memory with their `reg`, `no-map`
 * and spans, and the findings about them: RP-09 (pairwise overlap) here; RP-06/07/08/10 per
 * remoteproc in remoteprocs.ts.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Node, Property } from '../tree/model.js';
import { findChild, findProperty } from '../overlay/lookup.js';
import { hex, isAvailable, regEntries, type TreeIndex } from './dt.js';
import { finding } from './rules.js';

export interface ReservedRegion {
  node: Node;
  base: bigint;
  size: bigint;
  noMap: boolean;
  reg: Property;
}

export function reservedRegions(index: TreeIndex): ReservedRegion[] {
  const parent = findChild(index.tree.root, 'reserved-memory');
  if (!parent) return [];
  const out: ReservedRegion[] = [];
  for (const node of parent.liveChildren()) {
    const reg = findProperty(node, 'reg');
    if (!reg || !isAvailable(node)) continue;
    for (const r of regEntries(node)) out.push({ node, base: r.base, size: r.size, noMap: !!findProperty(node, 'no-map'), reg });
  }
  return out;
}

export function regionOf(regions: ReservedRegion[], node: Node): ReservedRegion | undefined {
  return regions.find((r) => r.node === node);
}

/** RP-09: a sweep over regions sorted by base; the region whose reg an overlay set is blamed first. */
export function overlapFindings(index: TreeIndex, regions: ReservedRegion[], changed: Set<Property>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sorted = [...regions].filter((r) => r.size > 0n).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].base < sorted[i].base + sorted[i].size; j++) {
      const a = sorted[i];
      const b = sorted[j];
      if (a.node === b.node) continue;
      const [p, o] = changed.has(a.reg) && !changed.has(b.reg) ? [a, b] : changed.has(b.reg) ? [b, a] : index.orderOf(a.node) > index.orderOf(b.node) ? [a, b] : [b, a];
      out.push(
        finding('pas/carveout-overlap', `reserved-memory ${index.name(p.node)} [${hex(p.base)}, ${hex(p.base + p.size)}) overlaps ${index.name(o.node)} [${hex(o.base)}, ${hex(o.base + o.size)})`, {
          path: p.node.path,
          property: 'reg',
          span: p.reg.span,
          related: [{ message: `${o.node.path} is here`, span: o.reg.span }],
        }),
      );
    }
  }
  return out;
}
