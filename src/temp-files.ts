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
