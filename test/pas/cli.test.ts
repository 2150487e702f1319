/** `dtoverlay-check simulate`: formats, exit codes, sources and blobs, and the Lemans composition from the corpus. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/dtc-wasm/index.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { corpusLinux, qcomDir } from './support.js';

const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');
const board = path.join(repoRoot, 'fixtures/pas/generic-board.dts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-cli-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Checks a JSON report against the published schema. */
async function expectValid(text: string, clean = true): Promise<void> {
  const { default: AjvModule } = await import('ajv');
  const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs/rules/pas/simulation.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const json = JSON.parse(text) as { diagnostics: unknown[] };
  expect(validate(json), JSON.stringify(validate.errors, null, 1)).toBe(true);
  // a clean report may still carry notes; one that is not clean has findings
  expect(clean || json.diagnostics.length > 0, 'findings expected').toBe(true);
}

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, 'simulate', ...args], { cwd: work, encoding: 'utf8' });
}

describe('dtoverlay-check simulate', () => {
  it('prints { diagnostics, simulation } as JSON, valid against docs/rules/pas/simulation.schema.json', async () => {
    const r = run([board, '--format', 'json']);
    expect(r.status).toBe(0);
    await expectValid(r.stdout);
    await expectValid(run([board, '--el', '2', '--order', 'pairs', '--format', 'json']).stdout);
    await expectValid(run([board, path.join(repoRoot, 'fixtures/pas/global-interrupts-present.dtso'), '--format', 'json']).stdout, false);
    const json = JSON.parse(r.stdout) as { diagnostics: unknown[]; simulation: { el: number; smmus: { entries: unknown[] }[]; remoteprocs: unknown[] } };
    expect(Array.isArray(json.diagnostics)).toBe(true);
    expect(json.simulation.el).toBe(1);
    expect(json.simulation.smmus[0].entries).toHaveLength(3);
    expect(json.simulation.remoteprocs).toHaveLength(1);
  });

  it('text: findings in gcc style with the rule id, then the SID map and the steps', () => {
    const r = run([board, '--el', '2']);
    expect(r.status).toBe(0); // the missing iommus of a remoteproc no profile requires is a warning
    expect(r.stdout).toMatch(/^\S*generic-board\.dts:\d+:\d+: warning: .*\[pas\/el2-remoteproc-missing-iommus\]$/m);
    expect(r.stdout).toMatch(/^smmu \(\/iommu@15000000\): 3\/128 SMRs/m);
    expect(r.stdout).toMatch(/^B13 +qcom_scm_pas_prepare_and_auth_reset +fail/m);
    expect(run([board, '--el', '2', '--fail-on', 'warning']).status).toBe(1);
  });

  it('svg and html draw the SID map', () => {
    const svg = run([board, '--format', 'svg', '-o', 'map.svg']);
    expect(svg.status).toBe(0);
    const text = fs.readFileSync(path.join(work, 'map.svg'), 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('0x01xx');
    const html = run([board, '--format', 'html']);
    expect(html.stdout).toMatch(/^<!doctype html>/i);
    expect(html.stdout).toContain('<table class="steps">');
    expect(html.stdout.match(/ id="hatch"/g)).toHaveLength(1);
  });

  it('--smmu overrides a parameter: two context banks, one reserved by the EL1 bypass quirk, are too few', () => {
    const r = run([board, '--smmu', 'smmu.numContextBanks=2', '--format', 'json']);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as { diagnostics: { rule: string; path?: string }[]; simulation: { soc: string; lacking: string[] } };
    expect(json.diagnostics.filter((d) => d.rule === 'pas/context-bank-budget').map((d) => d.path)).toEqual(['/dma-controller@900000', '/pcie@1c00000']);
    expect(json.simulation.lacking.join()).toMatch(/no SoC profile/);
    expect(run([board, '--smmu', 'smmu.colour=red']).status).toBe(2);
  });

  it('usage errors exit 2', () => {
    expect(run([board, '--el', '3']).status).toBe(2);
    expect(run([board, '--format', 'sarif']).status).toBe(2);
    expect(run([board, '--soc', 'nosuch']).status).toBe(2);
    expect(run([board, '--fail-on', 'loud']).status).toBe(2);
  });

  it('a merged blob works: findings carry node paths but no spans', () => {
    expect(runTool('dtc', ['-@', '-I', 'dts', '-O', 'dtb', '-o', 'board.dtb', board], { cwd: work }).status).toBe(0);
    const r = run(['board.dtb', '--el', '2', '--format', 'json']);
    const json = JSON.parse(r.stdout) as { diagnostics: { path?: string; span?: unknown; rule: string }[] };
    const missing = json.diagnostics.find((d) => d.rule === 'pas/el2-remoteproc-missing-iommus')!;
    expect(missing.path).toBe('/remoteproc@30000000');
    expect(missing.span).toBeUndefined();
  });
});

describe.runIf(sharedOrExplain('simulate CLI on the Lemans corpus'))('dtoverlay-check simulate on Lemans', () => {
  const include = ['--cpp', '-i', path.join(corpusLinux, 'include'), '-i', qcomDir];
  const evk = path.join(qcomDir, 'lemans-evk.dts');
  const el2 = path.join(qcomDir, 'lemans-el2.dtso');

  it('lemans-evk + lemans-el2: exit 0, EL2, the five remoteprocs boot', () => {
    const r = run([evk, el2, ...include, '--format', 'json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { simulation: { el: number; soc: string; remoteprocs: { label: string; outcome: string }[] } };
    expect(json.simulation).toMatchObject({ el: 2, soc: 'sa8775p' });
    expect(json.simulation.remoteprocs.map((rp) => `${rp.label} ${rp.outcome}`)).toEqual([
      'remoteproc_gpdsp0 boots',
      'remoteproc_gpdsp1 boots',
      'remoteproc_cdsp0 boots',
      'remoteproc_cdsp1 boots',
      'remoteproc_adsp boots',
    ]);
  });

  it('lemans-evk at --el 2 without the overlay: exit 1, five errors pointing at the board lines', () => {
    const r = run([evk, ...include, '--el', '2', '-q']);
    expect(r.status).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.includes(': error: '));
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toMatch(/lemans-evk\.dts:\d+:\d+: error: remoteproc_\w+ .*\[pas\/el2-remoteproc-missing-iommus\]$/);
  });

  it('an overlay with a label the base lacks: pas/overlay-labels-exist at the overlay line, exit 1', () => {
    const r = run([evk, path.join(repoRoot, 'fixtures/pas/overlay-labels-exist.dtso'), ...include]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/overlay-labels-exist\.dtso:7:\d+: error: .*gpu_zap_shadr.*\[pas\/overlay-labels-exist\]/);
  });
});

describe('dtoverlay-check simulate: no profile, SMMUv3 ranges (issue 16)', () => {
  const v3Base = path.join(repoRoot, 'fixtures/pas/smmu-v3.dts');
  const overlap = path.join(repoRoot, 'fixtures/pas/map-sid-overlap.dtso');

  it('says in the text and HTML summary that no profile matched, and what that skips', () => {
    const text = run([board]);
    expect(text.stdout).toMatch(/SoC profile none \(no profile matches the root compatibles: .*RP-05, RP-13, RP-14, RP-15 .*skipped, RP-01 only a warning\); probe order/);
    const html = run([board, '--format', 'html']);
    expect(html.stdout).toMatch(/SoC profile <b>none<\/b> \(no profile matches the root compatibles: [^<]*RP-05/);
  });

  it('shows each SMMUv3 with its PCIe ranges in text, HTML and JSON', async () => {
    const text = run([v3Base, overlap]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^pcie_smmu \(\/iommu@15400000\): SMMUv3, 32-bit stream IDs, 2 range\(s\)$/m);
    expect(text.stdout).toMatch(/^0x30000–0x3ffff +0x0000–0xffff +iommu-map +pcie4 +pas\/map-sid-overlap$/m);
    const html = run([v3Base, overlap, '--format', 'html']);
    expect(html.stdout).toContain('<table class="ranges">');
    // Both host bridges' ranges are the conflict the finding on pcie4 reports; its row links to the card.
    expect(html.stdout).toContain('<tr id="smmu-pcie_smmu-range-0" data-conflict="true"><td><code>0x30000–0x3ffff</code></td><td><code>0x0000–0xffff</code></td><td>iommu-map</td><td>pcie3</td><td> <a href="#f-1">finding</a></td></tr>');
    expect(html.stdout).toContain('<td>pcie4</td><td>pas/map-sid-overlap <a href="#f-1">finding</a></td>');
    expect(html.stdout).toMatch(/<div class="conflict-banner" data-conflict="true">.*<b>pcie4<\/b> and <b>pcie3<\/b>/);
    const json = run([v3Base, overlap, '--format', 'json']);
    await expectValid(json.stdout, false);
    const smmu = JSON.parse(json.stdout).simulation.smmus.find((s: { label?: string }) => s.label === 'pcie_smmu');
    expect(smmu).toMatchObject({ smmuV3: true, armSmmu: false, assumed: ['sidBits=32'] });
  });
});
