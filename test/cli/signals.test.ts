/**
 * Signals (docs/security.md, "Signals"): SIGINT and SIGTERM sent to a real CLI process in the
 * middle of a long synchronous stage — compiling a large tree, writing a large output, checking a
 * patched tree in review's worktrees or the hook's — end it within a second, by the signal itself
 * (as a process with no handler: a shell reports 130 and 143), before anything is written: no
 * output file, nothing printed, no temporary file or folder left behind (worktrees and git's record
 * of them, include-prefix folders). Each input is large enough that the run would take several
 * seconds without the signal; the signal is sent once the process is inside the stage (its CPU
 * time, or the temporary it writes, shows it). The bound of one second is a correctness bound on
 * a loaded machine, not a speed measurement.
 *
 * Also the janitor on its own (src/janitor.ts): a process killed with SIGKILL while a command works
 * in its watched folder has the command stopped and the folder removed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';
import { git } from '../kernel/tree.js';

const bin = path.join(repoRoot, 'bin/dtoverlay-check.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-signals-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const BOUND_MS = 1000;

/** CPU time (user + system) a process has used, from /proc; undefined where there is none. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From sending the signal to the process's exit. */
  ms: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with a private TMPDIR, waits until `inside(child)` says it is in the stage under
 * test (polled every 5 ms), sends `signal` and resolves when the process has exited.
 */
function interruptWhen(args: string[], cwd: string, tmpdir: string, signal: NodeJS.Signals, inside: (child: ChildProcess) => boolean): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, TMPDIR: tmpdir, DTOVERLAY_CHECK_CACHE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
    let sentAt: number | undefined;
    const poll = setInterval(() => {
      if (sentAt === undefined && inside(child)) {
        sentAt = performance.now();
        child.kill(signal);
        clearInterval(poll);
      }
    }, 5);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      const ms = performance.now() - (sentAt ?? NaN);
      // the pipes may still hold what was written before the exit
      child.on('close', () => (sentAt === undefined ? reject(new Error(`finished before the signal was sent (status ${code}): ${stderr}`)) : resolve({ code, signal: sig, ms, stdout, stderr })));
    });
  });
}

/** The stage has begun: the process has used `ms` of CPU time since `since()` first said yes. */
function afterCpu(ms: number, since: (child: ChildProcess) => boolean = () => true): (child: ChildProcess) => boolean {
  let start: number | undefined;
  return (child) => {
    if (start === undefined) {
      if (!since(child)) return false;
      start = cpuMs(child.pid!) ?? 0;
    }
    return (cpuMs(child.pid!) ?? Infinity) - start >= ms;
  };
}

/** Waits (up to 3 s) for the janitors, which work after the process has died. */
async function settled(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 300 && !check(); i++) await sleep(10);
  return check();
}

const listing = (dir: string) => fs.readdirSync(dir);

function expectKilledBy(r: Interrupted, signal: NodeJS.Signals): void {
  expect(r.ms, 'milliseconds from the signal to the exit').toBeLessThan(BOUND_MS);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('');
  expect(r.signal, `status ${r.code}`).toBe(signal);
}

/** A tree of `groups` × 20 nodes with a few properties each and no findings: slow to compile and check, clean. */
function bigTree(groups: number, model = 'acme'): string {
  const lines = ['/dts-v1/;', '/ {', `\tmodel = "${model}";`, '\tcompatible = "acme,board";', '\t#address-cells = <1>;', '\t#size-cells = <1>;'];
  for (let i = 0; i < groups; i++) {
    lines.push(`\tgroup-${i} {`);
    for (let j = 0; j < 20; j++) lines.push(`\t\tleaf-${j} { value = <1 2 3 4 5 6 7 8>; label-text = "${'abc'.repeat(10)}"; };`);
    lines.push('\t};');
  }
  lines.push('};', '');
  return lines.join('\n');
}

describe('compile', () => {
  const dir = path.join(work, 'compile');
  beforeAll(() => {
    fs.mkdirSync(dir);
    // about 3.5 s of CPU to compile; the process is well inside it after 1 s
    fs.writeFileSync(path.join(dir, 'big.dts'), bigTree(9000));
    // 3 × 60 MB of /incbin/: a 180 MB blob, written in 23 chunks of 8 MB, each flushed
    fs.writeFileSync(path.join(dir, 'payload.bin'), Buffer.alloc(60 << 20, 0x5a));
    fs.writeFileSync(path.join(dir, 'huge.dts'), '/dts-v1/;\n/ { a = /incbin/("payload.bin"); b = /incbin/("payload.bin"); c = /incbin/("payload.bin"); };\n');
  });
  const temporaries = () => listing(dir).filter((f) => f.endsWith('.tmp'));

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while it compiles a large tree: ends it by the signal within a second, nothing written or printed', async (signal) => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const r = await interruptWhen(['compile', '-q', '-o', 'big.dtb', 'big.dts'], dir, tmp, signal, afterCpu(1000));
    expectKilledBy(r, signal);
    expect(fs.existsSync(path.join(dir, 'big.dtb'))).toBe(false);
    expect(temporaries()).toEqual([]);
    expect(listing(tmp)).toEqual([]);
  }, 60_000);

  it('after an output has been written (its handler installed and removed), the next stage dies of a signal at once again', async () => {
    // Node restores the default action when the last listener goes: the second input's compile is unguarded
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(dir, 'small.dts'), '/dts-v1/;\n/ { model = "small"; };\n');
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const r = await interruptWhen(['compile', '-q', '--jobs', '1', '--out-dir', 'out', 'small.dts', 'big.dts'], dir, tmp, 'SIGINT', afterCpu(1000, () => fs.existsSync(path.join(out, 'small.dtb'))));
    expectKilledBy(r, 'SIGINT');
    expect(listing(out)).toEqual(['small.dtb']);
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while it writes a 180 MB blob: the temporary is removed and never renamed', async (signal) => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    // the temporary exists and is being written
    const writing = () => temporaries().some((t) => fs.statSync(path.join(dir, t), { throwIfNoEntry: false })?.size);
    const r = await interruptWhen(['compile', '-q', '--limit', 'input-bytes=256M', '-o', 'huge.dtb', 'huge.dts'], dir, tmp, signal, writing);
    expectKilledBy(r, signal);
    expect(fs.existsSync(path.join(dir, 'huge.dtb'))).toBe(false);
    expect(temporaries()).toEqual([]);
  }, 60_000);
});

/** A git repository holding a kernel-layout tree (no scripts/dtc/include-prefixes: one is made in TMPDIR) with a big board. */
function kernelRepo(name: string): string {
  const root = path.join(work, name);
  const dts = path.join(root, 'arch/arm64/boot/dts/acme');
  fs.mkdirSync(dts, { recursive: true });
  fs.writeFileSync(path.join(dts, 'Makefile'), 'dtb-$(CONFIG_ARCH_ACME) += board.dtb\n');
  // about 2 s of CPU to check, per side
  fs.writeFileSync(path.join(dts, 'board.dts'), bigTree(4000));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'acme board');
  return root;
}

/** The repository's worktrees beyond its own, and what .git/worktrees still records. */
function worktreesOf(repo: string): string[] {
  const listed = git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).slice(1);
  const admin = path.join(repo, '.git/worktrees');
  return [...listed, ...(fs.existsSync(admin) ? fs.readdirSync(admin) : [])];
}

const reviewFolders = (tmp: string) => listing(tmp).filter((f) => f.startsWith('dtoc-review-')).length;

describe('review and hook: temporary worktrees', () => {
  let repo = '';
  let patch = '';
  beforeAll(() => {
    repo = kernelRepo('review-repo');
    const board = path.join(repo, 'arch/arm64/boot/dts/acme/board.dts');
    fs.writeFileSync(board, bigTree(4000, 'acme rev 2'));
    patch = path.join(work, 'model.diff');
    fs.writeFileSync(patch, git(repo, 'diff'));
    git(repo, 'checkout', '-q', '--', '.');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while review checks the patched tree: no report, and the worktrees, their records and the include prefixes are gone', async (signal) => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    // both worktrees are there, and the checking has begun
    const r = await interruptWhen(['review', patch, '--tree', repo], repo, tmp, signal, afterCpu(500, () => reviewFolders(tmp) === 2));
    expectKilledBy(r, signal);
    expect(await settled(() => listing(tmp).length === 0), listing(tmp).join(', ')).toBe(true);
    expect(await settled(() => worktreesOf(repo).length === 0), worktreesOf(repo).join(', ')).toBe(true);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the hook checks the staged change in its worktree: no report, nothing left', async (signal) => {
    const hookRepo = kernelRepo(`hook-repo-${signal}`);
    const board = path.join(hookRepo, 'arch/arm64/boot/dts/acme/board.dts');
    fs.writeFileSync(board, bigTree(4000, 'acme rev 2'));
    git(hookRepo, 'add', '-A');
    // An unstaged Makefile edit: the staged change cannot be checked in the working tree itself
    // (src/cli/hook.ts), so the hook makes its worktree.
    const makefile = path.join(hookRepo, 'arch/arm64/boot/dts/acme/Makefile');
    fs.appendFileSync(makefile, '# unstaged\n');
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const r = await interruptWhen(['hook'], hookRepo, tmp, signal, afterCpu(500, () => reviewFolders(tmp) === 1));
    expectKilledBy(r, signal);
    expect(await settled(() => listing(tmp).length === 0), listing(tmp).join(', ')).toBe(true);
    expect(await settled(() => worktreesOf(hookRepo).length === 0), worktreesOf(hookRepo).join(', ')).toBe(true);
    // what was staged is still staged, and nothing else changed
    expect(git(hookRepo, 'status', '--porcelain')).toBe(' M arch/arm64/boot/dts/acme/Makefile\nM  arch/arm64/boot/dts/acme/board.dts\n');
  }, 60_000);

  it('SIGKILL in the middle of review: the janitors still remove the worktrees and the include prefixes', async () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const r = await interruptWhen(['review', patch, '--tree', repo], repo, tmp, 'SIGKILL', afterCpu(500, () => reviewFolders(tmp) === 2));
    expect(r.signal).toBe('SIGKILL');
    expect(await settled(() => listing(tmp).length === 0), listing(tmp).join(', ')).toBe(true);
    expect(await settled(() => worktreesOf(repo).length === 0), worktreesOf(repo).join(', ')).toBe(true);
  }, 60_000);
});

describe('the janitor', () => {
  it('stops the command working in the folder of a run killed with SIGKILL, then removes the folder', async () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    // src/janitor.ts on its own (it imports only Node's modules), run by a plain node process
    const module = path.join(work, 'janitor.mjs');
    fs.writeFileSync(module, transformSync(fs.readFileSync(path.join(repoRoot, 'src/janitor.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code);
    const script = `
      import { spawn } from 'node:child_process';
      import * as fs from 'node:fs';
      const { makeWatchedFolder } = await import(${JSON.stringify(module)});
      const folder = makeWatchedFolder('dtoc-test-');
      fs.writeFileSync(folder.dir + '/inside', 'x');
      const worker = spawn('sleep', ['60'], { cwd: folder.dir, stdio: 'ignore' });
      folder.working(worker.pid);
      process.stdout.write(JSON.stringify({ dir: folder.dir, pid: worker.pid }) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'inherit'] });
    const { dir, pid } = await new Promise<{ dir: string; pid: number }>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(String(d)))));
    expect(fs.existsSync(path.join(dir, 'inside'))).toBe(true);
    child.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return !/^State:\s*Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(await settled(() => !alive()), 'the sleep in the folder was stopped').toBe(true);
    expect(await settled(() => listing(tmp).length === 0), listing(tmp).join(', ')).toBe(true);
  }, 30_000);

  it('a dismissed janitor leaves the folder alone', async () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const module = path.join(work, 'janitor.mjs');
    if (!fs.existsSync(module)) fs.writeFileSync(module, transformSync(fs.readFileSync(path.join(repoRoot, 'src/janitor.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const { makeWatchedFolder } = await import(${JSON.stringify(module)}); const f = makeWatchedFolder('dtoc-kept-'); f.dismiss(); console.log(f.dir);`], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' }).trim();
    await sleep(500);
    expect(fs.statSync(out).isDirectory()).toBe(true);
  }, 30_000);
});
