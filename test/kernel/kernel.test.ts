import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKernelLayout } from '../../src/kernel/layout.js';
import { discoverTargets } from '../../src/kernel/targets.js';
import { affectedTargets, changedFiles, planKernel } from '../../src/kernel/run.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { outputSchemaErrors } from '../report/output-schema.js';
import { git, gitCorpusCopy, kernelDt, linkedKernelTree } from './tree.js';

const hasShared = sharedOrExplain('kernel-mode tests (../shared/kernel-dt, ../shared/corpus)');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasShared)('kernel mode on ../shared/kernel-dt with the qcom Makefile', () => {
  let tree = '';
  beforeAll(() => {
    tree = linkedKernelTree();
  });
  afterAll(() => {
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
  });

  it('finds the 61 buildable compositions, lemans-evk-el2 among them, and the 2 with missing sources', () => {
    const layout = findKernelLayout(tree, ['arm64']);
    try {
      expect(layout.kind).toBe('kernel');
      expect(layout.bindings).toBe(path.join(tree, 'Documentation/devicetree/bindings'));
      const compositions = discoverTargets(layout).filter((t) => t.kind === 'composition');
      const buildable = compositions.filter((t) => !t.missing.length);
      const missing = compositions.filter((t) => t.missing.length);
      expect(buildable).toHaveLength(61);
      expect(missing.map((t) => `${t.name}: ${t.missing.join(' ')}`)).toEqual([
        'x1e80100-honor-magicbook-art-14-el2: x1e80100-honor-magicbook-art-14.dtb',
        'x1p42100-microsoft-sp12in-el2: x1p42100-microsoft-sp12in.dtb',
      ]);
      const el2 = buildable.find((t) => t.name === 'lemans-evk-el2');
      expect(el2?.sources.map((s) => path.basename(s))).toEqual(['lemans-evk.dts', 'lemans-el2.dtso']);
      expect(buildable.find((t) => t.name === 'sm8650-hdk-display-card-rear-camera-card')?.sources).toHaveLength(3);
      expect(buildable.find((t) => t.name === 'talos-evk-lvds-auo,g133han01')).toBeDefined();
      // The kernel's default DTC_FLAGS reach the compile.
      expect(el2?.checkFlags).toContainEqual({ flag: 'no-unit_address_vs_reg', isError: false });
    } finally {
      layout.dispose();
    }
  });

  it('checks on 2 worker threads; --shard splits the selection (CLI, json)', () => {
    const args = ['kernel', '--tree', tree, '--board', 'lemans-evk-el2', '--board', 'qcs9100-ride-el2', '-j', '2', '-f', 'json'];
    const r = cli(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.command).toBe('kernel');
    expect(outputSchemaErrors(report)).toBe('');
    expect(report.boards.map((b: { name: string; status: string }) => `${b.name} ${b.status}`).sort()).toEqual(['lemans-evk-el2 checked', 'qcs9100-ride-el2 checked']);
    // A finding in the shared overlay is reported once, naming both compositions.
    expect(report.diagnostics.some((d: { message: string }) => /\(in lemans-evk-el2, qcs9100-ride-el2\)$/.test(d.message))).toBe(true);
    const listed = (k: number) => JSON.parse(cli(['kernel', '--tree', tree, '--board', '*-el2', '--shard', `${k}/3`, '--list', '-f', 'json']).stdout).targets.map((t: { name: string }) => t.name);
    const shards = [listed(1), listed(2), listed(3)];
    const all = JSON.parse(cli(['kernel', '--tree', tree, '--board', '*-el2', '--list', '-f', 'json']).stdout).targets.map((t: { name: string }) => t.name);
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(shards[0]).not.toEqual(shards[1]);
    expect(cli(['kernel', '--tree', tree, '--shard', '4/3', '--list']).status).toBe(2);
  });

  it('a --board pattern that matches nothing is an input error, even beside one that matches', () => {
    const r = cli(['kernel', '--tree', tree, '--board', 'lemans-evk-el2', '--board', 'no-such-*', '--list']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('dtoverlay-check kernel: --board no-such-*: no such board or composition\n');
  });

  it('every upstream *-el2 composition: 0 errors, at most 60 warnings and notes, each right once (issue 13)', () => {
    const r = cli(['kernel', '--tree', tree, '--board', '*-el2', '-j', '2', '-f', 'json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    // 42 compositions in the Makefile; 40 have their sources in kernel-dt.
    expect(report.boards).toHaveLength(42);
    expect(report.boards.filter((b: { status: string }) => b.status === 'checked')).toHaveLength(40);
    expect(report.summary.errors).toBe(0);
    expect(report.summary.warnings + report.summary.infos).toBeLessThanOrEqual(60);
    const perRule: Record<string, number> = {};
    for (const d of report.diagnostics as { severity: string; rule: string }[]) perRule[`${d.severity} ${d.rule}`] = (perRule[`${d.severity} ${d.rule}`] ?? 0) + 1;
    // Before issue 13: 182 (120 duplicate-sid-same-device notes on x13s camss, 20 sid-mask-redundant,
    // 8 crypto/cryptobam smr-shared-group, 12 remoteproc-dma-masters, 2 el2-disabled-devices on venus).
    expect(perRule).toEqual({
      'warning dtc/graph_child_address': 2, // hamoa.dtsi and sc8280xp.dtsi: dtc warns on the board compile too
      'warning kernel/missing-source': 2, // two boards the Makefile lists have no source in kernel-dt
      'warning pas/el2-remoteproc-missing-iommus': 16, // sc7180 and sc8280xp overlays give their PAS remoteprocs no iommus
      'warning pas/sid-mask-redundant': 6, // monaco fastrpc compute-cb@1-4, sc7180 etr, x13s camss (one for 15 entries)
      'warning pas/smr-shared-group': 1, // sc8280xp nsp0 fastrpc compute-cb@9 and @10 share 0x318b/0x420
      'info pas/duplicate-sid-same-device': 1, // x13s camss: one for 15 overlapping entries
      'info pas/remoteproc-dma-masters': 4, // one per EL2 SoC whose overlay gives remoteprocs iommus
    });
  });

  it('lemans-evk-el2 and the two incomplete compositions: text table', () => {
    const r = cli(['kernel', '--tree', tree, '--board', 'lemans-evk-el2', '--board', 'x1e80100-honor-magicbook-art-14-el2', '--board', 'x1p42100-microsoft-sp12in-el2', '-j', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lemans-evk-el2 +checked +0 /m);
    expect(r.stdout).toMatch(/^x1e80100-honor-magicbook-art-14-el2 +missing-sources .*missing: x1e80100-honor-magicbook-art-14\.dtb$/m);
    expect(r.stdout).toMatch(/warning: x1p42100-microsoft-sp12in-el2: x1p42100-microsoft-sp12in\.dtb has no source in arm64\/qcom/);
  });
});

describe.skipIf(!hasShared)('devicetree-rebasing layout', () => {
  it('reads src/<arch>/<vendor> and Bindings/ as the kernel layout', () => {
    const layout = findKernelLayout(kernelDt, ['arm64']);
    try {
      expect(layout.kind).toBe('rebasing');
      expect(layout.archDirs.get('arm64')).toBe(path.join(kernelDt, 'src/arm64'));
      expect(layout.bindings).toBe(path.join(kernelDt, 'Bindings'));
      expect(fs.existsSync(path.join(layout.includePrefixes, 'dt-bindings/clock'))).toBe(true);
      expect(fs.existsSync(path.join(layout.includePrefixes, 'arm64/qcom/lemans.dtsi'))).toBe(true);
    } finally {
      layout.dispose();
    }
  });
});

describe.skipIf(!hasShared)('--changed: only targets whose include closure or Makefile entry changed', () => {
  it('touching lemans-ride-common.dtsi picks the two ride boards and their EL2 compositions, not lemans-evk', () => {
    const root = gitCorpusCopy();
    try {
      const dtsi = path.join(root, 'arch/arm64/boot/dts/qcom/lemans-ride-common.dtsi');
      fs.appendFileSync(dtsi, '\n/* touched */\n');
      const layout = findKernelLayout(root);
      try {
        const targets = discoverTargets(layout).filter((t) => !t.missing.length);
        expect(targets.map((t) => t.name).sort()).toEqual(['lemans-evk', 'lemans-evk-el2', 'qcs9100-ride', 'qcs9100-ride-el2', 'qcs9100-ride-r3', 'qcs9100-ride-r3-el2']);
        const picked = affectedTargets(targets, layout, changedFiles(root, 'HEAD'));
        expect(picked.map((t) => t.name).sort()).toEqual(['qcs9100-ride', 'qcs9100-ride-el2', 'qcs9100-ride-r3', 'qcs9100-ride-r3-el2']);
        const none = affectedTargets(targets, layout, new Set());
        expect(none).toEqual([]);
      } finally {
        layout.dispose();
      }
      // A Makefile change selects the targets whose entry it adds or alters, not the whole folder.
      git(root, 'checkout', '-q', '--', '.');
      fs.appendFileSync(path.join(root, 'arch/arm64/boot/dts/qcom/Makefile'), '\nqcs9100-ride-r3-extra-dtbs := qcs9100-ride-r3.dtb lemans-el2.dtbo\ndtb-$(CONFIG_ARCH_QCOM) += qcs9100-ride-r3-extra.dtb\n');
      const layout2 = findKernelLayout(root);
      try {
        const planned = planKernel({ tree: root, arch: [], boards: [], changed: 'HEAD', jobs: 1, bindings: [] }, layout2);
        expect(planned.map((t) => t.name)).toEqual(['qcs9100-ride-r3-extra']);
      } finally {
        layout2.dispose();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('kernel mode that would check nothing', () => {
  it('a Linux tree whose dts Makefiles build no target exits 2, naming where it looked', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-no-targets-'));
    try {
      fs.mkdirSync(path.join(root, 'arch/arm64/boot/dts/vendor'), { recursive: true });
      fs.writeFileSync(path.join(root, 'arch/arm64/boot/dts/vendor/Makefile'), '# no dtb-y here\n');
      const r = cli(['kernel', '--tree', root]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`dtoverlay-check kernel: ${root}: nothing to check: no dtb-y/dtb-$(CONFIG_…) targets in the Makefiles under arch/arm64/boot/dts (1 Makefile found)\n`);
      expect(r.stdout).toBe('');
      // the pre-commit hook in that tree says the same, without a stack
      const hook = cli(['hook', path.join(root, 'arch/arm64/boot/dts/vendor/board.dts')]);
      expect(hook.status).toBe(2);
      expect(hook.stderr).toMatch(/^dtoverlay-check( hook)?: .*: nothing to check: no dtb-y\/dtb-\$\(CONFIG_…\) targets/);
      expect(hook.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
