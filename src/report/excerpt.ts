/**
 * Source excerpts for findings: the line a span points at and a caret under the column (a `~`
 * underline to the span's end on the same line), as gcc prints them. Tabs before the column are
 * kept in the caret line so the caret lines up in any terminal.
 */
import * as path from 'node:path';
import { readRegularFile } from '../input-file.js';
import { excerptWindow, type Span } from '../diagnostics.js';

export interface Excerpt {
  line: number;
  text: string;
  /** Caret line: whitespace up to the column, `^`, then `~` to the end of the span on that line. */
  marker: string;
}

/** Larger files are not read again for excerpts (inputs are limited to 64 MiB by default). */
const EXCERPT_FILE_BYTES = 256 * 2 ** 20;

/**
 * Reads each file once per report; a file that cannot be read (a FIFO, a huge file) gives no
 * excerpts. `texts` (by absolute path) win over the disk: review's findings point at the patched
 * text, not the user's.
 */
export class SourceCache {
  private readonly lines = new Map<string, string[] | null>();

  constructor(private readonly texts: ReadonlyMap<string, string> = new Map()) {}

  linesOf(file: string): string[] | null {
    let cached = this.lines.get(file);
    if (cached === undefined) {
      try {
        cached = (this.texts.get(path.resolve(file)) ?? readRegularFile(file, EXCERPT_FILE_BYTES).toString('latin1')).split(/\r?\n/);
      } catch {
        cached = null;
      }
      this.lines.set(file, cached);
    }
    return cached;
  }

  excerpt(span: Span): Excerpt | undefined {
    const lines = this.linesOf(span.file);
    if (!lines || span.line < 1 || span.line > lines.length) return undefined;
    const full = lines[span.line - 1]!.replace(/\s+$/, '');
    const fullCol = Math.max(1, Math.min(span.column, full.length + 1));
    // a long line is cut around the column, and marked with … where it is cut
    const { start, end } = excerptWindow(full.length, fullCol);
    const before = start > 0 ? '…' : '';
    const text = full.slice(start, end);
    const col = fullCol - start;
    let lead = before ? ' ' : '';
    for (let i = 0; i < col - 1; i++) lead += text[i] === '\t' ? '\t' : ' ';
    let width = 1;
    if (span.endLine === span.line && span.endColumn !== undefined && span.endColumn > fullCol) width = span.endColumn - fullCol + 1;
    else if (span.endLine !== undefined && span.endLine > span.line) width = Math.max(1, text.length - col + 1);
    width = Math.min(width, Math.max(1, text.length - col + 1));
    return { line: span.line, text: `${before}${text}${end < full.length ? '…' : ''}`, marker: `${lead}^${'~'.repeat(width - 1)}` };
  }
}
