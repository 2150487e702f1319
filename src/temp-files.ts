/**
 * Temporary files written beside their target and renamed into place (outputs, cache entries), so
 * a reader sees the old file or the whole new one. Each is named `.NAME.dtoc-PID-RANDOM.tmp`: the
 * pid lets a later run tell a killed run's leftover (SIGKILL, or a signal during a cache write,
 * which runs synchronously) from a write in progress, and the next run writing the same file
 * removes it (docs/security.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const TEMPORARY = /^\.(.+)\.dtoc-(\d+)-[0-9a-z]+\.tmp$/;

/** A fresh temporary name for `file`, in the folder `dir`. */
export function temporaryFor(dir: string, file: string): string {
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

/** Removes temporaries of `file` left in `dir` by runs that no longer exist. */
export function removeStaleTemporaries(dir: string, file: string): void {
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

/**
 * Replaces `file` with `data` through a temporary (cache entries: synchronous, in the middle of a
 * run). Throws what the file system throws; the temporary is gone either way.
 */
export function replaceFileSync(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  removeStaleTemporaries(dir, file);
  const temp = temporaryFor(dir, file);
  try {
    fs.writeFileSync(temp, data, { flag: 'wx' });
    fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * The identity `stat` gives a file (device, inode, size, modification and change times in ns).
 * Every cache file is replaced through a rename, so a new write is a new inode; an edit in place
 * changes the times.
 */
function identity(st: fs.BigIntStats): string {
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(' ');
}

/** Where the identity of a file written by replaceFileRecorded() is kept. */
const identityFile = (file: string): string => `${file}.written`;

/**
 * replaceFileSync(), then a note beside the file of the identity it has now: a reader that finds
 * the file as it was written may skip the check of its bytes (isAsRecorded()). Cache files of
 * megabytes are read by every fresh process (kbuild starts one per DTB); hashing them costs more
 * than reading them.
 */
export function replaceFileRecorded(file: string, data: string | Uint8Array): void {
  replaceFileSync(file, data);
  try {
    replaceFileSync(identityFile(file), identity(fs.statSync(file, { bigint: true })));
  } catch {
    // without the note, readers check the bytes
  }
}

/** Whether `file` is still the one replaceFileRecorded() wrote (same identity); false when unsure. */
export function isAsRecorded(file: string): boolean {
  try {
    return fs.readFileSync(identityFile(file), 'utf8') === identity(fs.statSync(file, { bigint: true }));
  } catch {
    return false;
  }
}

/** Removes a file written by replaceFileRecorded() and its note. */
export function removeRecorded(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(identityFile(file), { force: true });
}
