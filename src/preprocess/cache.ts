import { NotRegularFileError, readRegularFile } from '../input-file.js';
import { lexFile, type LexedFile } from './lexer.js';

/**
 * Files read and tokenised once per process. Share one cache across many `preprocess` runs (for
 * example every board of a kernel tree) so the common headers are lexed once. The cache assumes
 * files do not change while it is alive, and that every run sharing it reads files the same way.
 */
export class PreprocessCache {
  private readonly lexed = new Map<string, LexedFile | null>();
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
    for (const path of this.lexed.keys()) if (changed(path)) this.lexed.delete(path);
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
    if (hit !== undefined) return hit;
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
    if (keep) this.lexed.set(path, file);
    return file;
  }
}
