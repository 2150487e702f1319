/**
 * Reading untrusted input files (docs/security.md): only regular files are read. A FIFO would
 * block `open` until a writer comes, a device like /dev/zero never ends; so a file is opened
 * without blocking (O_NONBLOCK), checked with fstat on that same descriptor (no race between the
 * check and the read), size-checked, and only then read. Used by every reader of input: the
 * preprocessor's `#include`, `/include/` and `/incbin/` (src/dts/source.ts), and each command's
 * input files.
 */
import * as fs from 'node:fs';
import { DiagnosticError } from './diagnostics.js';

/** What a non-regular file is, for messages. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A path that names something other than a regular file; `directory` tells folders apart. */
export class NotRegularFileError extends DiagnosticError {
  constructor(
    readonly file: string,
    readonly directory: boolean,
    readonly kind: string,
  ) {
    super({ rule: 'input/not-regular', severity: 'error', message: NotRegularFileError.describe(file, kind), span: { file, line: 1, column: 1 } });
    this.name = 'NotRegularFileError';
  }

  /** The message, naming the file as the reader wrote it (an `#include` name, say). */
  static describe(name: string, kind: string): string {
    return `${name} is ${kind}, not a regular file: only regular files are read`;
  }
}

/** A regular file larger than the caller allows, refused before reading it. */
export class FileTooLargeError extends Error {
  constructor(
    readonly file: string,
    readonly size: number,
  ) {
    super(`${file} is ${size} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * The bytes of `file` if it is a regular file of at most `maxBytes`. Throws NotRegularFileError,
 * FileTooLargeError, or the system error (ENOENT, EACCES) of opening it.
 */
export function readRegularFile(file: string, maxBytes = Number.MAX_SAFE_INTEGER): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(file, st.isDirectory(), kindOf(st));
    if (st.size > maxBytes) throw new FileTooLargeError(file, st.size);
    // Exactly the size fstat gave: a file growing while we read cannot grow what we keep.
    const bytes = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < bytes.length) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === bytes.length ? bytes : bytes.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Throws NotRegularFileError when `file` exists and is neither a regular file nor (if allowed) a
 * folder: a command's input is checked with this before anything opens it. A missing file passes
 * (reading it reports that).
 */
export function refuseNonRegularInput(file: string, allowDirectory = false): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return;
  }
  if (st.isFile() || (allowDirectory && st.isDirectory())) return;
  throw new NotRegularFileError(file, st.isDirectory(), kindOf(st));
}
