/**
 * The done-when lines on the real Lemans trees of ../shared/corpus (Linux v7.1):
 *  - lemans-evk at EL2 without the overlay: pas/el2-remoteproc-missing-iommus for exactly the five
 *    PAS remoteprocs;
 *  - with lemans-el2.dtso: no pas/ errors, the five remoteprocs with their SIDs, and every
 *    stream-match entry of apps_smmu with its device — the expected list derived here from the
 *    tree with a reading of `iommus` written for this test, not with src/pas;
 *  - the three compositions give the same simulation from source and from the reference blobs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlobForOverlay } from '../../src/overlay/blob.js';
import { loadProfile, simulate, type Simulation } from '../../src/pas/index.js';
import type { Node, Tree } from '../../src/tree/model.js';
import { referenceDtc, referenceFdtoverlay } from '../support/reference.js';
import { sharedOrExplain } from '../support/shared.js';
import { el2Overlay, kernelTree, merged, qcomDir } from './support.js';
import { kernelCpp, tempDir } from '../overlay/support.js';

const PAS_PATHS = ['/soc@0/remoteproc@20c00000', '/soc@0/remoteproc@21c00000', '/soc@0/remoteproc@26300000', '/soc@0/remoteproc@2a300000', '/soc@0/remoteproc@30000000'];

/** Independent reading: enabled nodes (and ancestors), 3-cell iommus specifiers whose phandle is apps_smmu's. */
function expectedAppsSmmuEntries(tree: Tree): { sid: number; mask: number; devices: string[] }[] {
  const cell = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  const prop = (n: Node, name: string) => n.properties.find((p) => !p.deleted && p.name === name);
  const text = (n: Node, name: string) => {
    const p = prop(n, name);
    return p ? Buffer.from(p.value.bytes).toString('latin1').replace(/\0.*$/s, '') : undefined;
  };
  const okay = (n: Node): boolean => {
    const s = text(n, 'status');
    return (s === undefined || s === 'okay' || s === 'ok') && (!n.parent || okay(n.parent));
  };
  const all: Node[] = [];
  const walk = (n: Node) => {
    all.push(n);
    n.children.filter((c) => !c.deleted).forEach(walk);
  };
  walk(tree.root);
  const apps = all.find((n) => n.name === 'iommu@15000000')!;
  const appsPhandle = cell(prop(apps, 'phandle')!.value.bytes, 0);
  const entries: { sid: number; mask: number; devices: string[] }[] = [];
  for (const n of all) {
    const p = prop(n, 'iommus');
    if (!p || !okay(n) || n.name.startsWith('__')) continue;
    for (let i = 0; i + 12 <= p.value.bytes.length; i += 12) {
      if (cell(p.value.bytes, i) !== appsPhandle) continue;
      const sid = cell(p.value.bytes, i + 4);
      const mask = cell(p.value.bytes, i + 8);
      const same = entries.find((e) => e.sid === sid && e.mask === mask);
      if (same) same.devices.push(n.path);
      else entries.push({ sid, mask, devices: [n.path] });
    }
  }
  return entries;
}

describe.runIf(sharedOrExplain('PAS on the Lemans corpus'))('Lemans (sa8775p) at EL2', () => {
  const evk = path.join(qcomDir, 'lemans-evk.dts');

  it('without the EL2 overlay: el2-remoteproc-missing-iommus for exactly the five PAS remoteprocs', async () => {
    const base = await kernelTree(evk);
    const { diagnostics, simulation } = simulate(base.tree, await loadProfile('sa8775p'), { el: 2 });
    const missing = diagnostics.filter((d) => d.rule === 'pas/el2-remoteproc-missing-iommus');
    expect(missing.map((d) => d.path).sort()).toEqual(PAS_PATHS);
    expect(missing.every((d) => d.severity === 'error')).toBe(true);
    expect(simulation.remoteprocs.every((rp) => rp.outcome === 'fails' && rp.failedAt === 'B13')).toBe(true);
  });

  it('without the overlay and without --el, the tree is taken for EL1 and every remoteproc boots', async () => {
    const base = await kernelTree(evk);
    const { diagnostics, simulation } = simulate(base.tree, await loadProfile('sa8775p'));
    expect(simulation.el).toBe(1);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(simulation.remoteprocs.map((rp) => rp.outcome)).toEqual(['boots', 'boots', 'boots', 'boots', 'boots']);
  });

  it('with lemans-el2.dtso: EL2 by default, no pas/ errors, the five remoteprocs with their SIDs, and they boot', async () => {
    const m = await merged(evk, [el2Overlay]);
    const { diagnostics, simulation } = simulate(m.tree, await loadProfile('sa8775p'), { changed: m.changed, overlays: m.overlays });
    expect(simulation.el).toBe(2);
    expect(diagnostics.filter((d) => d.rule.startsWith('pas/') && d.severity === 'error')).toEqual([]);
    const json = JSON.parse(JSON.stringify(simulation)) as Simulation['simulation'];
    const sids = Object.fromEntries(json.remoteprocs.map((rp) => [rp.label, rp.iommus.map((i) => ({ sid: i.sid, mask: i.mask, matches: i.matches }))]));
    expect(sids).toEqual({
      remoteproc_adsp: [{ sid: 0x3000, mask: 0x0, matches: [0x3000] }],
      remoteproc_cdsp0: [{ sid: 0x21c0, mask: 0x400, matches: [0x21c0, 0x25c0] }],
      remoteproc_cdsp1: [{ sid: 0x29c0, mask: 0x400, matches: [0x29c0, 0x2dc0] }],
      remoteproc_gpdsp0: [{ sid: 0x38a0, mask: 0x0, matches: [0x38a0] }],
      remoteproc_gpdsp1: [{ sid: 0x38c0, mask: 0x0, matches: [0x38c0] }],
    });
    expect(json.remoteprocs.every((rp) => rp.outcome === 'boots' && rp.hasIommu)).toBe(true);
    // Each remoteproc has its own group (singleton) and two context banks (default + unmanaged).
    for (const rp of json.remoteprocs) {
      expect(rp.iommus[0].remoteprocContextBank).toBeDefined();
      const apps = json.smmus.find((s) => s.path === '/soc@0/iommu@15000000')!;
      expect(apps.groups[rp.iommus[0].group!].devices).toEqual([rp.path]);
    }
  });

  it('lists every stream-match entry of apps_smmu with its device, as read independently from the tree', async () => {
    const m = await merged(evk, [el2Overlay]);
    const { simulation } = simulate(m.tree, await loadProfile('sa8775p'), { changed: m.changed, overlays: m.overlays });
    const apps = simulation.smmus.find((s) => s.path === '/soc@0/iommu@15000000')!;
    const expected = expectedAppsSmmuEntries(m.tree);
    expect(apps.entries.map((e) => ({ sid: e.sid, mask: e.mask, devices: e.devices }))).toEqual(expected);
    // PAS.md §8: 86 specifiers on apps_smmu in the merged v7.1 tree; 7 are on disabled nodes and
    // crypto/cryptobam share two, so 77 entries.
    expect(expected.reduce((n, e) => n + e.devices.length, 0)).toBe(79);
    expect(apps.smrsUsed).toBe(77);
    // The overlay's five streams are among them, each owned by its remoteproc alone.
    for (const p of PAS_PATHS) expect(apps.entries.filter((e) => e.devices.includes(p))).toHaveLength(1);
    // No partial overlaps or containments on apps_smmu (PAS.md §3.6); crypto and cryptobam share theirs.
    expect(apps.devices.every((d) => d.status !== 'no-iommu')).toBe(true);
  });

  it('the EL2 SIDs collide with nothing; crypto and cryptobam share a group, which breaks nothing and is not a finding', async () => {
    const m = await merged(evk, [el2Overlay]);
    const { diagnostics, simulation } = simulate(m.tree, await loadProfile('sa8775p'), { changed: m.changed, order: { kind: 'pairs' } });
    const smr = diagnostics.filter((d) => d.rule.startsWith('pas/smr-') || d.rule === 'pas/overlay-sid-collision');
    expect(smr.map((d) => `${d.rule} ${d.path}`)).toEqual([]);
    // The two overlapping pairs (0x480, 0x481) are there in the model: one group of two DMA-API devices.
    const shared = simulation.pairs!.filter((p) => p.verdict === 'shared-group');
    expect(shared.map((p) => `${p.a.device} ${p.b.device} ${p.a.sid.toString(16)}`).sort()).toEqual(['/soc@0/dma-controller@1dc4000 /soc@0/crypto@1dfa000 480', '/soc@0/dma-controller@1dc4000 /soc@0/crypto@1dfa000 481']);
    expect(simulation.pairs!.filter((p) => p.verdict !== 'shared-group')).toEqual([]);
  });

  it('SIDs repeated on different SMMUs are not flagged (cross-smmu-duplicate): sdhc 0x0 on apps_smmu, pcie0 RID 0 → 0x0 on pcie_smmu', async () => {
    const m = await merged(evk, [el2Overlay]);
    const { diagnostics, simulation } = simulate(m.tree, await loadProfile('sa8775p'), { changed: m.changed });
    const pcie = simulation.smmus.find((s) => s.label === 'pcie_smmu')!;
    expect(pcie.entries.some((e) => e.sid === 0)).toBe(true);
    expect(simulation.smmus.find((s) => s.label === 'apps_smmu')!.entries.some((e) => e.sid === 0)).toBe(true);
    expect(diagnostics.filter((d) => d.rule === 'pas/cross-smmu-duplicate' || /pcie/.test(d.path ?? ''))).toEqual([]);
  });
});

/** Everything but spans and the file names that only sources have. */
function comparable(result: Simulation): unknown {
  const { diagnostics, simulation } = result;
  return {
    diagnostics: diagnostics.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, path: d.path, property: d.property })),
    simulation: { ...simulation, elReason: undefined },
  };
}

describe.runIf(sharedOrExplain('PAS source/blob parity'))('the three Lemans compositions: source and blob give the same simulation', () => {
  const overlaySource = kernelCpp('arch/arm64/boot/dts/qcom/lemans-el2.dtso');
  if (overlaySource === undefined) console.warn('skipping blob parity: GNU cpp is not installed');
  for (const [composite, board] of [
    ['lemans-evk-el2', 'lemans-evk'],
    ['qcs9100-ride-el2', 'qcs9100-ride'],
    ['qcs9100-ride-r3-el2', 'qcs9100-ride-r3'],
  ]) {
    it.runIf(overlaySource !== undefined)(`${composite}`, async () => {
      const work = tempDir('pas-blob-');
      try {
        fs.writeFileSync(path.join(work, 'board.dts'), kernelCpp(`arch/arm64/boot/dts/qcom/${board}.dts`)!);
        fs.writeFileSync(path.join(work, 'el2.dtso'), overlaySource!);
        expect(referenceDtc(['-@', '-b', '0', '-I', 'dts', '-O', 'dtb', '-o', 'board.dtb', 'board.dts'], { cwd: work }).status).toBe(0);
        expect(referenceDtc(['-@', '-b', '0', '-I', 'dts', '-O', 'dtb', '-o', 'el2.dtbo', 'el2.dtso'], { cwd: work }).status).toBe(0);
        expect(referenceFdtoverlay(['-i', 'board.dtb', '-o', 'merged.dtb', 'el2.dtbo'], { cwd: work }).status).toBe(0);
        const blob = readBlobForOverlay(new Uint8Array(fs.readFileSync(path.join(work, 'merged.dtb'))), 'merged.dtb');
        const profile = await loadProfile('sa8775p');
        const fromBlob = simulate(blob, profile);
        const m = await merged(path.join(qcomDir, `${board}.dts`), [el2Overlay]);
        const fromSource = simulate(m.tree, profile, { changed: m.changed, overlays: m.overlays });
        expect(fromBlob.simulation.el).toBe(2);
        expect(comparable(fromBlob)).toEqual(comparable(fromSource));
        expect(fromSource.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(fromSource.simulation.remoteprocs).toHaveLength(5);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  }
});
