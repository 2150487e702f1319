/** The stream-match registers: PAS.md §3.6's worked examples, table-driven, and the allocator's edge cases. */
import { describe, expect, it } from 'vitest';
import { matchCount, matchedIds, matches, relation, StreamMatchTable } from '../../src/pas/smr.js';

describe('matched sets', () => {
  it.each([
    [0x21c0, 0x0400, [0x21c0, 0x25c0]],
    [0x29c0, 0x0400, [0x29c0, 0x2dc0]],
    [0x2141, 0x04a0, [0x2141, 0x2161, 0x21c1, 0x21e1, 0x2541, 0x2561, 0x25c1, 0x25e1]],
    [0x2181, 0x0400, [0x2181, 0x2581]],
    [0x1, 0x30, [0x1, 0x11, 0x21, 0x31]], // the arm,smmu binding's example: IDs 1, 17, 33, 49
    [0x0, 0x8000, [0x0, 0x8000]], // the top mask bit of a 16-bit SMR
  ])('%s/%s matches %j', (id, mask, ids) => {
    expect(matchedIds({ id, mask })).toEqual(ids);
    expect(matchCount({ id, mask })).toBe(ids.length);
  });

  it('compares the 16 bits an SMR holds, no more', () => {
    expect(matches({ id: 0x1, mask: 0 }, 0x1)).toBe(true);
    expect(matches({ id: 0x1, mask: 0 }, 0x2)).toBe(false);
    expect(matches({ id: 0x1, mask: 0 }, 0x10001)).toBe(true);
    expect(matches({ id: 0x1, mask: 0x8000 }, 0x8001)).toBe(true);
  });

  it('gives up listing beyond the limit but still counts', () => {
    expect(matchedIds({ id: 0, mask: 0x7fff })).toBeUndefined();
    expect(matchCount({ id: 0, mask: 0x7fff })).toBe(0x8000);
  });
});

describe('arm_smmu_find_sme: PAS.md §3.6', () => {
  // [new sid, new mask, existing sid, existing mask, result]
  const cases: [number, number, number, number, 'new' | 'reuse' | 'conflict'][] = [
    [0x21c0, 0x0400, 0x2141, 0x04a0, 'new'], // disjoint: bit 0 outside both masks
    [0x21c0, 0x0400, 0x2181, 0x0400, 'new'],
    [0x21c1, 0x0000, 0x2141, 0x04a0, 'reuse'], // 0x21c1 ∈ covers(0x2141, 0x4a0)
    [0x2140, 0x0081, 0x2141, 0x04a0, 'conflict'], // intersect, not a subset
    [0x3000, 0x0001, 0x3001, 0x0000, 'conflict'], // existing ⊂ new is a conflict
    [0x3001, 0x0000, 0x3000, 0x0001, 'reuse'], // the same pair in the other order
    [0x25c0, 0x0000, 0x21c0, 0x0400, 'reuse'],
    [0x0000, 0x0000, 0x0000, 0x007f, 'reuse'], // pcie0 RID 0 after pcie0_ep
    [0x0000, 0x007f, 0x0000, 0x0000, 'conflict'], // pcie0_ep after pcie0
  ];
  it.each(cases)('new %s/%s against %s/%s: %s', (sid, mask, esid, emask, expected) => {
    const table = new StreamMatchTable(4);
    expect(table.allocSmes('existing', [{ id: esid, mask: emask }]).ok).toBe(true);
    const r = table.findSme(sid, mask);
    expect(r.kind).toBe(expected);
  });

  it('relation() agrees with find_sme in both orders', () => {
    for (const [sid, mask, esid, emask] of cases) {
      const rel = relation({ id: sid, mask }, { id: esid, mask: emask });
      const t1 = new StreamMatchTable(2);
      t1.allocSmes('a', [{ id: esid, mask: emask }]);
      const newAfterExisting = t1.findSme(sid, mask).kind;
      const t2 = new StreamMatchTable(2);
      t2.allocSmes('b', [{ id: sid, mask }]);
      const existingAfterNew = t2.findSme(esid, emask).kind;
      const expected = { disjoint: ['new', 'new'], equal: ['reuse', 'reuse'], 'a-in-b': ['reuse', 'conflict'], 'b-in-a': ['conflict', 'reuse'], partial: ['conflict', 'conflict'] }[rel];
      expect([newAfterExisting, existingAfterNew]).toEqual(expected);
    }
  });

  it('the lowest index decides: a conflict at index 0 hides a reuse at index 1', () => {
    // Handoff entries may overlap each other (the bootloader wrote them), which shows the scan order.
    const table = new StreamMatchTable(4);
    table.importHandoff({ id: 0x12, mask: 0x1 }, 0); // {0x12, 0x13}
    table.importHandoff({ id: 0x10, mask: 0x3 }, 1); // {0x10..0x13}
    expect(table.findSme(0x11, 0x2)).toEqual({ kind: 'conflict', index: 0 }); // {0x11, 0x13} ⊆ entry 1, but entry 0 comes first
    expect(table.findSme(0x13, 0x0)).toEqual({ kind: 'reuse', index: 0 });
  });
});

describe('arm_smmu_master_alloc_smes', () => {
  it('takes the first free slot, keeps scanning for overlaps, and reports -ENOSPC when full', () => {
    const table = new StreamMatchTable(2);
    expect(table.allocSmes('a', [{ id: 1, mask: 0 }])).toMatchObject({ ok: true, indices: [0] });
    expect(table.allocSmes('b', [{ id: 2, mask: 0 }])).toMatchObject({ ok: true, indices: [1] });
    expect(table.allocSmes('c', [{ id: 3, mask: 0 }])).toMatchObject({ ok: false, result: { kind: 'full' } });
  });

  it('is all or nothing: a failing second ID frees the first', () => {
    const table = new StreamMatchTable(4);
    table.allocSmes('a', [{ id: 0x100, mask: 0x1 }]);
    const r = table.allocSmes('b', [{ id: 0x200, mask: 0 }, { id: 0x100, mask: 0x2 }]);
    expect(r.ok).toBe(false);
    expect(table.used().map((e) => e.id)).toEqual([0x100]);
  });

  it('a reused entry counts its owners; a second ID of the same device may reuse the first', () => {
    const table = new StreamMatchTable(4);
    const r = table.allocSmes('a', [{ id: 0x80, mask: 0x1 }, { id: 0x80, mask: 0 }]);
    expect(r).toMatchObject({ ok: true, indices: [0, 0], reused: [false, true] });
    expect(table.entries[0].count).toBe(2);
  });

  it('overwrites a handoff SMR (count 0) with the device\'s narrower id/mask (PAS.md §11)', () => {
    const table = new StreamMatchTable(4);
    table.importHandoff({ id: 0x3000, mask: 0xf }, 0);
    const r = table.allocSmes('adsp', [{ id: 0x3000, mask: 0 }]);
    expect(r).toMatchObject({ ok: true, indices: [0], reused: [true] });
    expect(table.entries[0]).toMatchObject({ id: 0x3000, mask: 0, handoff: true, handoffOriginal: { id: 0x3000, mask: 0xf }, count: 1 });
  });

  it('a partial overlap with a handoff SMR is -EINVAL', () => {
    const table = new StreamMatchTable(4);
    table.importHandoff({ id: 0x3000, mask: 0xf }, 0);
    expect(table.allocSmes('x', [{ id: 0x3008, mask: 0x10 }]).ok).toBe(false);
  });
});
