/**
 * Temporary git worktrees for review mode: the user's tree is only read (`git worktree add` writes
 * under .git/worktrees, which `remove` and `prune` clean up); the patch is applied in a copy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
  const text = fs.readFileSync(patchFile, 'utf8');
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
