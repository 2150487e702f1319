/**
 * SMMUv3 and the PCIe map checks (PCI-01..05, issue 16) on mutations of the upstream x1-el2.dtso
 * (on x1e80100-crd: pcie4, pcie5, pcie6a enabled) and sc8280xp-el2.dtso (on the x13s: pcie2a,
 * pcie3a, pcie4): each mistake is found once, on the right node, at the overlay line that made it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compatibles } from '../../src/pas/dt.js';
import { profileForCompatibles, simulate } from '../../src/pas/index.js';
import { loadTree } from '../../src/overlay/inputs.js';
import { sharedOrExplain } from '../support/shared.js';
import { kernelDtQcom, mergedKernelDt } from './support.js';

/** The upstream overlay with one line replaced; returns the file and the 1-based line of the change. */
function mutate(overlay: string, from: string, to: string): { file: string; line: number } {
  const text = fs.readFileSync(path.join(kernelDtQcom, overlay), 'utf8');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.includes(from));
  expect(at, `${from} in ${overlay}`).toBeGreaterThanOrEqual(0);
  lines[at] = lines[at].replace(from, to);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pas-pcie-')), overlay);
  fs.writeFileSync(file, lines.join('\n'));
  return { file, line: at + 1 };
}

async function run(board: string, overlay: { file: string }) {
  const loaded = await loadTree(overlay.file, { cpp: false, includeDirs: [], defines: [] });
  const m = await mergedKernelDt(board, [loaded]);
  return simulate(m.tree, await profileForCompatibles(compatibles(m.tree.root)), { changed: m.changed, overlays: m.overlays });
}

const X1 = 'x1e80100-crd.dts';
const X13S = 'sc8280xp-lenovo-thinkpad-x13s.dts';

describe.runIf(sharedOrExplain('the PCIe map checks on x1-el2 and sc8280xp-el2'))('PCIe maps onto SMMUv3 and the ITS', () => {
  const cases = [
    { what: 'x1: pcie4 reuses pcie5 stream IDs', board: X1, overlay: 'x1-el2.dtso', from: '<0 &pcie_smmu 0x40000 0x10000>', to: '<0 &pcie_smmu 0x50000 0x10000>', rule: 'pas/map-sid-overlap', severity: 'error', node: '/soc@0/pci@1c08000', related: '/soc@0/pci@1c00000' },
    { what: 'sc8280xp: pcie4 reuses pcie2a stream IDs', board: X13S, overlay: 'sc8280xp-el2.dtso', from: '<0 &pcie_smmu 0x60000 0x10000>', to: '<0 &pcie_smmu 0x28000 0x10000>', rule: 'pas/map-sid-overlap', severity: 'error', node: '/soc@0/pcie@1c00000', related: '/soc@0/pcie@1c20000' },
    { what: 'x1: pcie5 msi-map covers half the RIDs of its iommu-map', board: X1, overlay: 'x1-el2.dtso', from: '<0 &gic_its 0xd0000 0x10000>', to: '<0 &gic_its 0xd0000 0x8000>', rule: 'pas/msi-map-mismatch', severity: 'warning', node: '/soc@0/pci@1c00000' },
    { what: 'x1: pcie5 MSIs reuse pcie4 ITS DeviceIDs', board: X1, overlay: 'x1-el2.dtso', from: '<0 &gic_its 0xd0000 0x10000>', to: '<0 &gic_its 0xc0000 0x10000>', rule: 'pas/its-device-id-unique', severity: 'error', node: '/soc@0/pci@1c00000', related: '/soc@0/pci@1c08000' },
    { what: 'x1: pcie5 msi-map onto the SMMU', board: X1, overlay: 'x1-el2.dtso', from: '<0 &gic_its 0xd0000 0x10000>', to: '<0 &pcie_smmu 0xd0000 0x10000>', rule: 'pas/map-target-kind', severity: 'error', node: '/soc@0/pci@1c00000' },
    { what: 'sc8280xp: pcie2a iommu-map onto apps_smmu (SMMUv2) with 17-bit IDs', board: X13S, overlay: 'sc8280xp-el2.dtso', from: '<0 &pcie_smmu 0x20000 0x10000>', to: '<0 &apps_smmu 0x20000 0x10000>', rule: 'pas/sid-16bit', severity: 'error', node: '/soc@0/pcie@1c20000' },
    { what: 'sc8280xp: pcie4 stream IDs beyond the (assumed) 19-bit SID width', board: X13S, overlay: 'sc8280xp-el2.dtso', from: '<0 &pcie_smmu 0x60000 0x10000>', to: '<0 &pcie_smmu 0x80000 0x10000>', rule: 'pas/sid-width', severity: 'warning', node: '/soc@0/pcie@1c00000' },
    { what: 'x1: pcie6a stream IDs beyond 19 bits', board: X1, overlay: 'x1-el2.dtso', from: '<0 &pcie_smmu 0x60000 0x10000>', to: '<0 &pcie_smmu 0x7c000 0x8000>', rule: 'pas/sid-width', severity: 'warning', node: '/soc@0/pci@1bf8000' },
  ];

  for (const c of cases) {
    it(`${c.what}: ${c.rule} on ${c.node}`, async () => {
      const mutation = mutate(c.overlay, c.from, c.to);
      const { diagnostics } = await run(c.board, mutation);
      const hits = diagnostics.filter((d) => d.rule === c.rule);
      expect(hits.map((d) => `${d.severity} ${d.path}`), diagnostics.map((d) => `${d.rule} ${d.path} ${d.message}`).join('\n')).toEqual([`${c.severity} ${c.node}`]);
      expect(path.basename(hits[0].span?.file ?? '')).toBe(c.overlay);
      expect(hits[0].span?.line).toBe(mutation.line);
      if (c.related) expect(hits[0].related?.[0]?.message).toContain(c.related);
      // nothing else new: the upstream overlay's own findings are infos and the QHEE RP-01 warnings
      const others = diagnostics.filter((d) => d.rule !== c.rule && d.severity === 'error');
      expect(others.map((d) => d.rule)).toEqual([]);
    });
  }

  it('the upstream overlays raise none of the map rules', async () => {
    for (const [board, overlay] of [[X1, 'x1-el2.dtso'], [X13S, 'sc8280xp-el2.dtso']]) {
      const { diagnostics } = await run(board, { file: path.join(kernelDtQcom, overlay) });
      expect(diagnostics.filter((d) => /map|sid-width|its-device/.test(d.rule)).map((d) => d.rule)).toEqual([]);
    }
  });
});
