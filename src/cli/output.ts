/**
 * Writing results (docs/security.md): to stdout, or to a temporary file in the same folder that is
 * flushed and renamed into place, so an interrupted run never leaves a partial file. A symbolic
 * link is followed, as dtc's fopen() does: the temporary is renamed onto the file it points to
 * (which is created if the link dangles), and the link stays. A target that is not a regular file
 * — a character device such as /dev/null, a FIFO, a socket, or a link to one — is written
 * through: renaming over it would replace the device with a file. An output that is one of the
 * inputs (by real path, or the same file through a hard link) is refused; a missing folder is an
 * error (folders are created only where a command is asked to, e.g. `compile --out-dir`).
 *
 * Signals. The CLI has no SIGINT/SIGTERM handler while it computes: a signal takes its default
 * action at once, even in the middle of a long synchronous stage, before anything is written, and
 * the process dies of it (a shell reports 130 or 143). Only while a temporary output exists is a
 * handler installed; the write is asynchronous then, so the handler runs at once: it removes the
 * temporary and dies of the same signal, and the rename never happens once a signal has come.
 * Temporary folders are the janitor's (src/janitor.ts). A temporary left by SIGKILL is removed by
 * the next run writing the same output (src/temp-files.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagnosticError } from '../diagnostics.js';
import { removeStaleTemporaries, temporaryFor } from '../temp-files.js';

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

/** Symbolic links followed to find where a write lands, as the kernel allows (ELOOP beyond). */
const MAX_LINKS = 40;

/**
 * Where writing `file` lands, as an absolute path: symbolic links followed (also a dangling one,
 * to the file it names, which fopen() would create), the folders on the way resolved.
 */
export function outputTarget(file: string): string {
  let current = path.resolve(file);
  for (let links = 0; links <= MAX_LINKS; links++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(current);
    } catch {
      return realFolder(current); // nothing there (yet): the write creates it
    }
    if (!st.isSymbolicLink()) return realFolder(current);
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
  throw new OutputError(file, `more than ${MAX_LINKS} symbolic links (ELOOP)`);
}

/** `file` with its folder's real path, when the folder exists. */
function realFolder(file: string): string {
  try {
    return path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
  } catch {
    return file;
  }
}

function realOrResolved(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Throws OutputError when writing `file` would replace one of `inputs` (by real path, or the same file through a hard link). */
export function refuseInputOverwrite(file: string, inputs: readonly string[]): void {
  const landing = outputTarget(file);
  let target: fs.Stats;
  try {
    target = fs.statSync(landing);
  } catch {
    return; // nothing is there, so no input can be: every input exists
  }
  const clash = inputs.find((input) => {
    if (input === '-') return false;
    if (realOrResolved(input) === landing) return true;
    try {
      const s = fs.statSync(input);
      return s.dev === target.dev && s.ino === target.ino;
    } catch {
      return false;
    }
  });
  if (clash !== undefined) throw new OutputError(file, `it is an input of this run (${clash}); refusing to overwrite it`);
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
function writeAllSync(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Bytes written and flushed at a time. One write(2) holds the file's lock until it returns, so
 * removing the temporary on a signal waited for all of a 300 MB write (up to 2 s under load); and
 * a process cannot finish dying while a thread waits in fsync(2) for the disk. Chunks bound both
 * to one chunk's worth (measured: a signal during a 300 MB write ended the run in 90–200 ms, against
 * 0.7–2.4 s in one piece). A typical blob is one chunk: one write, one fsync, as before.
 */
const CHUNK_BYTES = 8 << 20;

/** Writes all of `bytes` to an open file and flushes it, off the main thread (so a signal is handled meanwhile). */
async function writeAndSync(fd: number, bytes: Uint8Array): Promise<void> {
  const write = (offset: number) =>
    new Promise<number>((resolve, reject) => fs.write(fd, bytes, offset, Math.min(CHUNK_BYTES, bytes.length - offset), null, (err, n) => (err ? reject(err) : resolve(n))));
  const flush = () => new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  let done = 0;
  do {
    const end = Math.min(done + CHUNK_BYTES, bytes.length);
    while (done < end) done += await write(done);
    await flush();
  } while (done < bytes.length);
}

export async function writeOutput(file: string, bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
  if (file === '-') {
    process.stdout.write(bytes);
    return;
  }
  if (options.inputs) refuseInputOverwrite(file, options.inputs);
  if (isSpecialFile(file)) {
    try {
      const fd = fs.openSync(file, 'w');
      try {
        writeAllSync(fd, bytes);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      throw new OutputError(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
    return;
  }
  const target = outputTarget(file);
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) throw new OutputError(file, `folder ${target === path.resolve(file) ? path.dirname(file) : dir} does not exist`);
  removeStaleTemporaries(dir, target);
  const temp = temporaryFor(dir, target);
  holdTemporary(temp);
  try {
    const fd = fs.openSync(temp, 'wx', 0o666);
    try {
      await writeAndSync(fd, bytes);
    } finally {
      fs.closeSync(fd);
    }
    await nextTurn(); // a signal that came during the write is handled now, and there is no rename
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    if (err instanceof DiagnosticError) throw err;
    throw new OutputError(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  } finally {
    await releaseTemporary(temp);
  }
}

/** Temporary files being written right now: removed on a signal or a closed pipe. */
const pending = new Set<string>();

/** Signals whose default action ends the process: while a temporary exists, they remove it first. */
const CAUGHT: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Removes temporary files of writes in progress. */
export function removePendingOutputs(): void {
  for (const temp of pending) fs.rmSync(temp, { force: true });
  pending.clear();
}

/** Remove what is being written, then die of the signal, as the process would have without us. */
function onSignal(signal: NodeJS.Signals): void {
  removePendingOutputs();
  listen(false);
  // With no listener left Node restores the default action: the signal ends the process.
  process.kill(process.pid, signal);
  process.exit(128 + (os.constants.signals[signal] ?? 0));
}

let listening = false;

function listen(on: boolean): void {
  if (on === listening) return;
  for (const s of CAUGHT) {
    if (on) process.on(s, onSignal);
    else process.removeListener(s, onSignal);
  }
  listening = on;
}

function holdTemporary(temp: string): void {
  pending.add(temp);
  listen(true);
}

/**
 * Forgets a temporary (renamed or removed). With none left, the handler goes, so the stages that
 * follow die of a signal at once again; one more turn of the event loop first, so a signal that
 * came meanwhile is handled rather than dropped with the handler.
 */
async function releaseTemporary(temp: string): Promise<void> {
  pending.delete(temp);
  if (pending.size > 0) return;
  await nextTurn();
  if (pending.size === 0) listen(false);
}

/** One turn of the event loop: signals that arrived meanwhile are handled in it (poll phase, before setImmediate). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
