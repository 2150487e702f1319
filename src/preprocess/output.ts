import { SegmentMap, type LineFrame, type Loc } from './position-map.js';
import { TokenFlag, TokenKind, avoidPaste, type Token } from './token.js';

/** Local aliases (see token.ts): one property load per use. */
const T = TokenKind;
const F = TokenFlag;

function quoteFileName(name: string): string {
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    out += ch === '\\' || ch === '"' ? `\\${ch}` : ch;
  }
  return out + '"';
}

/**
 * Prints tokens the way GNU cpp's `-E` printer does: a space only where the source had one or where
 * two tokens would otherwise lex as one, original columns at the start of lines, and either blank
 * lines and `# N "file" flags` markers (linemarkers on) or compact `-P` style output.
 */
export class OutputWriter {
  /**
   * Output is copied into a byte buffer (Latin-1) and decoded in large chunks: far cheaper than
   * joining millions of small strings. A character above U+00FF flushes the buffer and goes
   * into `chunks` as a string.
   */
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  private chunks: string[] = [];
  private length = 0;
  private printed = false;
  private avoidPasteNext = false;
  private source: Token | null = null;
  private prev: Token | null = null;
  private curFile = '';
  private curLine = 1;

  constructor(
    readonly map: SegmentMap,
    private readonly linemarkers: boolean,
  ) {}

  private write(s: string): void {
    const n = s.length;
    if (this.used + n > this.bytes.length) this.growBytes(n);
    const bytes = this.bytes;
    let u = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        this.used = u;
        this.flush();
        this.chunks.push(s.slice(i));
        this.length += n;
        return;
      }
      bytes[u++] = c;
    }
    this.used = u;
    this.length += n;
  }

  private spaces(n: number): void {
    if (this.used + n > this.bytes.length) this.growBytes(n);
    this.bytes.fill(0x20, this.used, this.used + n);
    this.used += n;
    this.length += n;
  }

  private growBytes(n: number): void {
    if (this.used >= 1 << 22) {
      this.flush();
      if (n <= this.bytes.length) return;
    }
    const b = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
    b.set(this.bytes.subarray(0, this.used));
    this.bytes = b;
  }

  private flush(): void {
    if (this.used > 0) {
      this.chunks.push(Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.used).toString('latin1'));
      this.used = 0;
    }
  }

  token(tok: Token, loc: Loc, frame: LineFrame): void {
    if (this.avoidPasteNext) {
      const src = this.source ?? tok;
      if ((src.flags & F.PREV_WHITE) !== 0 || (this.prev !== null && avoidPaste(this.prev, tok)) ||
          (this.prev === null && tok.kind === T.HASH)) {
        this.write(' ');
      }
    } else if ((tok.flags & F.PREV_WHITE) !== 0) {
      this.write(' ');
    }
    this.avoidPasteNext = false;
    this.source = null;
    this.prev = tok;
    this.map.add(this.length, loc, frame, loc === tok);
    this.write(tok.text);
    this.printed = true;
  }

  padding(pad: Token): void {
    this.avoidPasteNext = true;
    if (this.source === null || ((this.source.flags & F.PREV_WHITE) === 0 && pad.source === null)) {
      this.source = pad.source;
    }
  }

  /** A new source line starts with `tok` (cpplib's line-change callback). */
  lineChange(tok: Token, frame: LineFrame): void {
    const line = tok.line + frame.lineDelta;
    this.endLine();
    if (this.linemarkers) {
      if (frame.file === this.curFile && line >= this.curLine && line < this.curLine + 8) {
        while (this.curLine < line) {
          this.write('\n');
          this.curLine++;
        }
      } else {
        this.marker(line, frame.file, '');
      }
    }
    this.prev = null;
    this.source = null;
    if (tok.col > 2) this.spaces(tok.col - 2);
    this.printed = true;
  }

  private endLine(): void {
    if (this.printed) {
      this.write('\n');
      this.curLine++;
      this.printed = false;
    }
  }

  private marker(line: number, file: string, flags: string): void {
    this.endLine();
    if (!this.linemarkers) return;
    this.write(`# ${line} ${quoteFileName(file)}${flags}\n`);
    this.curLine = line;
    this.curFile = file;
  }

  /** Start of the main file. */
  begin(frame: LineFrame): void {
    this.marker(1 + frame.lineDelta, frame.file, '');
  }

  /** Entering an included file; `includeLine` is the presumed line of the `#include` in the includer. */
  enterFile(includer: LineFrame, includeLine: number, frame: LineFrame): void {
    if (this.linemarkers) this.bringTo(includer, includeLine);
    this.marker(1 + frame.lineDelta, frame.file, ' 1');
  }

  /** Back in the includer at presumed line `line`. */
  leaveFile(frame: LineFrame, line: number): void {
    this.marker(line, frame.file, ' 2');
  }

  /** After `#line`: the next line is `line` of `frame.file`. */
  lineDirective(frame: LineFrame, line: number): void {
    this.marker(line, frame.file, '');
  }

  /** cpp's maybe_print_line: reach `line` with blank lines if it is close, else with a marker. */
  private bringTo(frame: LineFrame, line: number): void {
    this.endLine();
    if (frame.file === this.curFile && line >= this.curLine && line < this.curLine + 8) {
      while (this.curLine < line) {
        this.write('\n');
        this.curLine++;
      }
    } else {
      this.marker(line, frame.file, '');
    }
  }

  /** Emit a whole line verbatim (used for pass-through pragmas). */
  rawLine(text: string): void {
    this.endLine();
    this.write(text);
    this.printed = true;
    this.prev = null;
    this.source = null;
  }

  finish(): string {
    this.endLine();
    this.flush();
    const text = this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join('');
    this.chunks = [];
    return text;
  }
}
