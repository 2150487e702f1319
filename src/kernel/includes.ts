/**
 * The include graph for `--changed`: which files a source pulls in through `#include` and
 * `/include/`, found by scanning the text (no full preprocess: a changed header should select
 * every board that could include it, and scanning is a thousand times cheaper than compiling).
 * Includes inside `#if` blocks count as included. Only files inside the tree (by real path) are
 * followed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, sandboxRefusal, type Sandbox } from '../sandbox.js';

const INCLUDE = /^[ \t]*(?:#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]|\/include\/[ \t]*"([^"\n]+)")/gm;

export class IncludeGraph {
  private readonly direct = new Map<string, string[]>();

  private readonly tree: Sandbox | undefined;

  /** `root`: the tree; an include that resolves outside it by real path is not followed. */
  constructor(
    private readonly searchDirs: string[],
    root?: string,
  ) {
    this.tree = root === undefined ? undefined : makeSandbox([root]);
  }

  /** Files `file` includes directly, resolved like cpp: quotes search the file's folder first. */
  includesOf(file: string): string[] {
    let found = this.direct.get(file);
    if (found) return found;
    found = [];
    let text = '';
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch {
      this.direct.set(file, found);
      return found;
    }
    for (const m of text.matchAll(INCLUDE)) {
      const name = m[2] ?? m[3];
      const dirs = m[1] === '<' ? this.searchDirs : [path.dirname(file), ...this.searchDirs];
      for (const dir of dirs) {
        const candidate = path.resolve(dir, name);
        if (fs.existsSync(candidate)) {
          if (!this.tree || !sandboxRefusal(this.tree, candidate)) found.push(candidate);
          break;
        }
      }
    }
    this.direct.set(file, found);
    return found;
  }

  /** `file` and everything it includes, transitively; paths with symlinks resolved. */
  closure(file: string): Set<string> {
    const seen = new Set<string>();
    const stack = [file];
    while (stack.length) {
      const f = stack.pop() as string;
      const real = realpath(f);
      if (seen.has(real)) continue;
      seen.add(real);
      stack.push(...this.includesOf(f));
    }
    return seen;
  }
}

export function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
