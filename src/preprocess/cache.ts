import { NotRegularFileError, readRegularFile } from '../input-file.js';
import { lexFile, type LexedFile } from './lexer.js';

/**
 * Tokens kept across runs (about 100 bytes each). A batch over the qcom tree lexes about 3 million;
 * the headers every board includes are a small part of that, and a SoC's .dtsi serves the boards
 * next to it in the Makefile, so the least recently used go first. Keeping every file held about
 * 300 MB per worker, and V8 lets a heap grow to a few times what it keeps alive: bounding this and
 * the compiled inputs (pipeline/run.ts) took `kernel -j 2` over the qcom tree from 2.1 GB peak RSS
 * to under 1 GB, at the same CPU time.
 */
export const KEPT_TOKENS = 300_000;

/**
 * Files read and tokenised once per process. Share one cache across many `preprocess` runs (for
 * example every board of a kernel tree) so the common headers are lexed once. The cache assumes
 * files do not change while it is alive, and that every run sharing it reads files the same way.
 */
export class PreprocessCache {
  /** Most recently used last (a Map iterates in insertion order). */
  private readonly lexed = new Map<string, LexedFile | null>();
  private keptTokens = 0;

  /** `maxTokens`: how many tokens the kept files may hold together (the file in use always stays). */
  constructor(private readonly maxTokens = KEPT_TOKENS) {}
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  /** Stable small integer for a file name (used in tokens and the position map). */
  fileId(path: string): number {
    let id = this.ids.get(path);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(path);
      this.ids.set(path, id);
    }
    return id;
  }

  /** Drops the tokens of every file `changed` says changed (an edited buffer), so the next run reads it again. */
  forget(changed: (path: string) => boolean): void {
    for (const [path, file] of this.lexed) if (changed(path)) this.drop(path, file);
  }

  fileName(id: number): string {
    return this.names[id] ?? '<unknown>';
  }

  /**
   * The file tokenised, or null when it cannot be read. Lexing errors propagate as DiagnosticError,
   * and so does a path that is not a regular file or folder (NotRegularFileError).
   * `keep: false` (a run's main file: in a batch, each board's .dts is read once) lexes without
   * keeping the tokens, which would otherwise stay in memory for the rest of the batch; a file
   * already kept is still reused.
   */
  load(path: string, readFile?: (path: string) => string, keep = true): LexedFile | null {
    const hit = this.lexed.get(path);
    if (hit !== undefined) {
      this.lexed.delete(path);
      this.lexed.set(path, hit);
      return hit;
    }
    let text: string;
    try {
      text = readFile ? readFile(path) : readRegularFile(path).toString('utf8');
    } catch (err) {
      // A FIFO or a device is an error at the #include; a folder is skipped, as cpp does.
      if (err instanceof NotRegularFileError && !err.directory) throw err;
      this.lexed.set(path, null);
      return null;
    }
    const file = lexFile(text, path, this.fileId(path));
    if (keep) this.keep(path, file);
    return file;
  }

  private keep(path: string, file: LexedFile): void {
    this.lexed.set(path, file);
    this.keptTokens += file.tokens.length;
    for (const [oldest, lexed] of this.lexed) {
      if (this.keptTokens <= this.maxTokens || oldest === path) break;
      this.drop(oldest, lexed);
    }
  }

  private drop(path: string, file: LexedFile | null): void {
    this.lexed.delete(path);
    if (file) this.keptTokens -= file.tokens.length;
  }
}
