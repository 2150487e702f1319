/**
 * The file system as a C program sees it, for the places where we must behave like dtc: folder
 * entries in the order readdir(3) gives them (Node's readdirSync sorts them: libuv's scandir), and
 * errors in strerror(3)'s words.
 */
import * as fs from 'node:fs';

/** A folder's entries in the order the OS lists them, without "." and "..", as dtc's fstree.c sees them. */
export function readdirAsListed(folder: string): fs.Dirent[] {
  const dir = fs.opendirSync(folder);
  const entries: fs.Dirent[] = [];
  try {
    for (let entry = dir.readSync(); entry; entry = dir.readSync()) entries.push(entry);
  } finally {
    dir.closeSync();
  }
  return entries;
}

/** glibc's strerror text for the errors a file read can give. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  EIO: 'Input/output error',
};

/** strerror(errno) for a Node file-system error: "No such file or directory", not "ENOENT". */
export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && STRERROR[code]) ?? code ?? (err as Error).message;
}
