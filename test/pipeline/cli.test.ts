/** The built CLI (dist/cli.js, built by vitest's global setup): exit codes, formats, the bundled example. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');

function run(args: string[], cwd = repoRoot, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dtoverlay-check check (CLI)', () => {

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

  it.runIf(sharedOrExplain('check inside the corpus Linux tree'))('inside a Linux tree: kbuild include prefixes and DTC_FLAGS without options', () => {
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

describe('check --new-since REV and --only-overlay (CLI)', () => {
  const temporary: string[] = [];
  afterAll(() => {
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  });
  /** The bundled example committed to a fresh git repository (base.dts, el2.dtso). */
  function exampleRepo(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-since-'));
    temporary.push(dir);
    fs.copyFileSync(path.join(repoRoot, 'fixtures/example/lemans-mini.dts'), path.join(dir, 'base.dts'));
    fs.copyFileSync(path.join(repoRoot, 'overlays/lemans-mini-el2.dtso'), path.join(dir, 'el2.dtso'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'example');
    return dir;
  }
  const edit = (file: string, from: string, to: string) => {
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(from);
    fs.writeFileSync(file, text.replace(from, to));
  };

  it('reports and fails only on findings introduced since REV; moved lines are not new', () => {
    const dir = exampleRepo();
    const args = ['check', 'base.dts', 'el2.dtso', '--new-since', 'HEAD', '-f', 'json'];
    const clean = run(args, dir);
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout).diagnostics).toEqual([]);
    expect(clean.stderr).toBe('1 finding already in HEAD, not blocking\n');
    // Lines inserted above every existing finding, and cdsp1 given cdsp0's stream-match entry.
    edit(path.join(dir, 'el2.dtso'), '/dts-v1/;', '/dts-v1/;\n/* moved */\n/* down */');
    edit(path.join(dir, 'el2.dtso'), 'iommus = <&apps_smmu 0x29c0 0x0400>;', 'iommus = <&apps_smmu 0x21c0 0x0400>;');
    const r = run(args, dir);
    expect(r.status).toBe(1);
    const diagnostics = JSON.parse(r.stdout).diagnostics as { rule: string; severity: string; span: { file: string; line: number } }[];
    // One mistake, one finding: the collision at the edited line (the DMA-masters note was already there).
    expect(diagnostics.map((d) => `${d.severity} ${d.rule} ${d.span.file}:${d.span.line}`)).toEqual(['error pas/overlay-sid-collision el2.dtso:20']);
    expect(r.stderr).toBe('1 finding already in HEAD, not blocking\n');
    // Without --new-since the old finding is there again.
    expect(JSON.parse(run(args.slice(0, 3).concat('-f', 'json'), dir).stdout).diagnostics.length).toBe(diagnostics.length + 1);
  });

  it('exit 2 when REV is not a revision or the folder is not in git', () => {
    const dir = exampleRepo();
    const bad = run(['check', 'base.dts', 'el2.dtso', '--new-since', 'no-such-rev'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--new-since no-such-rev: not a revision of the git repository/);
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-nogit-'));
    temporary.push(plain);
    fs.copyFileSync(path.join(dir, 'base.dts'), path.join(plain, 'base.dts'));
    const nogit = run(['check', 'base.dts', '--new-since', 'HEAD'], plain);
    expect(nogit.status).toBe(2);
    expect(nogit.stderr).toMatch(/--new-since HEAD: .* is not in a git repository/);
  });

  it('--only-overlay keeps only findings located in the overlays', () => {
    const dir = exampleRepo();
    // A warning in the base (dtc: a node with reg and no unit address).
    const base = path.join(dir, 'base.dts');
    const text = fs.readFileSync(base, 'utf8');
    const end = text.lastIndexOf('\n};');
    fs.writeFileSync(base, `${text.slice(0, end)}\n\tstray {\n\t\treg = <0 1 0 1>;\n\t};${text.slice(end)}`);
    const all = JSON.parse(run(['check', 'base.dts', 'el2.dtso', '-f', 'json'], dir).stdout).diagnostics as { span?: { file: string } }[];
    expect(all.some((d) => d.span?.file === 'base.dts')).toBe(true);
    const only = JSON.parse(run(['check', 'base.dts', 'el2.dtso', '--only-overlay', '-f', 'json'], dir).stdout).diagnostics as { span?: { file: string } }[];
    expect(only.length).toBe(all.filter((d) => d.span?.file === 'el2.dtso').length);
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((d) => d.span?.file === 'el2.dtso')).toBe(true);
    expect(run(['check', 'base.dts', '--only-overlay'], dir).status).toBe(2);
  });
});
