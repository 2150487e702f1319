/**
 * Review mode on a patch that adds the EL2 overlay (lemans-el2.dtso and its three Makefile
 * composition lines) to a git copy of ../shared/corpus/linux that lacks them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReview } from '../../src/review/review.js';
import { isMbox } from '../../src/review/worktree.js';
import { formatJson } from '../../src/report/json.js';
import { outputSchemaErrors } from '../report/output-schema.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { git, gitCorpusCopy } from '../kernel/tree.js';

const hasShared = sharedOrExplain('review-mode tests (../shared/corpus/linux)');
const QCOM = 'arch/arm64/boot/dts/qcom';

/** The corpus without the EL2 overlay, committed; returns the repo and an mbox patch that adds it. */
function repoAndPatch(): { repo: string; patch: string; head: string } {
  const repo = gitCorpusCopy();
  const makefile = path.join(repo, QCOM, 'Makefile');
  const full = fs.readFileSync(makefile, 'utf8');
  const overlay = fs.readFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'));
  fs.writeFileSync(makefile, full.split('\n').filter((l) => !/lemans-evk-el2|qcs9100-ride-el2|qcs9100-ride-r3-el2/.test(l)).join('\n'));
  fs.rmSync(path.join(repo, QCOM, 'lemans-el2.dtso'));
  git(repo, 'commit', '-q', '-a', '-m', 'drop the EL2 overlay');
  const head = git(repo, 'rev-parse', 'HEAD').trim();
  fs.writeFileSync(makefile, full);
  fs.writeFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'), overlay);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'arm64: dts: qcom: lemans: add an EL2 overlay');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-patch-'));
  git(repo, 'format-patch', '-q', '-1', '-o', out);
  git(repo, 'reset', '-q', '--hard', head);
  const patch = path.join(out, fs.readdirSync(out)[0]);
  return { repo, patch, head };
}

describe.skipIf(!hasShared)('review PATCH --tree LINUX', () => {
  let repo = '';
  let patch = '';
  let head = '';
  beforeAll(() => {
    ({ repo, patch, head } = repoAndPatch());
  });
  afterAll(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
    if (patch) fs.rmSync(path.dirname(patch), { recursive: true, force: true });
  });

  it('reports the five new iommus in each new EL2 composition and no new errors; the tree is untouched', async () => {
    expect(isMbox(fs.readFileSync(patch, 'utf8'))).toBe(true);
    const { report, boards } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    expect(boards.map((b) => `${b.name} ${b.status}`).sort()).toEqual(['lemans-evk-el2 new', 'qcs9100-ride-el2 new', 'qcs9100-ride-r3-el2 new']);
    const evk = boards.find((b) => b.name === 'lemans-evk-el2');
    expect(evk?.comparedWith).toBe('lemans-evk before the patch');
    const iommus = (evk?.diff?.properties ?? []).filter((c) => c.property === 'iommus');
    expect(iommus.map((c) => `${c.change} ${c.path} ${c.after}`).sort()).toEqual([
      'added /soc@0/remoteproc@20c00000 <&apps_smmu 0x38a0 0x00>',
      'added /soc@0/remoteproc@21c00000 <&apps_smmu 0x38c0 0x00>',
      'added /soc@0/remoteproc@26300000 <&apps_smmu 0x21c0 0x400>',
      'added /soc@0/remoteproc@2a300000 <&apps_smmu 0x29c0 0x400>',
      'added /soc@0/remoteproc@30000000 <&apps_smmu 0x3000 0x00>',
    ]);
    // The spans point into the user's tree, not the temporary worktree.
    expect(iommus[0].span?.file).toBe(path.join(path.resolve(repo), QCOM, 'lemans-el2.dtso'));
    expect(report.summary.errors).toBe(0);
    expect(outputSchemaErrors(JSON.parse(formatJson(report)))).toBe('');
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // The patch fixes the EL2 findings on the bare base (remoteprocs without iommus).
    expect(evk?.fixed.filter((d) => d.rule === 'pas/el2-remoteproc-missing-iommus')).toHaveLength(5);
    // Never modified: same HEAD, clean status, no worktree left.
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!fs.existsSync(path.join(repoRoot, 'dist/cli.js')))('CLI: text shows the diff per board; a patch that does not apply exits 2', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), 'review', ...args], { cwd: repoRoot, encoding: 'utf8' });
    const r = cli(patch, '--tree', repo, '--el', '2');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^== lemans-evk-el2: new, compared with lemans-evk before the patch; /m);
    expect(r.stdout).toMatch(/^\+ \/soc@0\/remoteproc@30000000:iommus = <&apps_smmu 0x3000 0x00>  \(.*lemans-el2\.dtso:22\)$/m);
    const bad = path.join(path.dirname(patch), 'bad.patch');
    fs.writeFileSync(bad, 'diff --git a/nothing b/nothing\n--- a/nothing\n+++ b/nothing\n@@ -1 +1 @@\n-x\n+y\n');
    const failed = cli(bad, '--tree', repo);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/does not apply/);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });
});
