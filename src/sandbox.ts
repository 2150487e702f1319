/**
 * The include sandbox (docs/security.md): `#include`, `/include/` and `/incbin/` may read only
 * under the input's folder, the `-i` folders and the kernel tree root. A name that resolves
 * elsewhere — an absolute path, a `..` escape, a symlink pointing out — is refused, unless the
 * user passed `--allow-outside-includes`. Roots and files are compared by real path, so a link
 * inside a root that points out is caught, and a root reached through a link still works.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Sandbox {
  /** Real paths of the folders reads may come from. */
  readonly roots: readonly string[];
}

function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    // a name that does not exist yet: its real folder joined with its base name
    const dir = path.dirname(abs);
    return dir === abs ? abs : path.join(realOrResolved(dir), path.basename(abs));
  }
}

/** A sandbox over `roots` (folders; duplicates and missing ones are fine). */
export function makeSandbox(roots: Iterable<string>): Sandbox {
  return { roots: [...new Set([...roots].map(realOrResolved))] };
}

/** The input files' folders, the include folders and any extra roots (`--tree`). */
export function sandboxFor(inputs: string[], includeDirs: string[], extraRoots: string[] = []): Sandbox {
  return makeSandbox([...inputs.map((f) => path.dirname(path.resolve(f))), ...includeDirs, ...extraRoots]);
}

/** Why reading `file` is refused, or undefined when it lies inside a root. */
export function sandboxRefusal(sandbox: Sandbox, file: string, asWritten = file): string | undefined {
  const real = realOrResolved(file);
  for (const root of sandbox.roots) {
    if (real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return undefined;
  }
  const why = path.isAbsolute(asWritten)
    ? 'an absolute path'
    : asWritten.split(/[\\/]/).includes('..')
      ? "a '..' escape"
      : real !== path.resolve(file)
        ? 'a symbolic link'
        : 'a path';
  return `refusing to read "${asWritten}": ${why} outside the input's folder and the include folders (${real}); pass --allow-outside-includes to allow it`;
}
