/** simulate() on small trees without a SoC profile: generic rules, probe orders, iommu-map, EL choice, steps. */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, defaultCompileOptions } from '../../src/compile/index.js';
import { loadProfileFile, simulate } from '../../src/pas/index.js';
import type { Tree } from '../../src/tree/model.js';
import { repoRoot } from '../support/shared.js';

const boardFile = path.join(repoRoot, 'fixtures/pas/generic-board.dts');

/** The generic board with `extra` appended (later definitions override, as in a board .dts). */
async function board(extra = ''): Promise<Tree> {
  const fs = await import('node:fs');
  const text = fs.readFileSync(boardFile, 'latin1') + extra;
  const result = await compile({ file: boardFile, text }, { ...defaultCompileOptions(), inputs: [boardFile], inputFormat: 'dts', outputFormat: 'dtb', symbols: true });
  if (!result.tree) throw new Error(result.messages.join('\n'));
  return result.tree;
}

describe('simulate without a SoC profile', () => {
  it('runs the generic arm,smmu rules and says which facts it lacked', async () => {
    const { diagnostics, simulation } = simulate(await board(), undefined);
    expect(simulation.soc).toBeNull();
    expect(simulation.lacking.join('\n')).toMatch(/no SoC profile .*test,generic-board.*PAS ids/);
    expect(simulation.lacking.join('\n')).toMatch(/smmu: assumed streamIdMask=0x7fff, smrMaskMask=0x7fff, numContextBanks=4 \(from the context interrupts\), numMappingGroups=128/);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const smmu = simulation.smmus[0];
    expect(smmu.contextInterrupts).toBe(4);
    // stream-match-mask 0x1 applies to the 1-cell specifiers and the iommu-map IDs.
    expect(smmu.entries.map((e) => [e.sid, e.mask, e.devices])).toEqual([
      [0x10, 0x1, ['/dma-controller@800000']],
      [0x20, 0x1, ['/dma-controller@900000']],
      [0x100, 0x1, ['/pcie@1c00000 [RID 0x0]', '/pcie@1c00000 [RID 0x1]']],
    ]);
  });

  it('iommu-map: RID k of a tuple maps to out-base + k; two RIDs landing in one masked entry share a group', async () => {
    const { simulation, diagnostics } = simulate(await board(), undefined);
    const smmu = simulation.smmus[0];
    const rids = smmu.devices.filter((d) => d.device.startsWith('/pcie'));
    expect(rids.map((d) => d.streams[0].sid)).toEqual([0x100, 0x101]);
    expect(new Set(rids.map((d) => d.group)).size).toBe(1);
    // RID 1 → SID 0x101 has its bit 0 under the mask: a true (and here harmless) finding.
    expect(diagnostics.filter((d) => d.path === '/pcie@1c00000').map((d) => d.rule)).toEqual(['pas/sid-mask-redundant']);
  });

  it('a generic PAS remoteproc: EL1 by default, and at --el 2 a missing iommus is a warning (no profile requires it)', async () => {
    const tree = await board();
    const el1 = simulate(tree, undefined);
    expect(el1.simulation.el).toBe(1);
    expect(el1.simulation.remoteprocs.map((r) => [r.compatible, r.outcome])).toEqual([['qcom,test-dsp-pas', 'boots']]);
    const el2 = simulate(tree, undefined, { el: 2 });
    const missing = el2.diagnostics.filter((d) => d.rule === 'pas/el2-remoteproc-missing-iommus');
    expect(missing.map((d) => [d.path, d.severity])).toEqual([['/remoteproc@30000000', 'warning']]);
    expect(el2.simulation.remoteprocs[0]).toMatchObject({ outcome: 'fails', failedAt: 'B13' });
  });

  it('with iommus on the remoteproc the tree is taken for EL2; its unmanaged domain needs a context bank of its own', async () => {
    // 4 context banks: dma_a, dma_b, the PCI group and the remoteproc's default domain take them all.
    const full = simulate(await board('&dsp { iommus = <&smmu 0x40>; };'), undefined);
    expect(full.simulation.el).toBe(2);
    expect(full.simulation.elReason).toMatch(/carry iommus/);
    expect(full.diagnostics.filter((d) => d.rule === 'pas/context-bank-budget').map((d) => d.path)).toEqual(['/remoteproc@30000000']);
    expect(full.simulation.remoteprocs[0]).toMatchObject({ outcome: 'fails', failedAt: 'B2' });
    expect(full.simulation.remoteprocs[0].steps.find((s) => s.id === 'B2')).toMatchObject({ rule: 'pas/context-bank-budget' });

    // One device fewer: the remoteproc attaches its own domain and boots.
    const { simulation, diagnostics } = simulate(await board('&dsp { iommus = <&smmu 0x40>; }; &dma_b { status = "disabled"; };'), undefined);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const rp = simulation.remoteprocs[0];
    expect(rp).toMatchObject({ outcome: 'boots', hasIommu: true, useTzmem: true });
    expect(rp.steps.find((s) => s.id === 'B2')).toMatchObject({ outcome: 'ok', message: 'unmanaged domain attached' });
    expect(rp.steps.find((s) => s.id === 'B12')?.inputs).toMatchObject({ iova: '0x90000000', size: '0x100000' });
    expect(rp.iommus[0]).toMatchObject({ sid: 0x40, mask: 0x1, contextBank: 2, remoteprocContextBank: 3 });
    expect(simulation.smmus[0].contextBanksUsed).toBe(4);
  });

  it('the probe order decides containment: tree order gives -EINVAL, reverse order a shared group', async () => {
    const tree = await board('&dma_a { iommus = <&smmu 0x20>; }; &smmu { stream-match-mask = <0x0>; }; &dma_b { iommus = <&smmu 0x20>; }; &pcie { iommu-map = <0x0 &smmu 0x100 0x1>; };');
    // Same streams: a shared group in either order. Two DMA-API devices in one group share one
    // default domain, which is normal: no finding, but the model puts them in one group.
    const same = simulate(tree, undefined);
    expect(same.diagnostics.map((d) => d.rule)).not.toContain('pas/smr-shared-group');
    expect(same.simulation.smmus[0].groups.find((g) => g.devices.length === 2)?.devices.sort()).toEqual(['/dma-controller@800000', '/dma-controller@900000']);

    const containment = await board('&smmu { #iommu-cells = <2>; /delete-property/ stream-match-mask; }; &dma_a { iommus = <&smmu 0x10 0x0>; }; &dma_b { iommus = <&smmu 0x10 0x1>; }; &pcie { iommu-map = <0x0 &smmu 0x100 0x1>; };');
    const tree1 = simulate(containment, undefined);
    const statusOf = (s: typeof tree1) => Object.fromEntries(s.simulation.smmus[0].devices.map((d) => [d.device, d.status]));
    expect(statusOf(tree1)['/dma-controller@900000']).toBe('no-iommu');
    expect(tree1.simulation.smmus[0].devices.find((d) => d.device === '/dma-controller@900000')?.reason).toMatch(/conflicts with SMR 0 0x0010\/0x0 of \/dma-controller@800000 \(-EINVAL\)|conflicts with SMR 0 0x10\/0x0/);
    const reverse = simulate(containment, undefined, { order: { kind: 'reverse' } });
    expect(statusOf(reverse)['/dma-controller@800000']).toBe('translated');
    expect(statusOf(reverse)['/dma-controller@900000']).toBe('translated');
    expect(reverse.simulation.smmus[0].groups.find((g) => g.devices.length === 2)?.devices.sort()).toEqual(['/dma-controller@800000', '/dma-controller@900000']);
    // Named devices first has the same effect as reversing here.
    const first = simulate(containment, undefined, { order: { kind: 'first', names: ['dma_b'] } });
    expect(statusOf(first)['/dma-controller@800000']).toBe('translated');
    // Whatever the order, the finding is the same: order-dependent containment.
    for (const r of [tree1, reverse, first]) expect(r.diagnostics.filter((d) => d.rule === 'pas/smr-containment-order').map((d) => d.path)).toEqual(['/dma-controller@900000']);
    // --order pairs lists both orders of the pair.
    const pairs = simulate(containment, undefined, { order: { kind: 'pairs' } }).simulation.pairs;
    expect(pairs).toEqual([
      { smmu: '/iommu@15000000', a: { device: '/dma-controller@800000', sid: 0x10, mask: 0 }, b: { device: '/dma-controller@900000', sid: 0x10, mask: 1 }, aThenB: 'conflict', bThenA: 'reuse', verdict: 'order-dependent' },
    ]);
  });

  it('a disabled device takes no SMR and a disabled parent disables its children', async () => {
    const { simulation } = simulate(await board('&dma_b { status = "disabled"; }; &pcie { status = "fail"; };'), undefined);
    expect(simulation.smmus[0].entries.map((e) => e.devices[0])).toEqual(['/dma-controller@800000']);
  });

  it('EL1 applies the qcom bypass quirk: the last context bank is reserved; EL2 does not', async () => {
    const tree = await board('&dma_b { status = "disabled"; };');
    const el1 = simulate(tree, undefined, { el: 1 }).simulation.smmus[0];
    const el2 = simulate(tree, undefined, { el: 2 }).simulation.smmus[0];
    expect(el1.parameters.bypassQuirk).toBe(true);
    expect(el2.parameters.bypassQuirk).toBe(false);
    // dma_a and the PCI group: 2 banks, plus the reserved one at EL1.
    expect([el1.contextBanksUsed, el2.contextBanksUsed]).toEqual([3, 2]);
  });

  it('handoff SMRs: a contained stream narrows the entry (warning), a partial overlap is an error, and known firmware streams get their fate', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-handoff-'));
    const file = path.join(dir, 'p.yaml');
    fs.writeFileSync(
      file,
      [
        'soc: test-handoff',
        'smmus:',
        '  - label: smmu',
        '    handoffSmrs: [ { sid: 0x10, mask: 0x3, note: xbl }, { sid: 0x22, mask: 0x0 } ]',
        '    knownFirmwareDmaSids: [ { sid: 0x13, note: covered by the handoff }, { sid: 0x11, note: now dma_a }, { sid: 0x22, note: still handoff }, { sid: 0x77, note: nobody } ]',
      ].join('\n'),
    );
    const profile = await loadProfileFile(file);
    // dma_a 0x10/0x1 ⊂ 0x10/0x3 (narrowed); dma_b 0x20/0x1 vs 0x22/0x0: disjoint; the PCI RIDs 0x100.
    const { diagnostics, simulation } = simulate(await board('&dsp { iommus = <&smmu 0x40>; }; &dma_b { iommus = <&smmu 0x22>; }; &smmu { stream-match-mask = <0x1>; };'), profile);
    const handoff = diagnostics.filter((d) => d.rule === 'pas/handoff-smr-interaction');
    expect(handoff.map((d) => [d.path, d.severity])).toEqual([
      ['/dma-controller@800000', 'warning'],
      ['/dma-controller@900000', 'error'],
    ]);
    expect(handoff[0].message).toMatch(/narrows it, so 2 other stream ID\(s\)/);
    const smmu = simulation.smmus[0];
    expect(smmu.entries[0]).toMatchObject({ index: 0, sid: 0x10, mask: 0x1, handoff: true, handoffOriginal: { sid: 0x10, mask: 0x3 }, devices: ['/dma-controller@800000'] });
    expect(smmu.devices.find((d) => d.device === '/dma-controller@900000')).toMatchObject({ status: 'no-iommu', rule: 'pas/handoff-smr-interaction' });
    const dma = diagnostics.find((d) => d.rule === 'pas/remoteproc-dma-masters')!;
    // dma_a narrowed the handoff entry to {0x10, 0x11}: 0x13 lost its bypass (PAS.md §11, the hazard).
    expect(dma.message).toMatch(/0x13 \(covered by the handoff\) matches no SMR and would be blocked/);
    expect(dma.message).toMatch(/0x11 \(now dma_a\) is translated by the domain of \/dma-controller@800000/);
    expect(dma.message).toMatch(/0x22 \(still handoff\) matches handoff SMR 1 and stays in bypass/);
    expect(dma.message).toMatch(/0x77 \(nobody\) matches no SMR and would be blocked/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--order names that match nothing are noted, not silently dropped', async () => {
    const { simulation } = simulate(await board(), undefined, { order: { kind: 'first', names: ['dma_b', 'nosuch'] } });
    expect(simulation.order).toBe('first: dma_b, nosuch');
    expect(simulation.notes).toContain("--order: 'nosuch' is neither a label nor a node path; ignored");
    expect(simulation.smmus[0].devices[0].device).toBe('/dma-controller@900000');
  });
});
