/** `hook` (pre-commit) and `install-hook` on git copies of ../shared/corpus/linux and ../shared/kernel-dt. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { git, gitCorpusCopy, linkedKernelTree } from '../kernel/tree.js';

const hasShared = sharedOrExplain('hook tests (../shared/corpus/linux)');

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `cli`, without blocking the test worker for the tens of seconds a hook run over many boards takes. */
function cliAsync(cwd: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return cliAsyncWith(cwd, process.env, ...args);
}

function cliAsyncWith(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('.pre-commit-hooks.yaml', () => {
  it('declares a node hook on device-tree and binding files', () => {
    const hooks = yaml.load(fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ id: 'dtoverlay-check', language: 'node', entry: 'dtoverlay-check hook' });
    const files = new RegExp(hooks[0].files as string);
    for (const f of ['a.dts', 'b.dtsi', 'c.dtso', 'Documentation/devicetree/bindings/x.yaml']) expect(files.test(f)).toBe(true);
    expect(files.test('main.c')).toBe(false);
  });
});

describe('hook outside a Linux tree: each staged source on its own, compared with HEAD', () => {
  let repo = '';
  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-hook-plain-'));
    fs.copyFileSync(path.join(repoRoot, 'fixtures/check/warns.dts'), path.join(repo, 'a.dts'));
  });
  afterAll(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  it('outside git every finding blocks, with a note; in git a finding moved down by a staged edit does not', () => {
    const plain = cli(repo, 'hook', 'a.dts', '--fail-on', 'warning');
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('not in a git repository: every finding blocks (as --all)');
    expect(plain.stderr).toContain('git commit --no-verify');
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'a');
    const text = fs.readFileSync(path.join(repo, 'a.dts'), 'utf8');
    fs.writeFileSync(path.join(repo, 'a.dts'), `/* moved */\n${text}`);
    // a staged binding and a staged include are not compiled on their own outside a Linux tree
    fs.writeFileSync(path.join(repo, 'binding.yaml'), 'title: not a device tree {\n');
    fs.writeFileSync(path.join(repo, 'part.dtsi'), '&undefined_label { status = "okay"; };\n');
    git(repo, 'add', '-A');
    const staged = cli(repo, 'hook', '--fail-on', 'warning');
    expect(staged.stderr).toBe('');
    expect(staged.status).toBe(0);
    expect(staged.stdout).toMatch(/0 errors, 0 warnings\n1 finding already in HEAD, not blocking\n$/);
    expect(cli(repo, 'hook', '--fail-on', 'warning', '--all').status).toBe(1);
  });

  it("HEAD's findings come from the cache by tree id: a poisoned entry shows the copy of HEAD was not checked again", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-hook-cache-'));
    const env = { ...process.env, DTOVERLAY_CHECK_CACHE: cache };
    const run = () => spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'hook', '--fail-on', 'warning'], { cwd: repo, encoding: 'utf8', env });
    try {
      // a staged edit moving the finding down: 1 finding already at HEAD, as in the test above
      const text = fs.readFileSync(path.join(repo, 'a.dts'), 'utf8');
      fs.writeFileSync(path.join(repo, 'a.dts'), `/* moved again */\n${text}`);
      git(repo, 'add', '-A');
      const first = run();
      expect(first.stdout).toMatch(/1 finding already in HEAD, not blocking\n$/);
      // HEAD's tree is cached (one run: a.dts checked alone)
      expect(fs.readdirSync(path.join(cache, 'hook'))).toHaveLength(1);
      // Emptied entry: HEAD then had no findings, so the staged one is new and blocks.
      for (const e of fs.readdirSync(path.join(cache, 'hook'))) fs.writeFileSync(path.join(cache, 'hook', e), fs.readFileSync(path.join(cache, 'hook', e), 'utf8').replace(/"diagnostics":\[.*\]\}$/, '"diagnostics":[]}'));
      const poisoned = run();
      expect(poisoned.status).toBe(1);
      expect(poisoned.stdout).toMatch(/\n0 findings already in HEAD, not blocking\n$/);
      // With the cache off, HEAD is checked out and checked: the finding is old again.
      const off = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'hook', '--fail-on', 'warning'], { cwd: repo, encoding: 'utf8', env: { ...process.env, DTOVERLAY_CHECK_CACHE: 'off' } });
      expect(off.status).toBe(0);
      expect(off.stdout).toMatch(/1 finding already in HEAD, not blocking\n$/);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasShared)('hook and install-hook in a Linux tree', () => {
  let repo = '';
  beforeAll(() => {
    repo = gitCorpusCopy();
  });
  afterAll(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  it('checks only the boards and compositions the staged files affect', () => {
    const dtsi = path.join(repo, 'arch/arm64/boot/dts/qcom/lemans-ride-ethernet-aqr115c.dtsi');
    fs.appendFileSync(dtsi, '\n/* staged change */\n');
    git(repo, 'add', dtsi);
    const r = cli(repo, 'hook', '-f', 'json', '-j', '1');
    // JSON on stdout; the count of findings already at HEAD on stderr.
    expect(r.stderr).toMatch(/^\d+ findings? already in HEAD, not blocking\n$/);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.command).toBe('hook');
    expect(report.boards.map((b: { name: string }) => b.name).sort()).toEqual(['qcs9100-ride-r3', 'qcs9100-ride-r3-el2']);
  });

  it('install-hook writes an executable pre-commit hook and does not overwrite one without --force', () => {
    const r = cli(repo, 'install-hook');
    expect(r.status).toBe(0);
    const file = path.join(repo, '.git/hooks/pre-commit');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^#!\/bin\/sh\n/);
    expect(text).toMatch(/bin\/dtoverlay-check\.js" hook$/m);
    expect(fs.statSync(file).mode & 0o111).not.toBe(0);
    expect(cli(repo, 'install-hook').status).toBe(2);
    expect(cli(repo, 'install-hook', '--force').status).toBe(0);
  });
});

describe.skipIf(!hasShared)('hook blocks only on what the staged change introduces (kernel-dt as a Linux tree)', () => {
  let repo = '';
  const qcom = () => path.join(repo, 'arch/arm64/boot/dts/qcom');
  beforeAll(() => {
    repo = linkedKernelTree();
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'kernel-dt');
  });
  afterAll(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });
  afterEach(() => {
    git(repo, 'reset', '-q', '--hard');
    git(repo, 'clean', '-q', '-fd');
  });
  /** Replaces the first `from` in a file of the qcom folder; returns the 1-based line it was on. */
  const edit = (file: string, from: string, to: string): number => {
    const full = path.join(qcom(), file);
    const text = fs.readFileSync(full, 'utf8');
    const at = text.indexOf(from);
    expect(at).toBeGreaterThanOrEqual(0);
    fs.writeFileSync(full, text.slice(0, at) + to + text.slice(at + from.length));
    return text.slice(0, at).split('\n').length;
  };

  it('a harmless staged edit to sc7180.dtsi passes; the findings already in HEAD are counted, and unstaged edits are not checked', async () => {
    // A comment and a new property above most of the file: every finding below moves down two lines.
    edit('sc7180.dtsi', '\n/ {\n', '\n/* staged: harmless */\n/ {\n');
    edit('sc7180.dtsi', '\tcpus {\n', '\tcpus {\n\t\tqcom,harmless-test;\n');
    git(repo, 'add', '-A');
    // Not staged, so not part of the commit: a syntax error the hook must not see.
    fs.appendFileSync(path.join(qcom(), 'sc7180.dtsi'), '\n/ { broken\n');
    const r = await cliAsync(repo, 'hook');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const last = r.stdout.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/^(\d+) findings? already in HEAD, not blocking$/);
    expect(Number(/^\d+/.exec(last!)![0])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/sc7180-trogdor-lazor-r1 +checked +0 +0/);
  });

  it('a staged lemans-el2.dtso change giving cdsp1 the SID of cdsp0 is blocked, at the edited line', async () => {
    const line = edit('lemans-el2.dtso', 'iommus = <&apps_smmu 0x29c0 0x0400>;', 'iommus = <&apps_smmu 0x21c0 0x0400>;');
    git(repo, 'add', '-A');
    const r = await cliAsync(repo, 'hook', '-f', 'json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.command).toBe('hook');
    const errors = report.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    // One mistake, one error: at the edited line, on each of the three compositions (merged into one).
    expect(errors.map((d: { rule: string; span?: { file: string; line: number } }) => `${d.rule} ${d.span?.file}:${d.span?.line}`)).toEqual([`pas/overlay-sid-collision arch/arm64/boot/dts/qcom/lemans-el2.dtso:${line}`]);
    expect(errors[0].message).toMatch(/also set by an overlay/);
    expect(errors[0].message).not.toMatch(/in the base tree/);
    // Nothing that was already there is reported: the findings in lemans.dtsi are counted instead.
    expect(report.diagnostics.filter((d: { span?: { file: string } }) => d.span?.file.endsWith('lemans.dtsi'))).toEqual([]);
    expect(r.stderr).toMatch(/^[1-9]\d* findings? already in HEAD, not blocking$/m);
    expect(r.stderr).toContain('git commit --no-verify');
    expect(r.stderr).toMatch(/--baseline \S+ --update-baseline/);
  });

  it('a staged mistake undone only in the working tree still blocks: what is staged is checked', async () => {
    const line = edit('lemans-el2.dtso', 'iommus = <&apps_smmu 0x29c0 0x0400>;', 'iommus = <&apps_smmu 0x21c0 0x0400>;');
    git(repo, 'add', '-A');
    edit('lemans-el2.dtso', 'iommus = <&apps_smmu 0x21c0 0x0400>;', 'iommus = <&apps_smmu 0x29c0 0x0400>;');
    // an unstaged edit nothing reads does not matter either way
    fs.appendFileSync(path.join(repo, 'arch/arm64/boot/dts/qcom/notes.txt'), 'unstaged\n');
    const r = await cliAsync(repo, 'hook', '-f', 'json');
    expect(r.status).toBe(1);
    const errors = JSON.parse(r.stdout).diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    expect(errors.map((d: { rule: string; span?: { file: string; line: number } }) => `${d.rule} ${d.span?.file}:${d.span?.line}`)).toEqual([`pas/overlay-sid-collision arch/arm64/boot/dts/qcom/lemans-el2.dtso:${line}`]);
  });

  it('a file the working tree has but the index lacks (ignored by git) is not read: the staged include is missing', async () => {
    fs.writeFileSync(path.join(qcom(), '.gitignore'), 'local-extra.dtsi\n');
    fs.writeFileSync(path.join(qcom(), 'local-extra.dtsi'), '/ { };\n');
    const text = fs.readFileSync(path.join(qcom(), 'lemans-el2.dtso'), 'utf8');
    fs.writeFileSync(path.join(qcom(), 'lemans-el2.dtso'), text.replace('/plugin/;\n', '/plugin/;\n#include "local-extra.dtsi"\n'));
    git(repo, 'add', '-A');
    expect(git(repo, 'status', '--porcelain', '--ignored')).toContain('!! arch/arm64/boot/dts/qcom/local-extra.dtsi');
    const r = await cliAsync(repo, 'hook');
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('local-extra.dtsi');
    expect(r.stdout + r.stderr).toMatch(/No such file|not found|cannot|missing/i);
  });

  it('--fail-on info: existing notes do not block, --all blocks on them', async () => {
    fs.appendFileSync(path.join(qcom(), 'lemans-el2.dtso'), '\n/* staged: harmless */\n');
    git(repo, 'add', '-A');
    const compared = await cliAsync(repo, 'hook', '--fail-on', 'info');
    expect(compared.status).toBe(0);
    expect(compared.stdout).toMatch(/[1-9]\d* findings? already in HEAD, not blocking\n$/);
    const all = await cliAsync(repo, 'hook', '--fail-on', 'info', '--all');
    expect(all.status).toBe(1);
    expect(all.stdout).toMatch(/lemans-el2\.dtso:\d+:\d+: info: .*\[pas\/remoteproc-dma-masters\]/);
    expect(all.stdout).not.toContain('already in HEAD');
    expect(all.stderr).toContain('git commit --no-verify');
  });

  it('a staged .dtso that no Makefile target builds is checked on its own, with the kernel\'s includes and a note; no temporary folder is left', async () => {
    const file = path.join(qcom(), 'unbuilt-test.dtso');
    // <dt-bindings/…> resolves only through the kernel's include prefixes
    fs.writeFileSync(file, '/dts-v1/;\n/plugin/;\n#include <dt-bindings/gpio/gpio.h>\n&{/} {\n\tnode {\n\t\tprop = <GPIO_ACTIVE_LOW>;\n\t\tprop = <2>;\n\t};\n};\n');
    git(repo, 'add', '-A');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-hook-tmp-'));
    try {
      const r = await cliAsyncWith(repo, { ...process.env, TMPDIR: tmp }, 'hook', '-f', 'json');
      expect(r.stderr).toContain('note: arch/arm64/boot/dts/qcom/unbuilt-test.dtso is built by no Makefile target: checked on its own');
      expect(r.stderr).toMatch(/^0 findings already in HEAD, not blocking$/m);
      expect(r.status).toBe(1);
      const report = JSON.parse(r.stdout);
      // the tree, then the source checked alone, in the user's tree (not the staged copy)
      expect(report.inputs).toEqual([repo, file]);
      const errors = report.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
      expect(errors.map((d: { rule: string; span?: { file: string; line: number } }) => `${d.span?.file}:${d.span?.line}`)).toEqual(['arch/arm64/boot/dts/qcom/unbuilt-test.dtso:6']);
      expect(errors[0].message).toMatch(/duplicate/i);
      // the staged copy of HEAD, HEAD's copy and the include-prefix folders are all removed
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
