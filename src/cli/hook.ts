/**
 * Pre-commit integration: `dtoverlay-check hook [FILE...]` checks what the given (or staged) files
 * affect and blocks only on the findings the change introduces (those already at HEAD are counted,
 * not reported); `--all` blocks on every finding. `dtoverlay-check install-hook` writes a plain
 * git pre-commit hook running it. The engine is src/review/hook.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT_FINDINGS, EXIT_USAGE } from './exit-codes.js';
import { addReportOptions, collect, type ReportCliOptions } from './check.js';
import type { BeforeSide } from '../review/hook.js';

interface HookCliOptions extends ReportCliOptions {
  include: string[];
  jobs?: string;
  all?: boolean;
}

export function registerHook(program: Command, run: (status: Promise<number>) => void): void {
  const hook = program
    .command('hook')
    .description('check what the given files (default: the change staged in git) affect; block only on what the change introduces: for pre-commit')
    .argument('[files...]', 'changed files (.dts, .dtsi, .dtso, .yaml); default: the staged files, checked as staged')
    .option('-i, --include <dir>', 'include folder outside a Linux tree (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads in a Linux tree')
    .option('--all', 'report and block on every finding in what the change affects, not only on those not already at HEAD');
  addReportOptions(hook).action((files: string[], opts: HookCliOptions) => run(hookCommand(files, opts)));
  program
    .command('install-hook')
    .description('install a git pre-commit hook that runs `dtoverlay-check hook` on the staged files')
    .option('--force', 'replace an existing pre-commit hook')
    .action((opts: { force?: boolean }) => run(installHook(opts)));
}

function git(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr || r.error?.message || '').trim() };
}

const DT_FILE = /\.(dts|dtsi|dtso|yaml)$/;

/**
 * Paths (from the git top) whose working-tree content differs from the index: unstaged edits and
 * deletions, and untracked files (ignored ones are not listed).
 */
export function unstagedPaths(top: string): { changed: Set<string>; blocking: string[] } | undefined {
  const r = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], { cwd: top, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return undefined;
  const changed = new Set<string>();
  const blocking: string[] = [];
  for (const entry of r.stdout.split('\0')) {
    if (entry.length < 4 || entry[1] === ' ') continue;
    const file = entry.slice(3);
    changed.add(file);
    // What a run reads without listing it as read: the Makefiles that name the targets, the
    // bindings and configuration, the include-prefix links, and a source deleted in the working
    // tree (an include the staged tree would find).
    if (/(^|\/)Makefile$|\.(ya?ml)$|^scripts\/dtc\//.test(file) || (entry[1] === 'D' && /\.(dts|dtsi|dtso|h)$/.test(file))) blocking.push(file);
  }
  return { changed, blocking };
}

/** Whether every file `read` inside `top` is tracked and unchanged in the working tree. */
function readAsStaged(top: string, read: string[], unstaged: Set<string>): boolean {
  const inside = read.map((f) => path.relative(top, f)).filter((rel) => rel && !rel.startsWith('..') && !path.isAbsolute(rel));
  if (inside.some((rel) => unstaged.has(rel))) return false;
  if (!inside.length) return true;
  const r = spawnSync('git', ['ls-files', '-z', '--', ...inside.map((rel) => `:(literal)${rel}`)], { cwd: top, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return false;
  const tracked = new Set(r.stdout.split('\0').filter(Boolean));
  return inside.every((rel) => tracked.has(rel));
}

export async function hookCommand(files: string[], opts: HookCliOptions): Promise<number> {
  if (opts.jobs !== undefined && !/^[1-9][0-9]*$/.test(opts.jobs)) {
    process.stderr.write(`dtoverlay-check hook: --jobs ${opts.jobs}: expected a positive number\n`);
    return EXIT_USAGE;
  }
  const { gitTop, isRevision, addWorktree, applyStaged, ReviewError } = await import('../review/worktree.js');
  const top = gitTop(process.cwd());
  let changed = files;
  if (!changed.length) {
    if (!top) {
      process.stderr.write(`dtoverlay-check hook: no files given and not in a git repository (${git(['rev-parse', '--show-toplevel']).err})\n`);
      return EXIT_USAGE;
    }
    const staged = git(['diff', '--cached', '--name-only', '--diff-filter=ACMR']);
    changed = staged.out.split('\n').filter(Boolean).map((f) => path.join(top, f));
  }
  changed = changed.filter((f) => DT_FILE.test(f)).map((f) => path.resolve(f));
  const { loadConfigForCommand } = await import('../config/load.js');
  const { config, failed } = await loadConfigForCommand(process.cwd(), opts.config);
  if (failed) return EXIT_USAGE;
  const say = (line: string) => {
    if (!opts.quiet) process.stderr.write(`dtoverlay-check hook: ${line}\n`);
  };
  // --update-baseline records every finding, so it compares with nothing (as --all).
  let compare = !opts.all && !opts.updateBaseline;
  if (compare && !top) {
    say('not in a git repository: every finding blocks (as --all)');
    compare = false;
  } else if (compare && !isRevision(top!, 'HEAD')) {
    say('no commit yet: every finding blocks (as --all)');
    compare = false;
  }
  const root = top ?? process.cwd();
  const worktrees: { remove(): Promise<void> }[] = [];
  try {
    let afterRoot = root;
    let before: BeforeSide | undefined;
    let unstaged: ReturnType<typeof unstagedPaths>;
    const stagedCopy = async () => {
      const staged = await addWorktree(root, 'HEAD');
      worktrees.push(staged);
      await applyStaged(staged, root);
      return staged.dir;
    };
    if (compare && changed.length) {
      // HEAD is checked out only for what its cached findings lack (src/review/head-cache.ts).
      // The commit is pinned now: a commit made meanwhile must not be checked under this tree id.
      const commit = git(['rev-parse', 'HEAD']).out.trim();
      let head: Promise<string> | undefined;
      const checkout = () =>
        (head ??= addWorktree(root, commit).then((copy) => {
          worktrees.push(copy);
          return copy.dir;
        }));
      before = { treeId: git(['rev-parse', `${commit}^{tree}`]).out.trim(), checkout };
      // No files given: what is staged, not the working tree (given files: as they are, e.g.
      // pre-commit's, which stashes unstaged changes first). The working tree itself serves when
      // nothing the runs read differs there from the index (checked after the run); else a copy
      // of HEAD with the staged change applied (seconds for a whole kernel tree).
      if (!files.length) {
        unstaged = top ? unstagedPaths(top) : undefined;
        if (!unstaged || unstaged.blocking.length) afterRoot = await stagedCopy();
      }
    }
    const { runHook } = await import('../review/hook.js');
    const { defaultJobs } = await import('../kernel/run.js');
    const hookOptions = { changed, root, afterRoot, before, include: opts.include, jobs: opts.jobs ? Number(opts.jobs) : defaultJobs(), config };
    let run = await runHook(hookOptions);
    if (afterRoot === root && unstaged && !readAsStaged(root, run.read, unstaged.changed)) {
      run = await runHook({ ...hookOptions, afterRoot: await stagedCopy() });
    }
    const { report, existing, unbuilt } = run;
    for (const file of unbuilt) say(`note: ${path.relative(process.cwd(), file) || file} is built by no Makefile target: checked on its own`);
    const { emitReport } = await import('./check-run.js');
    const status = await emitReport(report, opts, config);
    if (compare) {
      const { reportExisting } = await import('./check-since.js');
      reportExisting(existing, 'HEAD', opts);
    }
    if (status === EXIT_FINDINGS && !opts.quiet) {
      const baseline = opts.baseline ?? config?.config.baseline ?? '.dtoverlay-check-baseline.json';
      process.stderr.write(
        [
          `dtoverlay-check hook: blocked: ${compare ? 'the change introduces findings' : 'findings'} at or above --fail-on ${opts.failOn}.`,
          '  to commit anyway, this once:  git commit --no-verify',
          `  to accept them for good:      dtoverlay-check hook --all --baseline ${baseline} --update-baseline`,
          `                                and commit ${baseline} with \`baseline: ${baseline}\` in .dtoverlay-check.yaml`,
          '',
        ].join('\n'),
      );
    }
    return status;
  } catch (err) {
    const { LayoutError } = await import('../kernel/layout.js');
    const { KernelUsageError } = await import('../kernel/run.js');
    if (err instanceof ReviewError || err instanceof LayoutError || err instanceof KernelUsageError) {
      process.stderr.write(`dtoverlay-check hook: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  } finally {
    for (const w of worktrees.reverse()) await w.remove();
  }
}

/** The path of the program to put in the hook: our bin script, beside the bundle or the sources. */
function programPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const bin = path.join(dir, 'bin/dtoverlay-check.js');
    if (fs.existsSync(bin)) return bin;
    dir = path.dirname(dir);
  }
  return 'dtoverlay-check';
}

export async function installHook(opts: { force?: boolean }): Promise<number> {
  const hooks = git(['rev-parse', '--git-path', 'hooks']);
  if (!hooks.ok) {
    process.stderr.write(`dtoverlay-check install-hook: not in a git repository (${hooks.err})\n`);
    return EXIT_USAGE;
  }
  const dir = path.resolve(hooks.out.trim());
  const file = path.join(dir, 'pre-commit');
  if (fs.existsSync(file) && !opts.force) {
    process.stderr.write(`dtoverlay-check install-hook: ${file} exists (use --force to replace it)\n`);
    return EXIT_USAGE;
  }
  const program = programPath();
  const command = program === 'dtoverlay-check' ? 'dtoverlay-check' : `"${process.execPath}" "${program}"`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    file,
    `#!/bin/sh\n# Installed by dtoverlay-check install-hook: checks what the staged device-tree files affect.\nexec ${command} hook\n`,
    { mode: 0o755 },
  );
  process.stdout.write(`installed ${file}\n`);
  return 0;
}
