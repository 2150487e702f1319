/**
 * Issue 13 §1: every finding right, once, at the line that caused it — on the real v7.1 files of
 * ../shared/kernel-dt (a Linux-layout tree built in the test) and on mutations of them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { findKernelLayout, type KernelLayout } from '../../src/kernel/layout.js';
import { withKernelLayout } from '../../src/kernel/run.js';
import { checkOverlayStructure } from '../../src/overlay/structure.js';
import { compile, defaultCompileOptions } from '../../src/compile/index.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { linkedKernelTree } from '../kernel/tree.js';

const hasShared = sharedOrExplain('precision tests on ../shared/kernel-dt');
const cli = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd, encoding: 'utf8' });
const brief = (d: Diagnostic) => `${d.severity} ${d.rule} ${d.span ? `${path.basename(d.span.file)}:${d.span.line}` : '-'}`;

describe.skipIf(!hasShared)('findings on the upstream EL2 trees: right, once, at the right line', () => {
  let tree = '';
  let qcom = '';
  let layout: KernelLayout;
  beforeAll(() => {
    tree = linkedKernelTree();
    qcom = path.join(tree, 'arch/arm64/boot/dts/qcom');
    layout = findKernelLayout(tree);
  });
  afterAll(() => {
    layout?.dispose();
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
  });

  /** runCheck as kbuild compiles (include prefixes, DTC_FLAGS); overlays may be written into the tree first. */
  const check = async (base: string, ...overlays: string[]) => {
    const options = withKernelLayout(defaultCheckOptions(path.join(qcom, base), overlays.map((o) => path.join(qcom, o))), layout);
    return (await runCheck(options)).report;
  };
  /** A copy of lemans-el2.dtso with `from` replaced by `to`, as another overlay file in the tree; the line of the change. */
  const mutateEl2 = (name: string, from: string, to: string): number => {
    const text = fs.readFileSync(path.join(qcom, 'lemans-el2.dtso'), 'utf8');
    const at = text.indexOf(from);
    expect(at).toBeGreaterThanOrEqual(0);
    fs.writeFileSync(path.join(qcom, name), text.slice(0, at) + to + text.slice(at + from.length));
    return text.slice(0, at).split('\n').length;
  };

  it('an overlay alone: no false errors; what needs a base is skipped, said once; its structure is checked', async () => {
    const report = await check('lemans-el2.dtso');
    expect(report.diagnostics).toEqual([]);
    const stages = Object.fromEntries(report.stages.map((s) => [s.name, s]));
    expect(stages['overlay-checks'].status).toBe('ran');
    for (const name of ['apply', 'schema', 'pas']) {
      expect(stages[name].status).toBe('skipped');
      expect(stages[name].note).toMatch(/an overlay alone: these need a base tree/);
    }
  });

  it('an overlay alone inside a Linux tree (CLI): checked on each composition the Makefile builds with it', () => {
    const r = cli(qcom, 'check', 'lemans-el2.dtso', '-f', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.boards.map((b: { name: string; status: string }) => `${b.name} ${b.status}`).sort()).toEqual(['lemans-evk-el2 checked', 'qcs9100-ride-el2 checked', 'qcs9100-ride-r3-el2 checked']);
    expect(report.diagnostics.filter((d: Diagnostic) => d.severity === 'error')).toEqual([]);
  });

  it('an overlay alone outside any tree (a repository holding only that file): no unresolved-phandle errors', () => {
    const dir = fs.mkdtempSync(path.join(path.dirname(tree), 'dtoc-alone-'));
    try {
      fs.copyFileSync(path.join(qcom, 'lemans-el2.dtso'), path.join(dir, 'lemans-el2.dtso'));
      const r = cli(dir, 'check', 'lemans-el2.dtso');
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(/iommus-phandle-target|does not resolve/);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^lemans-el2\.dtso: 0 errors, 0 warnings; apply, schema, pas not run \(an overlay alone: these need a base tree/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hook in a repository that holds only the overlay: no unresolved-phandle errors, nothing blocks', () => {
    const dir = fs.mkdtempSync(path.join(path.dirname(tree), 'dtoc-alone-git-'));
    try {
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
      git('init', '-q', '-b', 'main');
      fs.writeFileSync(path.join(dir, 'README'), 'x\n');
      git('add', 'README');
      git('commit', '-q', '-m', 'start');
      fs.copyFileSync(path.join(qcom, 'lemans-el2.dtso'), path.join(dir, 'lemans-el2.dtso'));
      git('add', 'lemans-el2.dtso');
      const r = cli(dir, 'hook', '-f', 'json');
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.diagnostics).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sc7180 + sc7180-el2: venus has its firmware stream (video-firmware iommus 0x0c42), so no el2-disabled-devices', async () => {
    const report = await check('sc7180-acer-aspire1.dts', 'sc7180-el2.dtso');
    expect(report.diagnostics.filter((d) => d.rule === 'pas/el2-disabled-devices')).toEqual([]);
    const sim = report.simulation as { smmus: { devices: { device: string; streams: { sid: number }[] }[] }[] };
    const venusFw = sim.smmus.flatMap((s) => s.devices).find((d) => d.device === '/soc@0/video-codec@aa00000/video-firmware');
    expect(venusFw?.streams.map((s) => s.sid)).toEqual([0x0c42]);
  });

  it('without the overlay at EL2, the same venus is flagged (the rule still fires where it should)', async () => {
    fs.writeFileSync(path.join(qcom, 'sc7180-el2-novenus.dtso'), fs.readFileSync(path.join(qcom, 'sc7180-el2.dtso'), 'utf8').replace(/&venus \{[^]*?\n\};\n/, ''));
    const report = await check('sc7180-acer-aspire1.dts', 'sc7180-el2-novenus.dtso');
    expect(report.diagnostics.filter((d) => d.rule === 'pas/el2-disabled-devices').map((d) => d.path)).toEqual(['/soc@0/video-codec@aa00000']);
  });

  it('crypto and cryptobam sharing 0x480/0x481 is not a finding; two fastrpc sessions sharing one entry is, once', async () => {
    const report = await check('sc8280xp-lenovo-thinkpad-x13s.dts', 'sc8280xp-el2.dtso');
    const shared = report.diagnostics.filter((d) => d.rule === 'pas/smr-shared-group');
    expect(shared.map(brief)).toEqual(['warning pas/smr-shared-group sc8280xp.dtsi:6085']);
    expect(shared[0].message).toMatch(/compute-cb@10 and .*compute-cb@9 share the stream-match entry 0x318b\/0x420: .*fastrpc sessions share one domain/);
    expect(report.diagnostics.filter((d) => /crypto/.test(d.message))).toEqual([]);
  });

  it('camss on x13s: one finding per property for its 16 overlapping entries, at the first entry concerned', async () => {
    const report = await check('sc8280xp-lenovo-thinkpad-x13s.dts', 'sc8280xp-el2.dtso');
    const camss = report.diagnostics.filter((d) => d.path === '/soc@0/camss@ac5a000');
    expect(camss.map(brief)).toEqual(['warning pas/sid-mask-redundant sc8280xp.dtsi:4526', 'info pas/duplicate-sid-same-device sc8280xp.dtsi:4526']);
    const [redundant, dup] = camss;
    expect(dup.message).toMatch(/: 15 iommus entries overlap an earlier one: 1 \(0x2020\/0x4e0\), 2 \(0x2040\/0x4e0\), .* with 0 \(0x2000\/0x4e0\)/);
    expect(redundant.message).toMatch(/15 iommus entries have SID bits under their mask: 0x2020 under 0x4e0 \(0x20\),/);
    // The other entries are related locations, each on its own line.
    expect(dup.related?.map((r) => r.span.line)).toEqual([4527, 4528, 4529, 4530, 4531, 4532, 4533, 4534]);
  });

  it('one mistake, one error: cdsp1 given cdsp0 SID in lemans-el2.dtso is reported once, at that entry, with cdsp0 as the related line', async () => {
    const line = mutateEl2('lemans-el2-cdsp1.dtso', 'iommus = <&apps_smmu 0x29c0 0x0400>;', 'iommus = <&apps_smmu 0x21c0 0x0400>;');
    const report = await check('lemans-evk.dts', 'lemans-el2-cdsp1.dtso');
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(brief)).toEqual([`error pas/overlay-sid-collision lemans-el2-cdsp1.dtso:${line}`]);
    const [e] = errors;
    expect(e.path).toBe('/soc@0/remoteproc@2a300000');
    expect(e.span?.column).toBe(12); // the `&apps_smmu` of the entry
    expect(e.message).toMatch(/the overlay gives remoteproc_cdsp1 .* 0x21c0\/0x400, which shares the stream-match entry of 0x21c0\/0x400 of remoteproc_cdsp0 .*\(also set by an overlay\): .*rproc_enable_iommu of remoteproc_cdsp0 and remoteproc_cdsp1 fail/);
    expect(e.related?.map((r) => `${path.basename(r.span.file)}:${r.span.line}`)).toEqual(['lemans-el2-cdsp1.dtso:26']);
  });

  it('the same mistake in a second overlay on top of lemans-el2: one error, in that overlay', async () => {
    fs.writeFileSync(path.join(qcom, 'cdsp1-sid.dtso'), '/dts-v1/;\n/plugin/;\n\n&remoteproc_cdsp1 {\n\tiommus = <&apps_smmu 0x21c0 0x0400>;\n};\n');
    const report = await check('lemans-evk.dts', 'lemans-el2.dtso', 'cdsp1-sid.dtso');
    expect(report.diagnostics.filter((d) => d.severity === 'error').map(brief)).toEqual(['error pas/overlay-sid-collision cdsp1-sid.dtso:5']);
  });

  it('a collision with a base value says "in the base tree", at the overlay line', async () => {
    const line = mutateEl2('lemans-el2-crypto.dtso', 'iommus = <&apps_smmu 0x3000 0x0>;', 'iommus = <&apps_smmu 0x481 0x0>;');
    const report = await check('lemans-evk.dts', 'lemans-el2-crypto.dtso');
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(brief)).toEqual([`error pas/overlay-sid-collision lemans-el2-crypto.dtso:${line}`]);
    expect(errors[0].message).toMatch(/remoteproc_adsp .* 0x481\/0x0, which shares the stream-match entry of 0x481\/0x0 of .*\(in the base tree\)/);
    // The other side is crypto's second entry: its own line in lemans.dtsi (2783), not the property's first line.
    const related = errors[0].related?.map((r) => `${path.basename(r.span.file)}:${r.span.line}`) ?? [];
    expect(related.some((r) => r === 'lemans.dtsi:2783')).toBe(true);
    // crypto and its BAM both have 0x481: one error naming both.
    expect(errors[0].message).toMatch(/of cryptobam \(.*\) and 0x481\/0x0 of crypto \(.*\) \(in the base tree\)/);
  });

  it('a remoteproc left without iommus at EL2 is reported at the overlay fragment for it, entries counted from 0', async () => {
    const line = mutateEl2('lemans-el2-noiommus.dtso', 'iommus = <&apps_smmu 0x3000 0x0>;', 'status = "okay";');
    const report = await check('lemans-evk.dts', 'lemans-el2-noiommus.dtso');
    const missing = report.diagnostics.filter((d) => d.rule === 'pas/el2-remoteproc-missing-iommus');
    expect(missing.map(brief)).toEqual([`error pas/el2-remoteproc-missing-iommus lemans-el2-noiommus.dtso:${line - 1}`]);
    expect(missing[0].path).toBe('/soc@0/remoteproc@30000000');
  });

  it('/delete-property/ and /delete-node/ in an overlay fragment: a warning at the line, unless they delete something of the overlay itself', async () => {
    fs.writeFileSync(
      path.join(qcom, 'delete-pitfall.dtso'),
      // Lines 5 and 9 delete from the base: nothing happens. Line 14 adds a node of the overlay's own
      // (a label of the overlay), and line 19 deletes from it through that label: a real deletion.
      // A second `&remoteproc_cdsp0 {}` would be a fragment of its own, so a deletion there is a pitfall too.
      '/dts-v1/;\n/plugin/;\n\n&remoteproc_adsp {\n\t/delete-property/ firmware-name;\n};\n\n&soc {\n\t/delete-node/ remoteproc@2a300000;\n};\n\n&remoteproc_cdsp0 {\n\tlocal_tmp: tmp-node {\n\t\tlocal-test = <1>;\n\t};\n};\n\n&local_tmp {\n\t/delete-property/ local-test;\n};\n\n&remoteproc_cdsp1 {\n\tlocal-test = <1>;\n};\n\n&remoteproc_cdsp1 {\n\t/delete-property/ local-test;\n};\n',
    );
    const report = await check('lemans-evk.dts', 'lemans-el2.dtso', 'delete-pitfall.dtso');
    const pitfalls = report.diagnostics.filter((d) => d.rule === 'overlay/delete-in-overlay');
    expect(pitfalls.map(brief)).toEqual(['warning overlay/delete-in-overlay delete-pitfall.dtso:5', 'warning overlay/delete-in-overlay delete-pitfall.dtso:9', 'warning overlay/delete-in-overlay delete-pitfall.dtso:27']);
    expect(pitfalls[0].message).toMatch(/fdtoverlay cannot delete anything from the base, so firmware-name stays there/);
    // `compile`, the dtc drop-in, prints nothing of it (dtc does not).
    const r = cli(qcom, 'compile', '--cpp', '-@', '-o', 'delete-pitfall.dtbo', 'delete-pitfall.dtso');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/delete-in-overlay|fdtoverlay cannot/);
  });
});

describe('overlay structure, for an overlay with no base', () => {
  const overlay = async (body: string) => {
    const result = await compile({ file: 'hand.dtso', text: `/dts-v1/;\n/plugin/;\n/ {\n${body}\n};\n` }, { ...defaultCompileOptions(), inputs: ['hand.dtso'], inputFormat: 'dts', outputFormat: 'dtb', force: true });
    expect(result.tree).toBeDefined();
    return checkOverlayStructure(result.tree!).map((d) => `${d.rule} ${d.path}${d.property ? `:${d.property}` : ''}: ${d.message}`);
  };

  it('a well-formed hand-written overlay has no findings', async () => {
    expect(await overlay('fragment@0 { target-path = "/soc"; __overlay__ { x = <1 2>; }; };\n__fixups__ { foo = "/fragment@0/__overlay__:x:4"; };\n__local_fixups__ { };')).toEqual([]);
  });

  it('a fragment without a target, and fixups that point outside the overlay', async () => {
    expect(await overlay('fragment@0 { __overlay__ { x = <1>; }; };\nfragment@1 { target = <1 2>; __overlay__ { }; };\n__fixups__ { foo = "/fragment@0/__overlay__:x:4", "/fragment@0/__overlay__:y:0", "/nowhere:x:0", "junk"; };\n__local_fixups__ { fragment@0 { __overlay__ { x = <8>; }; }; };')).toEqual([
      'overlay/structure /fragment@0: fragment@0 has an __overlay__ but neither target nor target-path: fdtoverlay cannot place it (FDT_ERR_BADOVERLAY)',
      'overlay/structure /fragment@1:target: fragment@1: target is 8 bytes, not one phandle cell',
      "overlay/structure /__fixups__:foo: __fixups__/foo: '/fragment@0/__overlay__:x:4' points at byte 4 of x (4 bytes): not a whole cell inside it",
      "overlay/structure /__fixups__:foo: __fixups__/foo: '/fragment@0/__overlay__:y:0' names property y, which /fragment@0/__overlay__ does not have",
      "overlay/structure /__fixups__:foo: __fixups__/foo: '/nowhere:x:0' names /nowhere, which is not in the overlay",
      "overlay/structure /__fixups__:foo: __fixups__/foo: 'junk' is not path:property:offset",
      'overlay/structure /__local_fixups__/fragment@0/__overlay__:x: __local_fixups__: offset 8 of /fragment@0/__overlay__:x (4 bytes) is not a whole cell inside it',
    ]);
  });
});
