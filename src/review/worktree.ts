/**
 * Temporary git worktrees for review, hook and `check --new-since`: the user's tree is only read
 * (`git worktree add` writes under .git/worktrees, which `remove` and `prune` clean up); a patch,
 * or the staged change, is applied in a copy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRegularFile } from '../input-file.js';

export class ReviewError extends Error {}

function git(cwd: string, args: string[], what: string, input?: Buffer): string {
  // A fixed identity for `git am` in the temporary worktree; nothing is pushed or kept.
  const r = spawnSync('git', ['-c', 'user.name=dtoverlay-check', '-c', 'user.email=dtoverlay-check@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new ReviewError(`${what}: git ${args.join(' ')}: ${(r.stderr || r.error?.message || 'failed').trim()}`);
  return r.stdout;
}

export interface Worktree {
  dir: string;
  remove(): void;
}

export function addWorktree(repo: string, rev: string): Worktree {
  const top = git(repo, ['rev-parse', '--show-toplevel'], `${repo} is not a git repository`).trim();
  // Real path: spans name files by it, and findings are matched and moved by this prefix.
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-review-')));
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

export interface AppliedPatch {
  /** The paths it touched (absolute, inside the worktree). */
  touched: string[];
  /** `git diff` from the revision to the patched state, with a/ and b/ prefixes whatever the user's git config says. */
  diff: string;
  /** "On DATE, AUTHOR wrote:" for an mbox with From: and Date: headers. */
  attribution?: string;
}

/** The attribution line a reply starts with, from the first mail's headers. */
export function mailAttribution(text: string): string | undefined {
  const end = text.indexOf('\n\n');
  const headers = end < 0 ? text : text.slice(0, end);
  const from = /^From: (.+)$/m.exec(headers)?.[1].trim();
  const date = /^Date: (.+)$/m.exec(headers)?.[1].trim();
  return from && date ? `On ${date}, ${from} wrote:` : undefined;
}

const DIFF_ARGS = ['diff', '--no-color', '--no-ext-diff', '--src-prefix=a/', '--dst-prefix=b/'];

/** Applies the patch in `dir`: an mbox with `git am`, a plain diff with `git apply`. */
export function applyPatch(dir: string, patchFile: string): AppliedPatch {
  const text = readRegularFile(patchFile).toString('utf8');
  const abs = path.resolve(patchFile);
  const inside = (names: string) => names.split('\n').filter(Boolean).map((f) => path.join(dir, f));
  if (isMbox(text)) {
    const before = git(dir, ['rev-parse', 'HEAD'], 'worktree').trim();
    git(dir, ['am', '--quiet', '--3way', abs], `${patchFile} does not apply`);
    const attribution = mailAttribution(text);
    return {
      touched: inside(git(dir, ['diff', '--name-only', before, 'HEAD'], 'diff')),
      diff: git(dir, [...DIFF_ARGS, before, 'HEAD'], 'diff'),
      ...(attribution ? { attribution } : {}),
    };
  }
  git(dir, ['apply', '--index', abs], `${patchFile} does not apply`);
  return { touched: inside(git(dir, ['diff', '--cached', '--name-only'], 'diff')), diff: git(dir, [...DIFF_ARGS, '--cached'], 'diff') };
}

/**
 * Applies what is staged in `repo` (its index against HEAD) to a worktree of it at HEAD, so the
 * copy holds exactly what `git commit` would record; returns the paths it touched (inside `dir`).
 * The diff is asked for in a fixed form whatever the user's diff settings (prefixes, colour,
 * external diff drivers).
 */
export function applyStaged(dir: string, repo: string): string[] {
  // Bytes, not text: a staged file need not be UTF-8.
  const diff = spawnSync('git', ['diff', '--cached', '--binary', '--no-color', '--no-ext-diff', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/'], { cwd: repo, maxBuffer: 1 << 30 });
  if (diff.status !== 0) throw new ReviewError(`reading the staged change: ${(diff.stderr?.toString() || diff.error?.message || 'git diff --cached failed').trim()}`);
  const patch = diff.stdout;
  if (!patch.length) return [];
  git(dir, ['apply', '--index', '--whitespace=nowarn'], 'applying the staged change to a worktree at HEAD', patch);
  return git(dir, ['diff', '--cached', '--name-only'], 'diff').split('\n').filter(Boolean).map((f) => path.join(dir, f));
}

/** The top of the git repository holding `dir`, or undefined outside git. */
export function gitTop(dir: string): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Whether `rev` names a commit in the repository at `repo`. */
export function isRevision(repo: string, rev: string): boolean {
  if (rev.startsWith('-')) return false;
  return spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: repo, encoding: 'utf8' }).status === 0;
}
