/**
 * Finding and reading the files a source names (`/include/`, `/incbin/`) the way dtc's srcpos.c
 * does: relative to the folder of the including file first (the working folder for the top
 * file), then each `-i` search folder in order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotRegularFileError, readRegularFile, refuseNonRegularInput } from '../input-file.js';
import { sandboxRefusal, type Sandbox } from '../sandbox.js';

export interface OpenedSource {
  /** dtc's `fullname`: the folder joined with the name, as used in positions. */
  path: string;
  /** Contents as a byte string (one char per byte). */
  text: string;
  /** The name is a folder: fopen() succeeds on it, so dtc stops there, then fails to read it. */
  directory?: boolean;
  /** Set (and `text` empty) when the include sandbox or a size limit refuses the file: the reason. */
  refused?: string;
  /** The rule of that refusal: `input/sandbox` or `limit/<name>`. */
  refusedRule?: string;
}

export interface SourceHost {
  open(name: string, currentDir: string | undefined): OpenedSource | undefined;
  openBinary(name: string, currentDir: string | undefined): { path: string; bytes: Uint8Array; refused?: string; refusedRule?: string } | undefined;
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
  /** Largest file `/include/` (`sourceBytes`) and `/incbin/` (`binaryBytes`) may read, checked before reading. */
  maxBytes?: { sourceBytes: number; binaryBytes: number };
  /** An unsaved editor buffer's text for a file (CompileSession.unsaved), read instead of the disk. */
  unsaved?: (file: string) => string | undefined;
}

export class FileSourceHost implements SourceHost {
  private readonly searchPaths: string[];
  private readonly cwd: string;
  private readonly cache: Map<string, Buffer | null>;
  private readonly sandbox: Sandbox | undefined;
  private readonly maxBytes: { sourceBytes: number; binaryBytes: number } | undefined;
  private readonly unsaved: ((file: string) => string | undefined) | undefined;

  constructor(options: FileSourceHostOptions = {}) {
    this.searchPaths = options.searchPaths ?? [];
    this.cwd = options.cwd ?? process.cwd();
    this.cache = options.cache ?? new Map();
    this.sandbox = options.sandbox;
    this.maxBytes = options.maxBytes;
    this.unsaved = options.unsaved;
  }

  /** A file too large to read (`--limit input-bytes` / `incbin-bytes`): the reason, before reading it. */
  private tooLarge(found: string, binary: boolean): string | undefined {
    if (!this.maxBytes) return undefined;
    const max = binary ? this.maxBytes.binaryBytes : this.maxBytes.sourceBytes;
    const full = path.resolve(this.cwd, found);
    let size = this.cache.get(full)?.length;
    if (size === undefined) {
      try {
        size = fs.statSync(full).size;
      } catch {
        return undefined;
      }
    }
    const name = binary ? 'incbin-bytes' : 'input-bytes';
    return size > max ? `${found} is ${size} bytes, which exceeds the limit of ${max} (--limit ${name}=N to change it)` : undefined;
  }

  private refusal(found: string, name: string): string | undefined {
    return this.sandbox && sandboxRefusal(this.sandbox, path.resolve(this.cwd, found), name);
  }

  /** The file's bytes; undefined when it is missing or not a regular file (never opened blocking). */
  read(name: string): Buffer | undefined {
    const full = path.resolve(this.cwd, name);
    // not cached: the buffer changes while the session lives
    const buffer = this.unsaved?.(full);
    if (buffer !== undefined) return Buffer.from(buffer, 'utf8');
    let bytes = this.cache.get(full);
    if (bytes === undefined) {
      try {
        bytes = readRegularFile(full);
      } catch {
        bytes = null;
      }
      this.cache.set(full, bytes);
    }
    return bytes ?? undefined;
  }

  /** Why `name` is not read when it is a FIFO, a device or a socket (a folder is dtc's business). */
  private notRegular(name: string): string | undefined {
    try {
      refuseNonRegularInput(path.resolve(this.cwd, name), true);
      return undefined;
    } catch (err) {
      return err instanceof NotRegularFileError ? NotRegularFileError.describe(name, err.kind) : undefined;
    }
  }

  /** True when `name` is a folder (which C's fopen() would open). */
  isDirectory(name: string): boolean {
    try {
      return fs.statSync(path.resolve(this.cwd, name)).isDirectory();
    } catch {
      return false;
    }
  }

  private find(name: string, currentDir: string | undefined, binary = false): { path: string; bytes: Buffer | undefined; tooLarge?: string; notRegular?: string } | undefined {
    const candidates: string[] = [];
    candidates.push(currentDir === undefined || name.startsWith('/') ? name : joinPath(currentDir, name));
    for (const dir of this.searchPaths) candidates.push(name.startsWith('/') ? name : joinPath(dir, name));
    for (const candidate of candidates) {
      // the size is checked before the file is read: a huge file is never loaded
      const tooLarge = this.tooLarge(candidate, binary);
      if (tooLarge) return { path: candidate, bytes: undefined, tooLarge };
      const notRegular = this.notRegular(candidate);
      if (notRegular) return { path: candidate, bytes: undefined, notRegular };
      const bytes = this.read(candidate);
      if (bytes) return { path: candidate, bytes };
      if (this.isDirectory(candidate)) return { path: candidate, bytes: undefined };
    }
    return undefined;
  }

  open(name: string, currentDir: string | undefined): OpenedSource | undefined {
    const found = this.find(name, currentDir);
    if (!found) return undefined;
    const sandboxed = this.refusal(found.path, name);
    if (sandboxed) return { path: found.path, text: '', refused: sandboxed, refusedRule: 'input/sandbox' };
    if (found.tooLarge) return { path: found.path, text: '', refused: found.tooLarge, refusedRule: 'limit/input-bytes' };
    if (found.notRegular) return { path: found.path, text: '', refused: found.notRegular, refusedRule: 'input/not-regular' };
    if (!found.bytes) return { path: found.path, text: '', directory: true };
    return { path: found.path, text: found.bytes.toString('latin1') };
  }

  openBinary(name: string, currentDir: string | undefined): { path: string; bytes: Uint8Array; refused?: string; refusedRule?: string } | undefined {
    const found = this.find(name, currentDir, true);
    const sandboxed = found && this.refusal(found.path, name);
    if (found && sandboxed) return { path: found.path, bytes: new Uint8Array(0), refused: sandboxed, refusedRule: 'input/sandbox' };
    if (found?.tooLarge) return { path: found.path, bytes: new Uint8Array(0), refused: found.tooLarge, refusedRule: 'limit/incbin-bytes' };
    if (found?.notRegular) return { path: found.path, bytes: new Uint8Array(0), refused: found.notRegular, refusedRule: 'input/not-regular' };
    return found?.bytes && { path: found.path, bytes: new Uint8Array(found.bytes) };
  }
}
