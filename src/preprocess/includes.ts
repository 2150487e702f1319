import { isAbsolute } from 'node:path';
import type { PreprocessCache } from './cache.js';
import type { LexedFile } from './lexer.js';

export interface FoundInclude {
  /** Name as cpp builds it: the folder as given + "/" + the name as written. */
  path: string;
  file: LexedFile;
  /** Index of the include dir it was found in; -1 for the includer's folder or an absolute name. */
  dirIndex: number;
}

export interface IncludeSearch {
  includeDirs: string[];
  readFile?: (path: string) => string;
}

/** The folder part of a path, with its trailing slash ('' for a bare name), as cpp prefixes it. */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

function joinDir(dir: string, name: string): string {
  return dir === '' || dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/**
 * cpp's search: `"name"` looks in the including file's folder first, then every include dir;
 * `<name>` only in the include dirs; `#include_next` resumes after the dir the includer came
 * from (`includerDir`, -1 when it was not found through the include dirs).
 */
export function findInclude(
  cache: PreprocessCache, search: IncludeSearch, name: string, angled: boolean, next: boolean,
  includerPath: string, includerDir: number,
): FoundInclude | null {
  const readFile = search.readFile;
  if (isAbsolute(name)) {
    const file = cache.load(name, readFile);
    return file === null ? null : { path: name, file, dirIndex: -1 };
  }
  const dirs = search.includeDirs;
  let first = 0;
  if (next && includerDir >= 0) first = includerDir + 1;
  else if (!angled && !next) {
    const path = folderOf(includerPath) + name;
    const file = cache.load(path, readFile);
    if (file !== null) return { path, file, dirIndex: -1 };
  }
  for (let d = first; d < dirs.length; d++) {
    const path = joinDir(dirs[d]!, name);
    const file = cache.load(path, readFile);
    if (file !== null) return { path, file, dirIndex: d };
  }
  return null;
}

/**
 * Identity of one include lookup (name as written + where the search starts). cpp's
 * multiple-include optimisation remembers guards per lookup, not per file.
 */
export function lookupKey(name: string, angled: boolean, next: boolean, includerPath: string, includerDir: number): string {
  const start = next ? `n${includerDir}` : angled ? 'b' : `q${folderOf(includerPath)}`;
  return `${start}\0${name}`;
}
