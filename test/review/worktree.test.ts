/** Temporary worktrees and patches (src/review/worktree.ts) on a small git repository made here. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorktree, applyPatch, applyStaged, gitTop, isMbox, isRevision, mailAttribution, ReviewError } from '../../src/review/worktree.js';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const worktrees = (repo: string) => git(repo, 'worktree', 'list').trim().split('\n').length;

describe('worktrees and patches', () => {
  let repo = '';
  let scratch = '';
  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-wt-repo-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-wt-scratch-'));
    git(repo, 'init', '-q', '-b', 'main');
    // a user whose diffs have no a/ b/ prefixes and colour: the worktree's diffs must not follow
    git(repo, 'config', 'diff.noprefix', 'true');
    git(repo, 'config', 'color.diff', 'always');
    fs.mkdirSync(path.join(repo, 'dts'));
    fs.writeFileSync(path.join(repo, 'dts/board.dts'), '/dts-v1/;\n/ {\n\tmodel = "one";\n};\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'board');
  });
  afterAll(() => {
    for (const d of [repo, scratch]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A format-patch mail and a plain diff of one edit, the repo reset to before it. */
  const patches = () => {
    fs.writeFileSync(path.join(repo, 'dts/board.dts'), '/dts-v1/;\n/ {\n\tmodel = "two";\n};\n');
    const plain = path.join(scratch, 'edit.diff');
    fs.writeFileSync(plain, git(repo, '-c', 'diff.noprefix=false', '-c', 'color.diff=never', 'diff'));
    git(repo, 'commit', '-q', '-a', '-m', 'model two', '--author', 'A U Thor <author@example.org>', '--date', '2025-10-14T10:00:00+02:00');
    git(repo, 'format-patch', '-q', '-1', '-o', scratch);
    git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    const mbox = path.join(scratch, fs.readdirSync(scratch).find((f) => f.endsWith('.patch'))!);
    return { plain, mbox };
  };

  it('a worktree at a revision, at its real path, gone with remove(); the repository untouched', async () => {
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const wt = await addWorktree(path.join(repo, 'dts'), 'HEAD');
    expect(wt.dir).toBe(fs.realpathSync(wt.dir));
    expect(fs.readFileSync(path.join(wt.dir, 'dts/board.dts'), 'utf8')).toContain('"one"');
    expect(worktrees(repo)).toBe(2);
    await wt.remove();
    expect(fs.existsSync(wt.dir)).toBe(false);
    expect(worktrees(repo)).toBe(1);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('remove() deletes the copy even when git no longer knows it as a worktree', async () => {
    const wt = await addWorktree(repo, 'HEAD');
    const admin = path.join(repo, '.git/worktrees');
    for (const name of fs.readdirSync(admin)) fs.rmSync(path.join(admin, name), { recursive: true, force: true });
    await wt.remove();
    expect(fs.existsSync(wt.dir)).toBe(false);
    expect(worktrees(repo)).toBe(1);
  });

  it('outside git, or at a revision that does not exist: a ReviewError saying which', async () => {
    await expect(addWorktree(scratch, 'HEAD')).rejects.toThrow(ReviewError);
    await expect(addWorktree(scratch, 'HEAD')).rejects.toThrow(`${scratch} is not a git repository: git rev-parse --show-toplevel: fatal: not a git repository`);
    await expect(addWorktree(repo, 'no-such-rev')).rejects.toThrow(/^cannot create a worktree of .* at no-such-rev: git worktree add --detach --quiet /);
  });

  it('an mbox is applied with git am: what it touched, the diff with a/ b/ prefixes, the attribution', async () => {
    const { mbox } = patches();
    const wt = await addWorktree(repo, 'HEAD');
    try {
      const applied = await applyPatch(wt, mbox);
      expect(applied.touched).toEqual([path.join(wt.dir, 'dts/board.dts')]);
      expect(applied.diff).toMatch(/^diff --git a\/dts\/board\.dts b\/dts\/board\.dts\n/);
      expect(applied.diff).toContain('\n-\tmodel = "one";\n+\tmodel = "two";\n');
      expect(applied.diff).not.toContain('\x1b[');
      expect(applied.attribution).toBe('On Tue, 14 Oct 2025 10:00:00 +0200, A U Thor <author@example.org> wrote:');
      expect(fs.readFileSync(path.join(wt.dir, 'dts/board.dts'), 'utf8')).toContain('"two"');
    } finally {
      await wt.remove();
    }
  });

  it('a plain diff is applied with git apply, with no attribution; one that does not apply says so', async () => {
    const { plain } = patches();
    const wt = await addWorktree(repo, 'HEAD');
    try {
      const applied = await applyPatch(wt, plain);
      expect(applied).toEqual({ touched: [path.join(wt.dir, 'dts/board.dts')], diff: expect.stringMatching(/^diff --git a\/dts\/board\.dts b\/dts\/board\.dts\n[^]*\n\+\tmodel = "two";\n };\n$/) });
      await expect(applyPatch(wt, plain)).rejects.toThrow(new RegExp(`^${plain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not apply: git apply --index `));
    } finally {
      await wt.remove();
    }
  });

  it('the staged change, bytes as they are, applied to a worktree at HEAD; nothing staged touches nothing', async () => {
    const wt = await addWorktree(repo, 'HEAD');
    try {
      expect(await applyStaged(wt, repo)).toEqual([]);
      const latin1 = Buffer.from('/dts-v1/;\n/ { model = "caf\xe9"; };\n', 'latin1');
      fs.writeFileSync(path.join(repo, 'dts/other.dts'), latin1);
      fs.appendFileSync(path.join(repo, 'dts/board.dts'), '/* unstaged */\n');
      git(repo, 'add', 'dts/other.dts');
      expect(await applyStaged(wt, repo)).toEqual([path.join(wt.dir, 'dts/other.dts')]);
      expect(fs.readFileSync(path.join(wt.dir, 'dts/other.dts')).equals(latin1)).toBe(true);
      expect(fs.readFileSync(path.join(wt.dir, 'dts/board.dts'), 'utf8')).not.toContain('unstaged');
    } finally {
      await wt.remove();
      git(repo, 'reset', '-q', '--hard');
      git(repo, 'clean', '-q', '-fd');
    }
  });

  it('gitTop and isRevision', () => {
    expect(gitTop(path.join(repo, 'dts'))).toBe(fs.realpathSync(repo));
    expect(gitTop(scratch)).toBeUndefined();
    expect(isRevision(repo, 'HEAD')).toBe(true);
    expect(isRevision(repo, 'main')).toBe(true);
    expect(isRevision(repo, 'no-such-rev')).toBe(false);
    expect(isRevision(repo, '--all')).toBe(false);
    // a file's blob names an object, not a commit
    expect(isRevision(repo, git(repo, 'rev-parse', 'HEAD:dts/board.dts').trim())).toBe(false);
  });
});

describe('isMbox', () => {
  const fromLine = 'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n';
  it('a format-patch mail, or mail headers with a Subject; a plain diff is not', () => {
    expect(isMbox(`${fromLine}From: A <a@b>\nSubject: x\n`)).toBe(true);
    expect(isMbox('From: A <a@b>\nDate: today\nSubject: [PATCH] x\n\ndiff --git a/x b/x\n')).toBe(true);
    expect(isMbox('diff --git a/x b/x\n--- a/x\n+++ b/x\n')).toBe(false);
    expect(isMbox('From: A <a@b>\n\nno subject\n')).toBe(false);
    // the From line alone, first in the file
    expect(isMbox(`${fromLine}\ndiff --git a/x b/x\n`)).toBe(true);
  });

  it("looks for the From line in the first 2000 characters and the headers in the first 4000", () => {
    const pad = (n: number) => `${'x'.repeat(n - 1)}\n`;
    // the From line's separator (the space after the hash) is character 2000 or 2001
    const sepAt = (n: number) => `${pad(n - 'From 0123456 '.length)}From 0123456 rest\n`;
    expect(sepAt(2000).indexOf('0123456 ') + 7).toBe(1999);
    expect(isMbox(sepAt(2000))).toBe(true);
    expect(isMbox(sepAt(2001))).toBe(false);
    // "Subject: " ends at character 4000 or 4001
    const subjectEndsAt = (n: number) => `${pad(n - 'From: a\nSubject: '.length)}From: a\nSubject: x\n`;
    expect(isMbox(subjectEndsAt(4000))).toBe(true);
    expect(isMbox(subjectEndsAt(4001))).toBe(false);
  });
});

describe('mailAttribution', () => {
  it('reads the headers only: up to the first blank line', () => {
    expect(mailAttribution('From: A <a@b>\nDate: today\n\nbody')).toBe('On today, A <a@b> wrote:');
    expect(mailAttribution('From: A <a@b>\n\nDate: in the body\n')).toBeUndefined();
    expect(mailAttribution('\n\nFrom: A <a@b>\nDate: today\n')).toBeUndefined();
    expect(mailAttribution('From: A <a@b>\nDate: today')).toBe('On today, A <a@b> wrote:');
  });
});
