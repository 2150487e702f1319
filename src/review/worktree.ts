/**
 * Temporary git worktrees for review mode: the user's tree is only read (`git worktree add` writes
 * under .git/worktrees, which `remove` and `prune` clean up); the patch is applied in a copy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRegularFile } from '../input-file.js';

export class ReviewError extends Error {}

function git(cwd: string, args: string[], what: string): string {
  // A fixed identity for `git am` in the temporary worktree; nothing is pushed or kept.
  const r = spawnSync('git', ['-c', 'user.name=dtoverlay-check', '-c', 'user.email=dtoverlay-check@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new ReviewError(`${what}: git ${args.join(' ')}: ${(r.stderr || r.error?.message || 'failed').trim()}`);
  return r.stdout;
}

export interface Worktree {
  dir: string;
  remove(): void;
}

export function addWorktree(repo: string, rev: string): Worktree {
  const top = git(repo, ['rev-parse', '--show-toplevel'], `${repo} is not a git repository`).trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-review-'));
  git(top, ['worktree', 'add', '--detach', '--quiet', dir, rev], `cannot create a worktree of ${repo} at ${rev}`);
  return {
    dir,
    remove() {
      spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: top });
      fs.rmSync(dir, { recursive: true, force: true });
      spawnSync('git', ['worktree', 'prune'], { cwd: top });
    },
  };
}

/** An mbox (one or more mails from `git format-patch`) is applied with `git am`, a plain diff with `git apply`. */
export function isMbox(text: string): boolean {
  return /^From [0-9a-f]{7,40} /m.test(text.slice(0, 2000)) || /^From: .+\n(?:.*\n)*?Subject: /m.test(text.slice(0, 4000));
}

/** Applies the patch in `dir` and returns the paths it touched (absolute, inside `dir`). */
export function applyPatch(dir: string, patchFile: string): string[] {
  const text = readRegularFile(patchFile).toString('utf8');
  const abs = path.resolve(patchFile);
  if (isMbox(text)) {
    const before = git(dir, ['rev-parse', 'HEAD'], 'worktree').trim();
    git(dir, ['am', '--quiet', '--3way', abs], `${patchFile} does not apply`);
    return git(dir, ['diff', '--name-only', before, 'HEAD'], 'diff').split('\n').filter(Boolean).map((f) => path.join(dir, f));
  }
  git(dir, ['apply', '--index', abs], `${patchFile} does not apply`);
  return git(dir, ['diff', '--cached', '--name-only'], 'diff').split('\n').filter(Boolean).map((f) => path.join(dir, f));
}
