/**
 * The six SoCs with an upstream EL2 overlay (issue 16): each board of the Makefile's *-el2
 * compositions picks its profile from its root compatibles, and one upstream composition per SoC
 * simulates with the profile set and the expected result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compatibles } from '../../src/pas/dt.js';
import { profileForCompatibles, simulate } from '../../src/pas/index.js';
import { sharedOrExplain } from '../support/shared.js';
import { qcomMakefile } from '../kernel/tree.js';
import { kernelDtQcom, kernelDtTree, mergedKernelDt } from './support.js';

/** The root compatible list of a board source: the first `compatible = …;` at one tab inside `/ {`. */
function rootCompatibles(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^\/ \{[^]*?^\tcompatible = ([^;]*);/m.exec(text);
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [];
}

const OVERLAY_SOC: Record<string, string> = {
  'lemans-el2.dtbo': 'sa8775p',
  'x1-el2.dtbo': 'x1e80100',
  'sc8280xp-el2.dtbo': 'sc8280xp',
  'sc7180-el2.dtbo': 'sc7180',
  'talos-el2.dtbo': 'qcs615',
  'monaco-el2.dtbo': 'qcs8300',
};

describe.runIf(sharedOrExplain('the EL2 SoC profiles'))('SoC profiles of the upstream EL2 compositions', () => {
  it('every board of a *-el2 composition picks the profile of its overlay from its root compatibles', async () => {
    const makefile = fs.readFileSync(qcomMakefile, 'utf8');
    const pairs = [...makefile.matchAll(/^[\w-]+-el2-dtbs\s*:=\s*(\S+)\.dtb\s+(\S+)$/gm)].map((m) => ({ board: m[1], overlay: m[2] }));
    expect(pairs.length).toBe(42);
    const seen: string[] = [];
    for (const { board, overlay } of pairs) {
      const file = path.join(kernelDtQcom, `${board}.dts`);
      if (!fs.existsSync(file)) continue; // two boards have no source in kernel-dt
      const profile = await profileForCompatibles(rootCompatibles(file));
      expect(`${board}: ${profile?.soc}`).toBe(`${board}: ${OVERLAY_SOC[overlay]}`);
      seen.push(board);
    }
    expect(seen).toHaveLength(40);
  });

  const cases: { soc: string; board: string; overlay: string; check: (r: ReturnType<typeof simulate>) => void }[] = [
    {
      soc: 'x1e80100',
      board: 'x1e80100-crd.dts',
      overlay: 'x1-el2.dtso',
      check: ({ diagnostics, simulation }) => {
        expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
        expect(simulation.remoteprocs.map((r) => `${r.label} ${r.pasId} ${r.outcome}`)).toEqual(['remoteproc_adsp 1 boots', 'remoteproc_cdsp 18 boots']);
        const pcie = simulation.smmus.find((s) => s.label === 'pcie_smmu');
        expect(pcie?.smmuV3).toBe(true);
        expect(pcie?.parameters.sidBits).toBe(19);
        expect(pcie?.assumed).toEqual(['sidBits=19']);
        expect(pcie?.ranges?.map((r) => `${r.name} ${r.outBase.toString(16)}+${r.length.toString(16)}`)).toEqual(['pcie4 40000+10000', 'pcie5 50000+10000', 'pcie6a 60000+10000']);
      },
    },
    {
      soc: 'sc8280xp',
      board: 'sc8280xp-lenovo-thinkpad-x13s.dts',
      overlay: 'sc8280xp-el2.dtso',
      check: ({ diagnostics, simulation }) => {
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        // QHEE SoC: iommus not known to be needed at EL2, so RP-01 stays a warning (profile comment).
        const rp01 = diagnostics.filter((d) => d.rule === 'pas/el2-remoteproc-missing-iommus');
        expect(rp01.map((d) => `${d.severity} ${d.path}`).sort()).toEqual(['warning /soc@0/remoteproc@1b300000', 'warning /soc@0/remoteproc@2400000', 'warning /soc@0/remoteproc@3000000']);
        expect(simulation.remoteprocs.map((r) => `${r.label} ${r.pasId}`).sort()).toEqual(['remoteproc_adsp 1', 'remoteproc_nsp0 18', 'remoteproc_slpi 12']);
        const pcie = simulation.smmus.find((s) => s.label === 'pcie_smmu');
        // x13s enables pcie2a (modem), pcie3a (wlan) and pcie4 (nvme)
        expect(pcie?.ranges?.map((r) => r.name)).toEqual(['pcie2a', 'pcie3a', 'pcie4']);
      },
    },
    {
      soc: 'sc7180',
      board: 'sc7180-acer-aspire1.dts',
      overlay: 'sc7180-el2.dtso',
      check: ({ diagnostics, simulation }) => {
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        // mpss: the node names cx, mx, mss; the driver proxies cx and mss: no power-domain-names finding.
        expect(diagnostics.filter((d) => d.rule === 'pas/power-domain-names')).toEqual([]);
        expect(simulation.remoteprocs.map((r) => `${r.label} ${r.pasId}`).sort()).toEqual(['remoteproc_adsp 1', 'remoteproc_mpss 4']);
      },
    },
    {
      soc: 'qcs615',
      board: 'qcs615-ride.dts',
      overlay: 'talos-el2.dtso',
      check: ({ diagnostics, simulation }) => {
        expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
        expect(simulation.remoteprocs.map((r) => `${r.label} ${r.compatible} ${r.pasId} ${r.outcome}`)).toEqual(['remoteproc_cdsp qcom,sm8150-cdsp-pas 18 boots', 'remoteproc_adsp qcom,sm8150-adsp-pas 1 boots']);
      },
    },
    {
      soc: 'qcs8300',
      board: 'qcs8300-ride.dts',
      overlay: 'monaco-el2.dtso',
      check: ({ diagnostics, simulation }) => {
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(diagnostics.filter((d) => d.severity === 'warning').map((d) => d.rule)).toEqual(Array(4).fill('pas/sid-mask-redundant'));
        expect(simulation.remoteprocs.map((r) => `${r.label} ${r.pasId} ${r.outcome}`)).toEqual(['remoteproc_adsp 1 boots', 'remoteproc_gpdsp 39 boots', 'remoteproc_cdsp 18 boots']);
      },
    },
    {
      soc: 'sa8775p',
      board: 'lemans-evk.dts',
      overlay: 'lemans-el2.dtso',
      check: ({ diagnostics, simulation }) => {
        expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
        expect(simulation.remoteprocs).toHaveLength(5);
      },
    },
  ];

  for (const c of cases) {
    it(`${c.board} + ${c.overlay}: profile ${c.soc}, upstream result`, async () => {
      const overlay = await kernelDtTree(path.join(kernelDtQcom, c.overlay));
      const m = await mergedKernelDt(c.board, [overlay]);
      const profile = await profileForCompatibles(compatibles(m.tree.root));
      const result = simulate(m.tree, profile, { changed: m.changed, overlays: m.overlays });
      expect(result.simulation.soc).toBe(c.soc);
      expect(result.simulation.el).toBe(2);
      expect(result.simulation.lacking.some((l) => l.startsWith('no SoC profile'))).toBe(false);
      c.check(result);
    });
  }
});
