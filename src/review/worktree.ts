/**
 * Temporary git worktrees for review, hook and `check --new-since`: the user's tree is only read
 * (`git worktree add` writes under .git/worktrees, which `remove` and `prune` clean up); a patch,
 * or the staged change, is applied in a copy. Each worktree's folder is watched by a janitor
 * (src/janitor.ts), and the git commands that work in it run asynchronously so the janitor knows
 * which one to stop: a run killed at any point leaves neither the folder nor git's record of it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFile } from '../input-file.js';
import { makeWatchedFolder, type WatchedFolder } from '../janitor.js';

export class ReviewError extends Error {}

// A fixed identity for `git am` in the temporary worktree; nothing is pushed or kept.
const IDENTITY = ['-c', 'user.name=dtoverlay-check', '-c', 'user.email=dtoverlay-check@localhost', '-c', 'commit.gpgsign=false'];

function failure(what: string, args: string[], why: string): ReviewError {
  return new ReviewError(`${what}: git ${args.join(' ')}: ${why.trim() || 'failed'}`);
}

/** A read-only git command outside any worktree we made (nothing to clean should it be killed). */
function git(cwd: string, args: string[], what: string): string {
  const r = spawnSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw failure(what, args, r.stderr || r.error?.message || '');
  return r.stdout;
}

/** A git command working in a watched folder: its pid goes to the folder's janitor while it runs. */
function gitIn(folder: WatchedFolder, cwd: string, args: string[], what: string, input?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...IDENTITY, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    folder.working(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => {}); // git may exit before reading all of it: its status says why
    child.stdin.end(input);
    child.on('error', (e) => {
      folder.idle();
      reject(failure(what, args, e.message));
    });
    child.on('close', (status) => {
      folder.idle();
      if (status === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(failure(what, args, Buffer.concat(err).toString('utf8')));
    });
  });
}

export interface Worktree {
  dir: string;
  /** Runs git in the worktree. */
  git(args: string[], what: string, input?: Buffer): Promise<string>;
  remove(): Promise<void>;
}

export async function addWorktree(repo: string, rev: string): Promise<Worktree> {
  const top = git(repo, ['rev-parse', '--show-toplevel'], `${repo} is not a git repository`).trim();
  // A real path (spans name files by it, and findings are matched and moved by this prefix).
  const folder = makeWatchedFolder('dtoc-review-', top);
  const { dir } = folder;
  const remove = async () => {
    await gitIn(folder, top, ['worktree', 'remove', '--force', dir], 'removing the worktree').catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    await gitIn(folder, top, ['worktree', 'prune'], 'pruning worktrees').catch(() => {});
    folder.dismiss();
  };
  try {
    await gitIn(folder, top, ['worktree', 'add', '--detach', '--quiet', dir, rev], `cannot create a worktree of ${repo} at ${rev}`);
  } catch (err) {
    await remove();
    throw err;
  }
  return { dir, git: (args, what, input) => gitIn(folder, dir, args, what, input), remove };
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

/** Applies the patch in the worktree: an mbox with `git am`, a plain diff with `git apply`. */
export async function applyPatch(worktree: Worktree, patchFile: string): Promise<AppliedPatch> {
  const text = readRegularFile(patchFile).toString('utf8');
  const abs = path.resolve(patchFile);
  const { dir } = worktree;
  const inside = (names: string) => names.split('\n').filter(Boolean).map((f) => path.join(dir, f));
  if (isMbox(text)) {
    const before = (await worktree.git(['rev-parse', 'HEAD'], 'worktree')).trim();
    await worktree.git(['am', '--quiet', '--3way', abs], `${patchFile} does not apply`);
    const attribution = mailAttribution(text);
    return {
      touched: inside(await worktree.git(['diff', '--name-only', before, 'HEAD'], 'diff')),
      diff: await worktree.git([...DIFF_ARGS, before, 'HEAD'], 'diff'),
      ...(attribution ? { attribution } : {}),
    };
  }
  await worktree.git(['apply', '--index', abs], `${patchFile} does not apply`);
  return { touched: inside(await worktree.git(['diff', '--cached', '--name-only'], 'diff')), diff: await worktree.git([...DIFF_ARGS, '--cached'], 'diff') };
}

/**
 * Applies what is staged in `repo` (its index against HEAD) to a worktree of it at HEAD, so the
 * copy holds exactly what `git commit` would record; returns the paths it touched (inside the
 * worktree). The diff is asked for in a fixed form whatever the user's diff settings (prefixes,
 * colour, external diff drivers).
 */
export async function applyStaged(worktree: Worktree, repo: string): Promise<string[]> {
  // Bytes, not text: a staged file need not be UTF-8.
  const diff = spawnSync('git', ['diff', '--cached', '--binary', '--no-color', '--no-ext-diff', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/'], { cwd: repo, maxBuffer: 1 << 30 });
  if (diff.status !== 0) throw new ReviewError(`reading the staged change: ${(diff.stderr?.toString() || diff.error?.message || 'git diff --cached failed').trim()}`);
  const patch = diff.stdout;
  if (!patch.length) return [];
  await worktree.git(['apply', '--index', '--whitespace=nowarn'], 'applying the staged change to a worktree at HEAD', patch);
  return (await worktree.git(['diff', '--cached', '--name-only'], 'diff')).split('\n').filter(Boolean).map((f) => path.join(worktree.dir, f));
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
