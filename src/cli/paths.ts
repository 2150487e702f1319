/**
 * Options that name files or folders (`--bindings`, `--core-schemas`, `--rsc-table`, …): a missing
 * one is an input error found before any work (exit 2, one line), not a silently empty run.
 */
import * as fs from 'node:fs';

export type PathKind = 'file' | 'folder' | 'file or folder';

/** The first problem among `[option, paths, kind]` entries, as `--bindings /x: no such folder` (option '' for an argument). */
export function pathProblem(entries: [option: string, paths: string | readonly string[] | undefined, kind: PathKind][]): string | undefined {
  for (const [option, paths, kind] of entries) {
    for (const p of typeof paths === 'string' ? [paths] : (paths ?? [])) {
      const what = option ? `${option} ${p}` : p;
      let isDir: boolean;
      try {
        isDir = fs.statSync(p).isDirectory();
      } catch {
        return `${what}: no such ${kind}`;
      }
      if (kind === 'folder' && !isDir) return `${what}: not a folder`;
      if (kind === 'file' && isDir) return `${what}: is a folder`;
    }
  }
  return undefined;
}
