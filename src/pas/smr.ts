/**
 * The arm-smmu stream-match registers (PAS.md §3): an SMR (id, mask) matches stream x when every
 * bit outside the mask is equal. `findSme` and `allocSmes` restate arm_smmu_find_sme and
 * arm_smmu_master_alloc_smes exactly: reuse only when the new set is a subset of an existing entry,
 * -EINVAL for any other overlap, the lowest index decides, -ENOSPC when no slot is free.
 */

export interface Smr {
  id: number;
  mask: number;
}

/** Does (id, mask) match stream x? */
export function matches(smr: Smr, x: number): boolean {
  return ((x ^ smr.id) & ~smr.mask & 0xffff) === 0;
}

export function intersects(a: Smr, b: Smr): boolean {
  return ((a.id ^ b.id) & ~(a.mask | b.mask) & 0xffff) === 0;
}

/** inner ⊆ outer: find_sme's "entirely matched" test. */
export function isSubset(inner: Smr, outer: Smr): boolean {
  return (inner.mask & outer.mask) === inner.mask && ((inner.id ^ outer.id) & ~outer.mask & 0xffff) === 0;
}

export type Relation = 'disjoint' | 'equal' | 'a-in-b' | 'b-in-a' | 'partial';

export function relation(a: Smr, b: Smr): Relation {
  if (!intersects(a, b)) return 'disjoint';
  const ab = isSubset(a, b);
  const ba = isSubset(b, a);
  if (ab && ba) return 'equal';
  if (ab) return 'a-in-b';
  if (ba) return 'b-in-a';
  return 'partial';
}

/** The stream IDs an SMR matches, in increasing order; undefined when there are more than `limit`. */
export function matchedIds(smr: Smr, limit = 64): number[] | undefined {
  const bits: number[] = [];
  for (let b = 0; b < 16; b++) if (smr.mask & (1 << b)) bits.push(b);
  if (2 ** bits.length > limit) return undefined;
  const base = smr.id & ~smr.mask & 0xffff;
  const out: number[] = [];
  for (let k = 0; k < 2 ** bits.length; k++) {
    let x = base;
    bits.forEach((b, j) => {
      if (k & (1 << j)) x |= 1 << b;
    });
    out.push(x);
  }
  return out.sort((a, b) => a - b);
}

export function matchCount(smr: Smr): number {
  let n = 0;
  for (let m = smr.mask & 0xffff; m; m &= m - 1) n++;
  return 2 ** n;
}

export interface StreamMatchEntry extends Smr {
  index: number;
  valid: boolean;
  /** s2crs[i].count: Linux owners. 0 for a handoff entry. */
  count: number;
  /** Imported from the bootloader by qcom_smmu_cfg_probe (stays in bypass until a device takes it). */
  handoff: boolean;
  /** The handoff SMR as the bootloader left it, when a device narrowed it. */
  handoffOriginal?: Smr;
  /** Devices (ids) owning the entry, in allocation order. */
  owners: string[];
  group?: number;
}

export type FindResult = { kind: 'reuse' | 'new'; index: number } | { kind: 'conflict'; index: number } | { kind: 'full' };

/** One SMMU's SMR/S2CR table. */
export class StreamMatchTable {
  readonly entries: StreamMatchEntry[];

  constructor(readonly size: number) {
    this.entries = [];
    for (let i = 0; i < size; i++) this.entries.push({ index: i, id: 0, mask: 0, valid: false, count: 0, handoff: false, owners: [] });
  }

  /** qcom_smmu_cfg_probe's import of SMRs that read back valid. */
  importHandoff(smr: Smr, index: number): void {
    const e = this.entries[index];
    if (!e) return;
    Object.assign(e, { id: smr.id, mask: smr.mask, valid: true, count: 0, handoff: true });
  }

  /** arm_smmu_find_sme. */
  findSme(id: number, mask: number): FindResult {
    let free = -1;
    for (const e of this.entries) {
      if (!e.valid) {
        if (free < 0) free = e.index;
        continue;
      }
      if ((mask & e.mask) === mask && ((id ^ e.id) & ~e.mask & 0xffff) === 0) return { kind: 'reuse', index: e.index };
      if (((id ^ e.id) & ~(e.mask | mask) & 0xffff) === 0) return { kind: 'conflict', index: e.index };
    }
    return free < 0 ? { kind: 'full' } : { kind: 'new', index: free };
  }

  /**
   * arm_smmu_master_alloc_smes for one device: every ID or none. Returns the indices, or the
   * failure with the ID position that failed.
   */
  allocSmes(owner: string, ids: Smr[]): { ok: true; indices: number[]; reused: boolean[] } | { ok: false; at: number; result: FindResult } {
    const taken: number[] = [];
    const indices: number[] = [];
    const reused: boolean[] = [];
    for (let i = 0; i < ids.length; i++) {
      const { id, mask } = ids[i];
      const result = this.findSme(id, mask);
      if (result.kind === 'conflict' || result.kind === 'full') {
        this.release(owner, taken.reverse());
        return { ok: false, at: i, result };
      }
      const e = this.entries[result.index];
      taken.push(e.index);
      if (e.count === 0) {
        // A handoff entry has count 0 too: the device overwrites it with its own (narrower) id/mask.
        if (e.handoff && (e.id !== id || e.mask !== mask)) e.handoffOriginal = { id: e.id, mask: e.mask };
        e.id = id;
        e.mask = mask;
        e.valid = true;
      }
      e.count++;
      if (!e.owners.includes(owner)) e.owners.push(owner);
      indices.push(e.index);
      reused.push(result.kind === 'reuse');
    }
    return { ok: true, indices, reused };
  }

  /**
   * arm_smmu_free_sme for each index (a rolled-back allocation, or a device whose group could not be
   * formed): the last owner frees the entry, a handoff entry included (its bypass is lost).
   */
  release(owner: string, indices: number[]): void {
    for (const i of indices) {
      const e = this.entries[i];
      e.count--;
      e.owners = e.owners.filter((o) => o !== owner);
      if (e.count === 0) Object.assign(e, { valid: false, group: undefined });
    }
  }

  used(): StreamMatchEntry[] {
    return this.entries.filter((e) => e.valid);
  }
}
