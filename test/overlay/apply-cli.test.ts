/** `dtoverlay-check apply`: drop-in for fdtoverlay on blobs, sources accepted, failures explained. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/dtc-wasm/index.js';
import { repoRoot } from '../support/shared.js';
import { tempDir } from './support.js';

const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');
const base = path.join(repoRoot, 'fixtures/example/lemans-mini.dts');
const el2 = path.join(repoRoot, 'overlays/lemans-mini-el2.dtso');
const work = tempDir('apply-cli-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' });
}

function fdtoverlayOnSources(baseSrc: string, overlaySrcs: string[]): { status: number; blob?: Buffer; stderr: string } {
  const dtc = (src: string, out: string) => expect(runTool('dtc', ['-@', '-I', 'dts', '-O', 'dtb', '-o', out, src], { cwd: work }).status).toBe(0);
  dtc(baseSrc, 'ref-base.dtb');
  overlaySrcs.forEach((s, i) => dtc(s, `ref-ov${i}.dtbo`));
  fs.rmSync(path.join(work, 'ref-out.dtb'), { force: true });
  const r = runTool('fdtoverlay', ['-i', 'ref-base.dtb', '-o', 'ref-out.dtb', ...overlaySrcs.map((_, i) => `ref-ov${i}.dtbo`)], { cwd: work });
  return { status: r.status, stderr: r.stderr.toString(), blob: r.status === 0 ? fs.readFileSync(path.join(work, 'ref-out.dtb')) : undefined };
}

describe('dtoverlay-check apply', () => {
  it('on sources gives the bytes of dtc -@ + fdtoverlay, and the same dts as dtc -I dtb -O dts', () => {
    const ours = run(['apply', base, el2, '-o', 'merged.dtb']);
    expect(ours.stderr).toBe('');
    expect(ours.status).toBe(0);
    const ref = fdtoverlayOnSources(base, [el2]);
    expect(fs.readFileSync(path.join(work, 'merged.dtb')).equals(ref.blob!)).toBe(true);
    const dts = run(['apply', base, el2, '-O', 'dts']);
    expect(dts.status).toBe(0);
    expect(dts.stdout).toBe(runTool('dtc', ['-I', 'dtb', '-O', 'dts', 'ref-out.dtb'], { cwd: work }).stdout.toString());
  });

  it('on blobs is a drop-in for fdtoverlay', () => {
    fdtoverlayOnSources(base, [el2]);
    const ours = run(['apply', 'ref-base.dtb', 'ref-ov0.dtbo', '-o', 'from-blobs.dtb']);
    expect(ours.status).toBe(0);
    expect(fs.readFileSync(path.join(work, 'from-blobs.dtb')).equals(fs.readFileSync(path.join(work, 'ref-out.dtb')))).toBe(true);
  });

  it('a missing label: names the label and the overlay line, suggests, writes nothing', () => {
    const overlay = path.join(repoRoot, 'fixtures/overlay/missing-label.dtso');
    const ref = fdtoverlayOnSources(base, [overlay]);
    expect(ref.status).not.toBe(0);
    const ours = run(['apply', base, overlay, '-o', 'never.dtb']);
    expect(ours.status).toBe(1);
    expect(ours.stderr).toContain(`${overlay}:6:12: error:`);
    expect(ours.stderr).toContain("label 'apps_smmuu'");
    expect(ours.stderr).toContain("did you mean 'apps_smmu'?");
    expect(ours.stderr).toContain('[FDT_ERR_NOTFOUND]');
    expect(ours.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(work, 'never.dtb'))).toBe(false);
  });

  it('a wrong iommus arity: warns at the overlay line with provider, expected and found, and still writes the output', () => {
    const overlay = path.join(repoRoot, 'fixtures/overlay/iommus-arity.dtso');
    const ours = run(['apply', base, overlay, '-o', 'arity.dtb']);
    expect(ours.status).toBe(0);
    const lines = ours.stderr.split('\n').filter((l) => l.includes('Warning'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${overlay.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6\\.2-\\d+: Warning \\(overlay_phandle_args\\): /soc@0/remoteproc@30000000:iommus:`));
    expect(lines[0]).toContain('/soc@0/iommu@15000000 (#iommu-cells = <2>)');
    expect(lines[0]).toContain('has 1 argument cell; expected 2');
    const ref = fdtoverlayOnSources(base, [overlay]);
    expect(fs.readFileSync(path.join(work, 'arity.dtb')).equals(ref.blob!)).toBe(true);
  });

  it('refuses to overwrite an input and rejects a missing file with exit status and no stack', () => {
    fdtoverlayOnSources(base, [el2]);
    const clobber = run(['apply', 'ref-base.dtb', 'ref-ov0.dtbo', '-o', 'ref-base.dtb']);
    expect(clobber.status).toBe(2);
    expect(clobber.stderr).toContain('refusing to overwrite input');
    // an input error (exit 2, as every command), not fdtoverlay's status 1
    const missing = run(['apply', 'nope.dtb', 'ref-ov0.dtbo', '-o', 'x.dtb']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.dtb cannot be read');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('dtoverlay-check apply -O json', () => {
  it('gives the merged tree with each value attributed to the base or the overlay line', () => {
    const overlay = path.join(repoRoot, 'fixtures/overlay/iommus-arity.dtso');
    const r = run(['apply', base, overlay, '-O', 'json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.diagnostics).toHaveLength(1);
    expect(json.diagnostics[0]).toMatchObject({ rule: 'overlay/phandle-args', path: '/soc@0/remoteproc@30000000', property: 'iommus', span: { file: overlay, line: 6 } });
    type JNode = { name: string; children: JNode[]; properties: { name: string; spans: { file: string; line: number }[] }[] };
    const find = (node: JNode, names: string[]): JNode => (names.length ? find(node.children.find((c) => c.name === names[0])!, names.slice(1)) : node);
    const adsp = find(json.tree.root, ['soc@0', 'remoteproc@30000000']);
    expect(adsp.properties.find((p) => p.name === 'iommus')!.spans.at(-1)).toMatchObject({ file: overlay, line: 6 });
    expect(adsp.properties.find((p) => p.name === 'compatible')!.spans.at(-1)).toMatchObject({ file: base });
  });
});
