/**
 * Finding and reading the files a source names (`/include/`, `/incbin/`) the way dtc's srcpos.c
 * does: relative to the folder of the including file first (the working folder for the top
 * file), then each `-i` search folder in order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sandboxRefusal, type Sandbox } from '../sandbox.js';

export interface OpenedSource {
  /** dtc's `fullname`: the folder joined with the name, as used in positions. */
  path: string;
  /** Contents as a byte string (one char per byte). */
  text: string;
  /** The name is a folder: fopen() succeeds on it, so dtc stops there, then fails to read it. */
  directory?: boolean;
  /** Set (and `text` empty) when the include sandbox refuses the file: the reason. */
  refused?: string;
}

export interface SourceHost {
  open(name: string, currentDir: string | undefined): OpenedSource | undefined;
  openBinary(name: string, currentDir: string | undefined): { path: string; bytes: Uint8Array; refused?: string } | undefined;
}

/** dtc's join_path. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export interface FileSourceHostOptions {
  searchPaths?: string[];
  /** Working folder that relative names are read from (the process's cwd by default). */
  cwd?: string;
  /** Shared between compiles of one batch run, so headers are read once. */
  cache?: Map<string, Buffer | null>;
  /** Refuse `/include/` and `/incbin/` files outside these roots (docs/security.md). */
  sandbox?: Sandbox;
}

export class FileSourceHost implements SourceHost {
  private readonly searchPaths: string[];
  private readonly cwd: string;
  private readonly cache: Map<string, Buffer | null>;
  private readonly sandbox: Sandbox | undefined;

  constructor(options: FileSourceHostOptions = {}) {
    this.searchPaths = options.searchPaths ?? [];
    this.cwd = options.cwd ?? process.cwd();
    this.cache = options.cache ?? new Map();
    this.sandbox = options.sandbox;
  }

  private refusal(found: string, name: string): string | undefined {
    return this.sandbox && sandboxRefusal(this.sandbox, path.resolve(this.cwd, found), name);
  }

  read(name: string): Buffer | undefined {
    const full = path.resolve(this.cwd, name);
    let bytes = this.cache.get(full);
    if (bytes === undefined) {
      try {
        const st = fs.statSync(full);
        bytes = st.isFile() ? fs.readFileSync(full) : null;
      } catch {
        bytes = null;
      }
      this.cache.set(full, bytes);
    }
    return bytes ?? undefined;
  }

  /** True when `name` is a folder (which C's fopen() would open). */
  isDirectory(name: string): boolean {
    try {
      return fs.statSync(path.resolve(this.cwd, name)).isDirectory();
    } catch {
      return false;
    }
  }

  private find(name: string, currentDir: string | undefined): { path: string; bytes: Buffer | undefined } | undefined {
    const candidates: string[] = [];
    candidates.push(currentDir === undefined || name.startsWith('/') ? name : joinPath(currentDir, name));
    for (const dir of this.searchPaths) candidates.push(name.startsWith('/') ? name : joinPath(dir, name));
    for (const candidate of candidates) {
      const bytes = this.read(candidate);
      if (bytes) return { path: candidate, bytes };
      if (this.isDirectory(candidate)) return { path: candidate, bytes: undefined };
    }
    return undefined;
  }

  open(name: string, currentDir: string | undefined): OpenedSource | undefined {
    const found = this.find(name, currentDir);
    if (!found) return undefined;
    const refused = this.refusal(found.path, name);
    if (refused) return { path: found.path, text: '', refused };
    if (!found.bytes) return { path: found.path, text: '', directory: true };
    return { path: found.path, text: found.bytes.toString('latin1') };
  }

  openBinary(name: string, currentDir: string | undefined): { path: string; bytes: Uint8Array; refused?: string } | undefined {
    const found = this.find(name, currentDir);
    const refused = found && this.refusal(found.path, name);
    if (found && refused) return { path: found.path, bytes: new Uint8Array(0), refused };
    return found?.bytes && { path: found.path, bytes: new Uint8Array(found.bytes) };
  }
}
