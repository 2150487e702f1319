/** The built CLI (dist/cli.js, made by `npm test`'s pretest): exit codes, formats, the bundled example. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasShared, repoRoot, sharedDir } from '../support/shared.js';

const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');
const built = fs.existsSync(path.join(repoRoot, 'dist/cli.js'));

function run(args: string[], cwd = repoRoot, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)('dtoverlay-check check (CLI)', () => {
  if (!built) console.warn('skipping CLI tests: dist/cli.js is not built (run `npm run build`)');

  it('with no arguments checks the bundled example and exits 0', () => {
    const r = run(['check']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^fixtures\/example\/lemans-mini\.dts \+ overlays\/lemans-mini-el2\.dtso: /m);
    expect(r.status).toBe(0);
  });

  it('exit 1 on errors, 0 with --fail-on never; warnings fail only with --fail-on warning', () => {
    const bad = ['check', 'fixtures/example/lemans-mini.dts', 'fixtures/check/missing-label.dtso'];
    expect(run(bad).status).toBe(1);
    expect(run([...bad, '--fail-on', 'never']).status).toBe(0);
    const warns = ['check', 'fixtures/check/warns.dts'];
    expect(run(warns).status).toBe(0);
    expect(run([...warns, '--fail-on', 'warning']).status).toBe(1);
  });

  it('exit 2 for usage errors and unreadable inputs', () => {
    expect(run(['check', '--format', 'yaml']).status).toBe(2);
    expect(run(['check', '--el', '3']).status).toBe(2);
    expect(run(['check', 'fixtures/check/nonexistent.dts']).status).toBe(2);
    expect(run(['check', '--soc', 'no-such-soc']).status).toBe(2);
  });

  it('writes json, sarif, github and html', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-cli-'));
    const bad = ['check', 'fixtures/example/lemans-mini.dts', 'fixtures/check/bad-iommus-arity.dtso'];
    const json = JSON.parse(run([...bad, '--format', 'json']).stdout);
    expect(json.diagnostics.some((d: { rule: string }) => d.rule === 'overlay/phandle-args')).toBe(true);
    expect(JSON.parse(run([...bad, '-f', 'sarif']).stdout).version).toBe('2.1.0');
    expect(run([...bad, '-f', 'github']).stdout).toMatch(/^::(error|warning) file=fixtures\/check\/bad-iommus-arity\.dtso,line=6,/m);
    const out = path.join(dir, 'r.html');
    const r = run([...bad, '-f', 'html', '-o', out]);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('text is coloured only when forced (not a TTY here) and never with NO_COLOR', () => {
    const args = ['check', 'fixtures/check/warns.dts'];
    expect(run(args).stdout).not.toMatch(/\x1b\[/);
    expect(run(args, repoRoot, { FORCE_COLOR: '1' }).stdout).toMatch(/\x1b\[/);
    expect(run(args, repoRoot, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toMatch(/\x1b\[/);
  });

  it('baseline: --update-baseline records findings, later runs report only new ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-baseline-'));
    const baseline = path.join(dir, 'baseline.json');
    const args = ['check', 'fixtures/check/warns.dts', '--fail-on', 'warning', '--baseline', baseline];
    expect(run(args).status).toBe(2); // no baseline file yet
    expect(run([...args, '--update-baseline']).status).toBe(0);
    const again = run(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/0 errors, 0 warnings, \d+ in baseline/);
  });

  it.skipIf(!hasShared)('inside a Linux tree: kbuild include prefixes and DTC_FLAGS without options', () => {
    const linux = path.join(sharedDir, 'corpus/linux');
    const r = run(['check', 'arch/arm64/boot/dts/qcom/lemans-evk.dts', 'arch/arm64/boot/dts/qcom/lemans-el2.dtso', '-f', 'json'], linux);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.stages.find((s: { name: string }) => s.name === 'apply').status).toBe('ran');
    // -Wno-unique_unit_address (kbuild's default) hides the pcie/pcie-ep pairs dtc's defaults report.
    expect(report.diagnostics.some((d: { rule: string }) => d.rule === 'dtc/unique_unit_address')).toBe(false);
    expect(report.stages.find((s: { name: string }) => s.name === 'schema').note).toMatch(/--bindings Documentation\/devicetree\/bindings/);
  });
});
