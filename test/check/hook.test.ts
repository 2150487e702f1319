/** `hook` (pre-commit) and `install-hook` on a git copy of ../shared/corpus/linux. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { git, gitCorpusCopy } from '../kernel/tree.js';

const hasShared = sharedOrExplain('hook tests (../shared/corpus/linux)');
const built = fs.existsSync(path.join(repoRoot, 'dist/cli.js'));

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

describe.skipIf(!hasShared || !built)('hook and install-hook in a Linux tree', () => {
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
    expect(r.stderr).toBe('');
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
