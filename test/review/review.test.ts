/**
 * Review mode on real upstream files: a git copy of ../shared/corpus/linux (lemans boards, the EL2
 * overlay and the qcom Makefile) and patches to it. Every patch below is about lemans-el2.dtso, so
 * the findings it introduces or fixes are about the patch itself and are asserted in full, per
 * board, with the line they point at.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { runReview } from '../../src/review/review.js';
import { isMbox, mailAttribution } from '../../src/review/worktree.js';
import { formatJson } from '../../src/report/json.js';
import { formatReport } from '../../src/report/index.js';
import type { Report } from '../../src/report/types.js';
import { outputSchemaErrors } from '../report/output-schema.js';
import { repoRoot, sharedOrExplain } from '../support/shared.js';
import { git, gitCorpusCopy } from '../kernel/tree.js';

const hasShared = sharedOrExplain('review-mode tests (../shared/corpus/linux)');
const QCOM = 'arch/arm64/boot/dts/qcom';
const EL2_BOARDS = ['lemans-evk-el2', 'qcs9100-ride-el2', 'qcs9100-ride-r3-el2'];
const cli = (...args: string[]) => cliWith(process.env, ...args);
const cliWith = (env: NodeJS.ProcessEnv, ...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/dtoverlay-check.js'), ...args], { cwd: repoRoot, encoding: 'utf8', env });

/** A finding as the tests compare them: rule, node, property, and the file:line it points at. */
function brief(d: Diagnostic): string {
  return `${d.severity} ${d.rule} ${d.path}${d.property ? `:${d.property}` : ''} ${d.span ? `${path.basename(d.span.file)}:${d.span.line}` : '-'}`;
}

/** Per board, the introduced and fixed lists as brief() lines, sorted. */
function lists(report: Report): Record<string, { introduced: string[]; fixed: string[] }> {
  return Object.fromEntries((report.diff ?? []).map((b) => [b.board, { introduced: b.introduced.map(brief).sort(), fixed: b.fixed.map(brief).sort() }]));
}

/** The same lists on each of the three EL2 compositions. */
function onEl2Boards(introduced: string[], fixed: string[]): Record<string, { introduced: string[]; fixed: string[] }> {
  return Object.fromEntries(EL2_BOARDS.map((b) => [b, { introduced: [...introduced].sort(), fixed: [...fixed].sort() }]));
}

/** Commits `edit` of lemans-el2.dtso, writes it as a format-patch mail, and resets the repo to before it. */
function el2Patch(repo: string, name: string, edit: (text: string) => string): string {
  const file = path.join(repo, QCOM, 'lemans-el2.dtso');
  const text = fs.readFileSync(file, 'utf8');
  const changed = edit(text);
  expect(changed).not.toBe(text);
  fs.writeFileSync(file, changed);
  git(repo, 'commit', '-q', '-a', '-m', `arm64: dts: qcom: lemans-el2: ${name}`, '--author', 'A U Thor <author@example.org>', '--date', '2025-10-14T10:00:00+02:00');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-patch-'));
  git(repo, 'format-patch', '-q', '-1', '-o', out);
  git(repo, 'reset', '-q', '--hard', 'HEAD~1');
  return path.join(out, fs.readdirSync(out)[0]);
}

// The upstream overlay's lines: cdsp0's iommus on line 26, cdsp1's node on 29 and its iommus on 30.
const cdsp1TakesCdsp0Sid = (t: string) => t.replace('0x29c0 0x0400', '0x21c0 0x0400');
// One mistake, one error: at the line that made the collision (cdsp1's), cdsp0's line related.
const SID_COLLISION = ['error pas/overlay-sid-collision /soc@0/remoteproc@2a300000:iommus lemans-el2.dtso:30'];

// Fixed by adding the EL2 overlay: each remoteproc's missing iommus, and the two devices the
// overlay disables; the remoteproc nodes are in the board (evk) or the ride boards' common file.
const fixedOn = (file: string, lines: number[], iris: number) =>
  [
    ...['30000000', '26300000', '2a300000', '20c00000', '21c00000'].map((a, i) => `error pas/el2-remoteproc-missing-iommus /soc@0/remoteproc@${a} ${file}:${lines[i]}`),
    `warning pas/el2-disabled-devices /soc@0/video-codec@aa00000:status ${file}:${iris}`,
    'warning pas/el2-disabled-devices /soc@0/gpu@3d00000/zap-shader:status lemans.dtsi:4317',
  ].sort();
const EL2_FIXES = {
  'lemans-evk-el2': { introduced: [], fixed: fixedOn('lemans-evk.dts', [784, 790, 796, 802, 808], 655) },
  'qcs9100-ride-el2': { introduced: [], fixed: fixedOn('lemans-ride-common.dtsi', [910, 915, 920, 925, 930], 535) },
  'qcs9100-ride-r3-el2': { introduced: [], fixed: fixedOn('lemans-ride-common.dtsi', [910, 915, 920, 925, 930], 535) },
};

describe.skipIf(!hasShared)('review: a patch that adds the EL2 overlay and its compositions', () => {
  let repo = '';
  let patch = '';
  let head = '';
  let fullMakefile = '';
  let overlayText = Buffer.alloc(0);
  beforeAll(() => {
    repo = gitCorpusCopy();
    const makefile = path.join(repo, QCOM, 'Makefile');
    const full = fs.readFileSync(makefile, 'utf8');
    const overlay = fs.readFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'));
    fullMakefile = full;
    overlayText = overlay;
    fs.writeFileSync(makefile, full.split('\n').filter((l) => !/lemans-evk-el2|qcs9100-ride-el2|qcs9100-ride-r3-el2/.test(l)).join('\n'));
    fs.rmSync(path.join(repo, QCOM, 'lemans-el2.dtso'));
    git(repo, 'commit', '-q', '-a', '-m', 'drop the EL2 overlay');
    head = git(repo, 'rev-parse', 'HEAD').trim();
    fs.writeFileSync(makefile, full);
    fs.writeFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'), overlay);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'arm64: dts: qcom: lemans: add an EL2 overlay');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-patch-'));
    git(repo, 'format-patch', '-q', '-1', '-o', out);
    git(repo, 'reset', '-q', '--hard', head);
    patch = path.join(out, fs.readdirSync(out)[0]);
  });
  afterAll(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
    if (patch) fs.rmSync(path.dirname(patch), { recursive: true, force: true });
  });

  it('adds five iommus per composition, introduces nothing, fixes exactly what EL2 needed; the tree is untouched', async () => {
    expect(isMbox(fs.readFileSync(patch, 'utf8'))).toBe(true);
    const { report, boards } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    expect(boards.map((b) => `${b.board} ${b.status}`).sort()).toEqual(EL2_BOARDS.map((b) => `${b} new`));
    const evk = boards.find((b) => b.board === 'lemans-evk-el2');
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
    expect(lists(report)).toEqual(EL2_FIXES);
    // One fixed finding on two boards is listed once with both.
    const zap = report.fixed?.filter((d) => d.path === '/soc@0/gpu@3d00000/zap-shader') ?? [];
    expect(zap.map((d) => d.boards)).toEqual([EL2_BOARDS]);
    expect(report.fixed?.find((d) => d.span?.line === 910)?.boards).toEqual(['qcs9100-ride-el2', 'qcs9100-ride-r3-el2']);
    expect(report.diagnostics).toEqual([]);
    expect(outputSchemaErrors(JSON.parse(formatJson(report)))).toBe('');
    // Never modified: same HEAD, clean status, no worktree left.
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  /** Reviews the last commit as a patch on the commit before it: the three EL2 compositions are new, each compared with its base board. */
  const expectLastCommitReviewedAsNewCompositions = async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-patch-'));
    git(repo, 'format-patch', '-q', '-1', '-o', out);
    git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    const patch = path.join(out, fs.readdirSync(out)[0]);
    const { report, boards } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    fs.rmSync(out, { recursive: true, force: true });
    expect(boards.map((b) => `${b.board} ${b.status}: ${b.comparedWith}`).sort()).toEqual([
      'lemans-evk-el2 new: lemans-evk before the patch',
      'qcs9100-ride-el2 new: qcs9100-ride before the patch',
      'qcs9100-ride-r3-el2 new: qcs9100-ride-r3 before the patch',
    ]);
    expect(lists(report)).toEqual(EL2_FIXES);
  };

  it('the Makefile already names the compositions and the patch adds the overlay: new, each compared with its base board', async () => {
    fs.writeFileSync(path.join(repo, QCOM, 'Makefile'), fullMakefile);
    git(repo, 'commit', '-q', '-a', '-m', 'lemans: the EL2 compositions (their overlay comes next)');
    try {
      fs.writeFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'), overlayText);
      git(repo, 'add', '-A');
      git(repo, 'commit', '-q', '-m', 'lemans: the EL2 overlay');
      await expectLastCommitReviewedAsNewCompositions();
    } finally {
      git(repo, 'reset', '-q', '--hard', head);
    }
  });

  it('the overlay is already there and the patch only adds the compositions to the Makefile: new, each compared with its base board', async () => {
    fs.writeFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'), overlayText);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'lemans: the EL2 overlay (built by nothing yet)');
    try {
      fs.writeFileSync(path.join(repo, QCOM, 'Makefile'), fullMakefile);
      git(repo, 'commit', '-q', '-a', '-m', 'lemans: the EL2 compositions');
      await expectLastCommitReviewedAsNewCompositions();
    } finally {
      git(repo, 'reset', '-q', '--hard', head);
    }
  });

  it('CLI: text shows the diff once for the boards that share it, leaving no temporary folder; a patch that does not apply exits 2', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-review-tmp-'));
    const r = cliWith({ ...process.env, TMPDIR: tmp }, 'review', patch, '--tree', repo, '--el', '2');
    // both worktrees and their include-prefix folders are removed
    expect(fs.readdirSync(tmp)).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The three compositions differ from their own base boards: three diffs, one header each.
    expect(r.stdout).toMatch(/^== lemans-evk-el2: new, compared with lemans-evk before the patch$/m);
    expect(r.stdout).toMatch(/^\+ \/soc@0\/remoteproc@30000000:iommus = <&apps_smmu 0x3000 0x00>  \(.*lemans-el2\.dtso:22\)$/m);
    expect(r.stdout).toMatch(/^fixed: .*lemans\.dtsi:4317:\d+: warning: \/soc@0\/gpu@3d00000\/zap-shader:status: .*\[pas\/el2-disabled-devices\]$/m);
    expect(r.stdout).toMatch(/^ +\= on lemans-evk-el2, qcs9100-ride-el2, qcs9100-ride-r3-el2$/m);
    expect(r.stdout).toMatch(/: 0 new errors, 0 new warnings, 13 fixed on 3 affected boards\n$/);
    const bad = path.join(path.dirname(patch), 'bad.patch');
    fs.writeFileSync(bad, 'diff --git a/nothing b/nothing\n--- a/nothing\n+++ b/nothing\n@@ -1 +1 @@\n-x\n+y\n');
    const failed = cli('review', bad, '--tree', repo);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/does not apply/);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });
});

describe.skipIf(!hasShared)('review: patches to lemans-el2.dtso', () => {
  let repo = '';
  const patches: string[] = [];
  const patchOf = (name: string, edit: (text: string) => string) => {
    const p = el2Patch(repo, name, edit);
    patches.push(p);
    return p;
  };
  beforeAll(() => {
    repo = gitCorpusCopy();
  });
  afterAll(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
    for (const p of patches) fs.rmSync(path.dirname(p), { recursive: true, force: true });
  });

  it("cdsp1 given cdsp0's SID: the collision on each composition, excerpts from the patched file, one diff for three boards", async () => {
    const patch = patchOf('give cdsp1 the SID of cdsp0', cdsp1TakesCdsp0Sid);
    const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    expect(lists(report)).toEqual(onEl2Boards(SID_COLLISION, []));
    // The SID maps shown are those of the board with the most findings, the first of equals.
    expect(report.review?.sidMap?.board).toBe('lemans-evk-el2');
    // Merged across boards: each finding once, naming the three compositions.
    expect(report.diagnostics.map(brief).sort()).toEqual(SID_COLLISION);
    for (const d of report.diagnostics) expect(d.boards).toEqual(EL2_BOARDS);
    for (const b of report.diff ?? []) for (const d of b.introduced) expect(d.boards).toEqual(EL2_BOARDS);
    const json = JSON.parse(formatJson(report));
    expect(outputSchemaErrors(json)).toBe('');
    expect(json.diff.map((b: { introduced: unknown[]; fixed: unknown[] }) => [b.introduced.length, b.fixed.length])).toEqual([[1, 0], [1, 0], [1, 0]]);
    expect(json.diagnostics[0].boards).toEqual(EL2_BOARDS);

    const text = formatReport(report, 'text');
    // The user's tree still has 0x29c0 on line 30: the excerpt is the patched line.
    expect(fs.readFileSync(path.join(repo, QCOM, 'lemans-el2.dtso'), 'utf8').split('\n')[29]).toBe('\tiommus = <&apps_smmu 0x29c0 0x0400>;');
    expect(text.match(/^ +30 \| .*$/gm)).toEqual(Array(1).fill('   30 | \tiommus = <&apps_smmu 0x21c0 0x0400>;'));
    expect(text).not.toContain('0x29c0 0x0400>;');
    expect(text.match(/^== .*$/gm)).toEqual(['== lemans-evk-el2, qcs9100-ride-el2, qcs9100-ride-r3-el2: changed, each compared with itself before the patch']);
    expect(text.match(/^~ .*$/gm)).toEqual([expect.stringMatching(/^~ \/soc@0\/remoteproc@2a300000:iommus: <&apps_smmu 0x29c0 0x400> -> <&apps_smmu 0x21c0 0x400>  \(.*lemans-el2\.dtso:30\)$/)]);
    expect(text.match(/^ += on .*$/gm)).toEqual(Array(1).fill('      = on lemans-evk-el2, qcs9100-ride-el2, qcs9100-ride-r3-el2'));

    const mail = formatReport(report, 'mail');
    const head = [
      'On Tue, 14 Oct 2025 10:00:00 +0200, A U Thor <author@example.org> wrote:',
      '> diff --git a/arch/arm64/boot/dts/qcom/lemans-el2.dtso b/arch/arm64/boot/dts/qcom/lemans-el2.dtso',
    ];
    expect(mail.split('\n').slice(0, 2)).toEqual(head);
    // The finding about line 30 right under the quoted + line, a paragraph with its boards.
    const under = mail.slice(mail.indexOf('> +\tiommus = <&apps_smmu 0x21c0 0x0400>;\n'));
    const paragraphs = under.split('\n\n');
    expect(paragraphs[0]).toBe('> +\tiommus = <&apps_smmu 0x21c0 0x0400>;');
    expect(paragraphs[1]).toMatch(/^error: \/soc@0\/remoteproc@2a300000:iommus: the overlay gives\n[^]*\[pas\/overlay-sid-collision\]\nOn lemans-evk-el2, qcs9100-ride-el2 and qcs9100-ride-r3-el2\.$/);
    // The hunk's quote includes its @@ line and the - line; what follows the last finding is cut.
    expect(mail).toMatch(/^> @@ -27,7 \+27,7 @@.*\n>  };\n>  \n>  &remoteproc_cdsp1 \{\n> -\tiommus = <&apps_smmu 0x29c0 0x0400>;\n/m);
    expect(paragraphs[2]).toBe('[...]');
    expect(paragraphs[3]).toBe('dtoverlay-check 0.1.0 built lemans-evk-el2, qcs9100-ride-el2 and\nqcs9100-ride-r3-el2 with and without the patch: 1 new error, no new\nwarnings, nothing fixed.\n'.replace('0.1.0', report.tool.version));
    expect(paragraphs).toHaveLength(4);
    // our own prose wraps at 72 columns; quoted patch lines and table rows keep their width
    expect(mail.split('\n').filter((line) => !line.startsWith('>') && !line.includes('|') && line.length > 72)).toEqual([]);
    expect(mail).not.toContain(os.tmpdir());
  });

  it('the reverse patch fixes exactly those findings, and the mail puts them under the removed line', async () => {
    const file = path.join(repo, QCOM, 'lemans-el2.dtso');
    const upstream = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, cdsp1TakesCdsp0Sid(upstream));
    git(repo, 'commit', '-q', '-a', '-m', 'broken: cdsp1 with the SID of cdsp0');
    try {
      const patch = patchOf('restore the SID of cdsp1', () => upstream);
      const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
      expect(lists(report)).toEqual(onEl2Boards([], SID_COLLISION));
      expect(report.diagnostics).toEqual([]);
      const mail = formatReport(report, 'mail');
      // Under the run of - and + lines: the old and the new line are both quoted above it.
      expect(mail).toMatch(/^> -\tiommus = <&apps_smmu 0x21c0 0x0400>;\n> \+\tiommus = <&apps_smmu 0x29c0 0x0400>;\n\nFixed error: \/soc@0\/remoteproc@2a300000:iommus: /m);
      expect(mail).toMatch(/\nWas on lemans-evk-el2, qcs9100-ride-el2 and qcs9100-ride-r3-el2\.\n/);
      expect(mail.replace(/\n(?!$)/g, ' ')).toMatch(/: no new errors, no new warnings, 1 fixed\.\n$/);
    } finally {
      git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it("removing adsp's iommus: one new error at the overlay's fragment for adsp, and the note that goes away is not a fix", async () => {
    const patch = patchOf('drop the iommus of adsp', (t) => t.replace('\tiommus = <&apps_smmu 0x3000 0x0>;\n', ''));
    const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    // Before the patch the overlay's adsp iommus had a pas/remoteproc-dma-masters note; after, it has
    // none: still nothing fixed.
    // At the overlay's fragment for adsp (line 21), where the iommus was: one finding for the three boards.
    const missing = [`error pas/el2-remoteproc-missing-iommus /soc@0/remoteproc@30000000 lemans-el2.dtso:21`];
    expect(lists(report)).toEqual(onEl2Boards(missing, []));
    expect(report.diagnostics.map((d) => d.boards)).toEqual([EL2_BOARDS]);
    const text = formatReport(report, 'text');
    expect(text.match(/^(?:==|[-+~]) .*$/gm)).toEqual([
      '== lemans-evk-el2, qcs9100-ride-el2, qcs9100-ride-r3-el2: changed, each compared with itself before the patch',
      expect.stringMatching(/^- \/soc@0\/remoteproc@30000000:iommus = <&apps_smmu 0x3000 0x00>$/),
    ]);
    // The finding is on the hunk's context line of the fragment: quoted, with the finding under it.
    const mail = formatReport(report, 'mail');
    expect(mail).toMatch(/^> @@ -19,7 \+19,6 @@\n>  };\n>  \n>  &remoteproc_adsp \{\n\nerror: \/soc@0\/remoteproc@30000000: remoteproc_adsp\n[^]*\[pas\/el2-remoteproc-missing-iommus\]\nOn lemans-evk-el2, qcs9100-ride-el2 and qcs9100-ride-r3-el2\.\n/m);
    expect(mail).not.toContain('On lines the patch does not show');
  });

  it('a misspelled label: the compositions fail to build, one error on the quoted line, nothing fixed', async () => {
    const patch = patchOf('misspell a label', (t) => t.replace('&remoteproc_cdsp1 {', '&remoteproc_cdsp_1 {'));
    const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    // The PAS findings of the base are not "fixed" by a tree that no longer builds.
    expect(lists(report)).toEqual(onEl2Boards(['error overlay/apply /fragment@4:target lemans-el2.dtso:29'], []));
    expect(report.diff?.map((b) => b.status)).toEqual(['failed', 'failed', 'failed']);
    // Messages name the user's tree, never the temporary worktree.
    expect(report.diagnostics[0].message).toContain(`'${path.join(path.resolve(repo), QCOM, 'lemans-el2.dtso')}'`);
    expect(report.diagnostics[0].message).toContain("label 'remoteproc_cdsp_1'");
    const text = formatReport(report, 'text');
    expect(text).toContain('== lemans-evk-el2, qcs9100-ride-el2, qcs9100-ride-r3-el2: failed, each compared with itself before the patch\n(the patched tree cannot be built)\n');
    expect(text).toMatch(/^ +29 \| &remoteproc_cdsp_1 \{$/m);
    const mail = formatReport(report, 'mail');
    expect(mail).toMatch(/^> \+&remoteproc_cdsp_1 \{\n\nerror: \/fragment@4:target: failed to apply\n'arch\/arm64\/boot\/dts\/qcom\/lemans-el2\.dtso': label 'remoteproc_cdsp_1'\n/m);
  });

  it('a patch that only moves lines introduces and fixes nothing', async () => {
    // The gpu_zap_shader block moves from the top of the file to the bottom.
    const block = '&gpu_zap_shader {\n\tstatus = "disabled";\n};\n\n';
    const patch = patchOf('move a block', (t) => t.replace(block, '') + '\n' + block.trimEnd() + '\n');
    const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    expect(lists(report)).toEqual(onEl2Boards([], []));
    expect(report.fixed).toEqual([]);
    // no board has a finding, and still the first one's SID maps are shown
    expect(report.review?.sidMap?.board).toBe('lemans-evk-el2');
    expect(report.diagnostics).toEqual([]);
    const text = formatReport(report, 'text');
    expect(text).toContain('== lemans-evk-el2, qcs9100-ride-el2, qcs9100-ride-r3-el2: changed, each compared with itself before the patch\n(no change in the merged tree)\n');
    expect(formatReport(report, 'mail').replace(/\n(?!$)/g, ' ')).toMatch(/: no new errors, no new warnings, nothing fixed\.\n$/);
  });

  it('mail of a plain two-file diff: no attribution, the file without findings cut to [...]', async () => {
    const makefile = path.join(repo, QCOM, 'Makefile');
    const el2 = path.join(repo, QCOM, 'lemans-el2.dtso');
    const [m, e] = [fs.readFileSync(makefile, 'utf8'), fs.readFileSync(el2, 'utf8')];
    fs.writeFileSync(makefile, m.replace('lemans-evk-el2-dtbs := ', '# EL2: Linux as the hypervisor\nlemans-evk-el2-dtbs := '));
    fs.writeFileSync(el2, cdsp1TakesCdsp0Sid(e));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-patch-'));
    patches.push(path.join(dir, 'x'));
    const patch = path.join(dir, 'two-files.diff');
    fs.writeFileSync(patch, git(repo, 'diff'));
    git(repo, 'checkout', '--', '.');
    const { report } = await runReview({ patch, tree: repo, rev: 'HEAD', bindings: [] });
    expect(lists(report)).toEqual(onEl2Boards(SID_COLLISION, []));
    const mail = formatReport(report, 'mail');
    // The Makefile (first in the diff) has no finding: cut; the reply opens with the cut, not an attribution.
    expect(mail).toMatch(/^\[\.\.\.\]\n\n> diff --git a\/arch\/arm64\/boot\/dts\/qcom\/lemans-el2\.dtso /);
    expect(mail).not.toContain('Makefile');
    expect(mail).toContain('> +\tiommus = <&apps_smmu 0x21c0 0x0400>;\n\nerror: /soc@0/remoteproc@2a300000:iommus:');
  });

  it('CLI: --format mail is review only; JSON has introduced and fixed lists with boards', () => {
    const patch = patchOf('give cdsp1 the SID of cdsp0', cdsp1TakesCdsp0Sid);
    const mail = cli('review', patch, '--tree', repo, '--format', 'mail');
    expect(mail.stderr).toBe('');
    expect(mail.status).toBe(1);
    expect(mail.stdout).toMatch(/^On Tue, 14 Oct 2025 10:00:00 \+0200, A U Thor <author@example.org> wrote:\n> diff --git /);
    const json = cli('review', patch, '--tree', repo, '--format', 'json');
    const report = JSON.parse(json.stdout);
    expect(outputSchemaErrors(report)).toBe('');
    expect(report.diff.map((b: { board: string; introduced: { rule: string; boards: string[] }[] }) => [b.board, b.introduced.map((d) => d.boards)])).toEqual(
      EL2_BOARDS.map((b) => [b, [EL2_BOARDS]]),
    );
    expect(report.fixed).toEqual([]);
    const check = cli('check', '--format', 'mail');
    expect(check.status).toBe(2);
    expect(check.stderr).toMatch(/'mail' is invalid/);
  });
});

describe('mailAttribution', () => {
  it('is the first mail\'s Date and From, or nothing for a plain diff', () => {
    expect(mailAttribution('From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: A U Thor <a@b>\nDate: Tue, 14 Oct 2025 10:00:00 +0200\nSubject: [PATCH] x\n\nbody\nDate: no\n')).toBe(
      'On Tue, 14 Oct 2025 10:00:00 +0200, A U Thor <a@b> wrote:',
    );
    expect(mailAttribution('diff --git a/x b/x\n')).toBeUndefined();
  });
});
