/**
 * Temporary folders a run makes (git worktrees for review, hook and `check --new-since`; a kernel
 * tree's include-prefix links) are each watched by a janitor, so that no way of ending the run
 * leaves one behind (docs/security.md, "Signals").
 *
 * The run does its work with no signal handler at all (SIGINT and SIGTERM take their default
 * action at once, even in the middle of a synchronous stage), so it cannot clean up after itself
 * when killed. The janitor is a small `sh` started before the folder is made, in a session of its
 * own (a Ctrl-C at the terminal does not reach it), ignoring SIGINT, SIGTERM and SIGHUP, and reading
 * a pipe only this process holds open. When the run removes the folder itself, it dismisses the
 * janitor. When the run ends any other way — a signal, SIGKILL, a crash — the pipe closes: the
 * janitor stops the git command still working in the folder (SIGTERM, which git answers by removing
 * what it was creating), waits for it, and removes the folder and, for a worktree, the repository's
 * record of it.
 *
 * Not on Windows (no `sh`; signals do not work that way there): there the folder is only removed
 * by the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// $1: the folder; $2: the git repository it is a worktree of (empty: a plain folder).
// Lines read: "pid N" (a command now working in the folder), "idle" (it ended), "done" (dismissed).
const SCRIPT = `
trap '' INT TERM HUP
pid=
while IFS= read -r line; do
  case $line in
    done) exit 0 ;;
    idle) pid= ;;
    'pid '*) pid=\${line#pid } ;;
  esac
done
if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
  i=0
  while [ $i -lt 150 ] && kill -0 "$pid" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; do
    sleep 0.02 2>/dev/null || sleep 1
    i=$((i + 1))
  done
  kill -KILL "$pid" 2>/dev/null
fi
if [ -n "$2" ]; then git -C "$2" worktree remove --force --force "$1" >/dev/null 2>&1; fi
rm -rf "$1"
if [ -n "$2" ]; then git -C "$2" worktree prune >/dev/null 2>&1; fi
`;

export interface WatchedFolder {
  /** The folder: new, empty, the real path of a folder in the OS temporary folder. */
  dir: string;
  /** A child process now working in the folder: stopped first should the run be killed. */
  working(pid: number | undefined): void;
  /** That process has ended. */
  idle(): void;
  /** The run removed the folder itself: the janitor leaves without doing anything. */
  dismiss(): void;
}

function startJanitor(dir: string, gitRepo: string | undefined): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const child = spawn('/bin/sh', ['-c', SCRIPT, 'dtoverlay-check-janitor', dir, gitRepo ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    cwd: '/',
  });
  // A janitor that cannot start (no /bin/sh) or that died leaves the folder to the run alone.
  child.on('error', () => {});
  child.stdin!.on('error', () => {});
  // Neither the janitor nor its pipe keeps this process running.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child;
}

/**
 * Makes a new folder `<os temp>/<prefix>RANDOM`, watched by a janitor (`gitRepo`: it will be a git
 * worktree of that repository). The janitor is started before the folder exists, so there is no
 * moment when the folder is there and nobody would remove it.
 */
export function makeWatchedFolder(prefix: string, gitRepo?: string): WatchedFolder {
  const tmp = fs.realpathSync(os.tmpdir());
  for (;;) {
    const dir = path.join(tmp, `${prefix}${Math.random().toString(36).slice(2, 10)}`);
    if (fs.existsSync(dir)) continue;
    const janitor = startJanitor(dir, gitRepo);
    const say = (line: string) => {
      if (janitor?.stdin?.writable) janitor.stdin.write(`${line}\n`);
    };
    const watched: WatchedFolder = {
      dir,
      working: (pid) => {
        if (pid !== undefined) say(`pid ${pid}`);
      },
      idle: () => say('idle'),
      dismiss: () => {
        say('done');
        janitor?.stdin?.end();
      },
    };
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      watched.dismiss();
      // Someone made that name meanwhile: the janitor must not remove their folder.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    return watched;
  }
}
