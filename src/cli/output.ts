/**
 * Writing results (docs/security.md): to stdout, or to a temporary file in the same folder that is
 * flushed and renamed into place, so an interrupted run never leaves a partial file. A target that
 * is not a regular file — a character device such as /dev/null, a FIFO, a socket, or a symbolic
 * link to one — is written through, as dtc's fopen() does: renaming over it would replace the
 * device with a file. An output that is one of the inputs is refused; a missing folder is an error
 * (folders are created only where a command is asked to, e.g. `compile --out-dir`). Ctrl-C
 * removes any temporary file still open and exits 130; a temporary left by a run that was killed
 * outright (SIGKILL) is removed by the next run writing the same output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticError } from '../diagnostics.js';

/** A result that cannot be written: the CLI prints it as one line and exits 2. */
export class OutputError extends DiagnosticError {
  constructor(file: string, message: string) {
    super({ rule: 'output/write', severity: 'error', message: `cannot write ${file}: ${message}` });
    this.name = 'OutputError';
  }
}

export interface WriteOptions {
  /** Files this run read: the output must not be any of them. */
  inputs?: readonly string[];
}

/** Temporary files being written right now (removed on Ctrl-C). */
const pending = new Set<string>();

/** Throws OutputError when writing `file` would replace one of `inputs`. */
export function refuseInputOverwrite(file: string, inputs: readonly string[]): void {
  let target: fs.Stats;
  try {
    target = fs.statSync(file);
  } catch {
    return; // nothing is there, so no input can be: every input exists
  }
  const resolved = path.resolve(file);
  const clash = inputs.find((input) => {
    if (input === '-') return false;
    if (path.resolve(input) === resolved) return true;
    try {
      const s = fs.statSync(input);
      return s.dev === target.dev && s.ino === target.ino;
    } catch {
      return false;
    }
  });
  if (clash !== undefined) throw new OutputError(file, `it is an input of this run (${clash}); refusing to overwrite it`);
}

/** `.NAME.dtoc-PID-RANDOM.tmp`: the pid lets a later run tell a dead run's leftover from a live write. */
const TEMPORARY = /^\.(.+)\.dtoc-(\d+)-[0-9a-z]+\.tmp$/;

function temporaryFor(dir: string, file: string): string {
  return path.join(dir, `.${path.basename(file)}.dtoc-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Removes temporaries of `file` left in `dir` by runs that no longer exist (killed by SIGKILL). */
function removeStaleTemporaries(dir: string, file: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const base = path.basename(file);
  for (const name of names) {
    const m = TEMPORARY.exec(name);
    if (!m || m[1] !== base) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !processIsAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** A target to write through rather than replace: it exists and is not a regular file or folder. */
function isSpecialFile(file: string): boolean {
  try {
    const st = fs.statSync(file); // follows a symbolic link, as fopen() does
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

/** Writes all of `bytes` to an open file. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

export function writeOutputAtomically(file: string, bytes: Uint8Array, options: WriteOptions = {}): void {
  if (file === '-') {
    process.stdout.write(bytes);
    return;
  }
  if (options.inputs) refuseInputOverwrite(file, options.inputs);
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new OutputError(file, `folder ${path.dirname(file)} does not exist`);
  if (isSpecialFile(file)) {
    try {
      const fd = fs.openSync(file, 'w');
      try {
        writeAll(fd, bytes);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      throw new OutputError(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
    return;
  }
  removeStaleTemporaries(dir, file);
  const temp = temporaryFor(dir, file);
  pending.add(temp);
  try {
    const fd = fs.openSync(temp, 'wx', 0o666);
    try {
      writeAll(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    if (err instanceof DiagnosticError) throw err;
    throw new OutputError(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  } finally {
    pending.delete(temp);
  }
}

/** Removes temporary files of writes in progress (called on interrupt). */
export function removePendingOutputs(): void {
  for (const temp of pending) fs.rmSync(temp, { force: true });
  pending.clear();
}

export const EXIT_INTERRUPTED = 130;

/**
 * Lets a pending Ctrl-C run its handler. Signals are handled between event-loop turns, so a
 * command that has been computing synchronously calls this before it writes anything: an
 * interrupted run then exits 130 without writing.
 */
export function yieldForSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Ctrl-C (and SIGTERM): remove temporary outputs, then exit 130 (143). Exiting the process ends
 * every worker thread (kernel mode), so no job outlives the interrupt.
 */
export function installInterruptHandler(): void {
  const stop = (signal: NodeJS.Signals, status: number) => () => {
    removePendingOutputs();
    process.stderr.write(`dtoverlay-check: interrupted (${signal})\n`);
    process.exit(status);
  };
  process.once('SIGINT', stop('SIGINT', EXIT_INTERRUPTED));
  process.once('SIGTERM', stop('SIGTERM', 143));
}

/** 128 + SIGPIPE: the status a shell reports for dtc when its reader goes away. */
export const EXIT_CLOSED_PIPE = 141;

/**
 * A closed stdout or stderr (`compile -O dts x.dts | head -c 10`): stop quietly, as dtc does (it
 * dies of SIGPIPE), instead of an uncaught `write EPIPE` with a stack. Temporary outputs go too.
 */
export function installClosedPipeHandler(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      removePendingOutputs();
      process.exit(EXIT_CLOSED_PIPE);
    });
  }
}
