/**
 * The DTS scanner: dtc 1.7.2's flex rules (dtc-lexer.l) as a hand-written loop over char codes.
 *
 * Source text is held as a "byte string" (one char per byte, latin1), so columns count bytes the
 * way dtc's do and string literals give back exactly the bytes of the file.
 *
 * dtc's lexer has start conditions that the scanner itself switches (not the parser):
 * INITIAL until `/dts-v1/`, V1 (integer literals allowed), PROPNODENAME after `{`, `;` and the
 * delete/omit keywords (node and property names allowed), BYTESTRING inside `[ ]`. Where several
 * rules match, the longest wins and ties go to the earlier rule, as in flex; the dispatch on the
 * first character below follows that.
 */
import type { Span, SpanOrigin } from '../diagnostics.js';
import { DiagnosticError, spanFromLookups } from '../diagnostics.js';
import type { SourceHost } from './source.js';
import type { PositionMap } from './position-map.js';

export enum Tok {
  EOF,
  V1,
  Plugin,
  MemReserve,
  Bits,
  DelProp,
  DelNode,
  OmitNoRef,
  PropNodeName,
  Literal,
  CharLiteral,
  Byte,
  String,
  Label,
  LabelRef,
  PathRef,
  Incbin,
  LShift,
  RShift,
  LE,
  GE,
  EQ,
  NE,
  And,
  Or,
  /** A single character; its code is in `charCode`. */
  Char,
}

const enum State {
  Initial,
  V1,
  PropNodeName,
  ByteString,
}

// Character classes from dtc-lexer.l, as bit flags per char code.
const PROPNODECHAR = 1; // [a-zA-Z0-9,._+*#?@-]
const LABEL_START = 2; // [a-zA-Z_]
const LABEL_CHAR = 4; // [a-zA-Z0-9_]
const HEX = 8; // [0-9a-fA-F]
const DIGIT = 16;
const SPACE = 32; // [[:space:]]
// Indexed directly, not through a helper: cold runs execute the scanner in V8's interpreter, where
// a call per character costs more than the test. Past the end charCodeAt gives NaN, which reads
// undefined, which masks to 0; text is a byte string, so every code is below 256.
const classes = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  let f = 0;
  if (/[a-zA-Z0-9,._+*#?@-]/.test(ch)) f |= PROPNODECHAR;
  if (/[a-zA-Z_]/.test(ch)) f |= LABEL_START;
  if (/[a-zA-Z0-9_]/.test(ch)) f |= LABEL_CHAR;
  if (/[0-9a-fA-F]/.test(ch)) f |= HEX;
  if (/[0-9]/.test(ch)) f |= DIGIT;
  if (c === 32 || (c >= 9 && c <= 13)) f |= SPACE;
  classes[c] = f;
}

const KEYWORDS: [string, Tok][] = [
  ['/dts-v1/', Tok.V1],
  ['/plugin/', Tok.Plugin],
  ['/memreserve/', Tok.MemReserve],
  ['/bits/', Tok.Bits],
  ['/delete-property/', Tok.DelProp],
  ['/delete-node/', Tok.DelNode],
  ['/omit-if-no-ref/', Tok.OmitNoRef],
];

/** One source buffer on the include stack (dtc's srcfile_state). */
interface Frame {
  text: string;
  pos: number;
  /** Name used in positions: the opened path, or what the last line marker said. */
  name: string;
  /** Folder of the opened file, for relative `/include/` and `/incbin/` (line markers do not change it). */
  dir: string | undefined;
  line: number;
  /** Offset where the current line starts (column = pos - lineStart + 1). */
  lineStart: number;
  /** Position map of this buffer (preprocessed top-level text only). */
  map: PositionMap | undefined;
  /** The `/include/` chain that opened this buffer, innermost first. */
  via: SpanOrigin[] | undefined;
}

export interface LexerDiagnostic {
  message: string;
  span: Span;
  severity: 'error' | 'warning';
}

const MAX_INCLUDE_DEPTH = 200;
/** What flex says when it cannot read its input (a folder); dtc then exits with status 2. */
export const SCANNER_FAILED = 'input in flex scanner failed';
const U64_MAX = (1n << 64n) - 1n;

export class Lexer {
  // ---- the current token ----
  tok: Tok = Tok.EOF;
  /** Name, label or reference text; for Char tokens the character. */
  text = '';
  charCode = 0;
  /** Literal value when it fits in a double exactly (< 2^53), else -1 and see `big`. */
  num = 0;
  private wide = 0n;
  /** Bytes of a string literal, NUL-terminated (dtc's data_copy_escape_string). */
  bytes: Uint8Array = new Uint8Array(0);
  /** The literal's value as unsigned 64-bit (made on demand: most literals never need a BigInt). */
  get big(): bigint {
    return this.num >= 0 ? BigInt(this.num) : this.wide;
  }

  /** Token position: dtc's yylloc (last column is one past the end). */
  file = '';
  firstLine = 0;
  firstColumn = 0;
  lastLine = 0;
  lastColumn = 0;
  startOffset = 0;
  endOffset = 0;
  private tokMap: PositionMap | undefined;
  private tokVia: SpanOrigin[] | undefined;

  /** Receives the errors dtc reports as "Lexical error" (parsing continues, the run fails). */
  onDiagnostic: (d: LexerDiagnostic) => void = () => undefined;
  /** Every file opened through `/include/`, in order (for dependency output). */
  readonly dependencies: string[] = [];

  private state: State = State.Initial;
  private frames: Frame[] = [];
  private frame: Frame;

  constructor(
    text: string,
    name: string,
    private readonly host: SourceHost,
    map?: PositionMap,
  ) {
    this.frame = { text, pos: 0, name, dir: dirnameOf(name), line: 1, lineStart: 0, map, via: undefined };
  }

  /** Folder of the file being read now (for `/incbin/`). */
  get currentDir(): string | undefined {
    return this.frame.dir;
  }

  /** The current token's span. */
  span(): Span {
    return this.spanOf(this.firstLine, this.firstColumn, this.lastLine, this.lastColumn, this.startOffset, this.endOffset);
  }

  /** Span from a start position (as saved by `mark()`) to the end of the current token. */
  spanFrom(start: Mark): Span {
    const span = this.spanOf(start.line, start.column, this.lastLine, this.lastColumn, start.offset, this.endOffset, start.file, start.map);
    // ends in another file (an /include/ inside a value, a #line inside a node): dtc names that one
    if (!span.endFile && start.file !== this.file && (!start.map || start.map !== this.tokMap)) span.endFile = this.file;
    return span;
  }

  /** The span of a token whose start was saved with `mark()` and whose end is given (no allocation until asked). */
  spanBetween(start: Mark, lastLine: number, lastColumn: number, endOffset: number): Span {
    return this.spanOf(start.line, start.column, lastLine, lastColumn, start.offset, endOffset, start.file, start.map);
  }

  /** The current token's position as numbers (a span is built from it only when asked: `spanAt`). */
  tokenPos(): TokenPos {
    return {
      file: this.file,
      firstLine: this.firstLine,
      firstColumn: this.firstColumn,
      lastLine: this.lastLine,
      lastColumn: this.lastColumn,
      startOffset: this.startOffset,
      endOffset: this.endOffset,
      map: this.tokMap,
      via: this.tokVia,
    };
  }

  /** What `span()` returned while the token saved by `tokenPos()` was current. */
  spanAt(pos: TokenPos): Span {
    const map = pos.map;
    if (map) return mappedSpan(map, pos.startOffset, pos.endOffset);
    const span: Span = { file: pos.file, line: pos.firstLine, column: pos.firstColumn, endLine: pos.lastLine, endColumn: pos.lastColumn - 1 };
    if (pos.via) span.via = pos.via;
    return span;
  }

  mark(): Mark {
    return { file: this.file, line: this.firstLine, column: this.firstColumn, offset: this.startOffset, map: this.tokMap };
  }

  private spanOf(
    line: number,
    column: number,
    lastLine: number,
    lastColumn: number,
    startOffset: number,
    endOffset: number,
    file = this.file,
    map = this.tokMap,
  ): Span {
    if (map && map === this.tokMap) return mappedSpan(map, startOffset, endOffset);
    const span: Span = { file, line, column, endLine: lastLine, endColumn: lastColumn - 1 };
    if (this.tokVia && file === this.file) span.via = this.tokVia;
    return span;
  }

  private error(message: string): void {
    this.onDiagnostic({ message, span: this.span(), severity: 'error' });
  }

  /** Scan the next token into the fields above. */
  next(): Tok {
    for (;;) {
      const f = this.frame;
      const text = f.text;
      const len = text.length;
      let p = f.pos;
      // whitespace and comments: dtc counts them in positions but returns nothing. The last such
      // match is where dtc's end of input is (flex does not move yylloc for <<EOF>>).
      let skippedStart = -1; // no objects here: this loop is the scanner's hot path
      let skippedLine = 0;
      let skippedLineStart = 0;
      while (p < len) {
        const pieceStart = p;
        const pieceLine = f.line;
        const pieceLineStart = f.lineStart;
        const c = text.charCodeAt(p);
        if (classes[c]! & SPACE) {
          // one {WS}+ match
          while (p < len && classes[text.charCodeAt(p)]! & SPACE) {
            if (text.charCodeAt(p) === 10) {
              f.line++;
              f.lineStart = p + 1;
            }
            p++;
          }
        } else if (c === 47 /* / */ && text.charCodeAt(p + 1) === 42 /* * */) {
          const end = text.indexOf('*/', p + 2);
          if (end < 0) break; // unterminated: '/' is an ordinary character
          this.advanceLines(f, p, end + 2);
          p = end + 2;
        } else if (c === 47 && text.charCodeAt(p + 1) === 47) {
          const end = text.indexOf('\n', p + 2);
          if (end < 0) break; // "//".*\n needs the newline
          p = end + 1;
          f.line++;
          f.lineStart = p;
        } else break;
        skippedStart = pieceStart;
        skippedLine = pieceLine;
        skippedLineStart = pieceLineStart;
      }
      f.pos = p;
      if (p >= len) {
        if (this.frames.length === 0) {
          this.setToken(Tok.EOF, p, p);
          if (skippedStart >= 0) {
            this.startOffset = skippedStart;
            this.firstLine = skippedLine;
            this.firstColumn = skippedStart - skippedLineStart + 1;
          }
          return Tok.EOF;
        }
        this.frame = this.frames.pop()!;
        continue;
      }
      const tok = this.scan(f, p);
      if (tok !== undefined) return tok;
      // an include was pushed or a line marker consumed: go on with whatever is current now
    }
  }

  /** Count the newlines in text[from, to) (never scanning past `to`: tokens share long lines). */
  private advanceLines(f: Frame, from: number, to: number): void {
    const text = f.text;
    for (let i = from; i < to; i++) {
      if (text.charCodeAt(i) === 10) {
        f.line++;
        f.lineStart = i + 1;
      }
    }
  }

  /** Record the token position [start, end) in the current frame and move past it. */
  private setToken(tok: Tok, start: number, end: number): void {
    const f = this.frame;
    this.tok = tok;
    this.file = f.name;
    this.tokMap = f.map;
    this.tokVia = f.via;
    this.startOffset = start;
    this.endOffset = end;
    this.firstLine = f.line;
    this.firstColumn = start - f.lineStart + 1;
    // only strings, char literals and line markers can hold a newline: look for one natively
    // before walking the token's characters
    if (end - start > 1) {
      const nl = f.text.indexOf('\n', start);
      if (nl >= 0 && nl < end) this.advanceLines(f, nl, end);
    }
    this.lastLine = f.line;
    this.lastColumn = end - f.lineStart + 1;
    f.pos = end;
  }

  private scan(f: Frame, p: number): Tok | undefined {
    const text = f.text;
    const c = text.charCodeAt(p);
    const state = this.state;

    switch (c) {
      case 47: /* / */ {
        if (text.startsWith('/include/', p)) {
          let q = p + 9;
          while (classes[text.charCodeAt(q)]! & SPACE) q++;
          if (text.charCodeAt(q) === 34) {
            const end = stringEnd(text, q);
            if (end > 0) {
              this.setToken(Tok.String, p, end);
              this.pushInclude(rawCString(text.slice(q + 1, end - 1)));
              return undefined;
            }
          }
        }
        for (const [word, tok] of KEYWORDS) {
          if (text.startsWith(word, p)) {
            this.setToken(tok, p, p + word.length);
            if (tok === Tok.DelProp || tok === Tok.DelNode || tok === Tok.OmitNoRef) this.state = State.PropNodeName;
            else if (tok !== Tok.Plugin) this.state = State.V1;
            return tok;
          }
        }
        if ((state === State.Initial || state === State.V1) && text.startsWith('/incbin/', p)) {
          this.setToken(Tok.Incbin, p, p + 8);
          return Tok.Incbin;
        }
        return this.single(p);
      }
      case 35: /* # */ {
        if (p === 0 || text.charCodeAt(p - 1) === 10) {
          const end = this.lineMarker(f, p);
          if (end > 0) return undefined;
        }
        break;
      }
      case 34: /* " */ {
        const end = stringEnd(text, p);
        if (end < 0) return this.single(p);
        this.setToken(Tok.String, p, end);
        this.bytes = escapeString(text, p + 1, end - 1, this);
        return Tok.String;
      }
      case 39: /* ' */ {
        const end = charLiteralEnd(text, p);
        if (end < 0) return this.single(p);
        this.setToken(Tok.CharLiteral, p, end);
        const bytes = escapeString(text, p + 1, end - 1, this);
        if (bytes.length === 1) {
          this.error('Empty character literal');
          this.num = 0;
        } else {
          this.num = bytes[0]!;
          if (bytes.length > 2) this.error(`Character literal has ${bytes.length - 1} characters instead of 1`);
        }
        return Tok.CharLiteral;
      }
      case 38: /* & */ {
        const n = text.charCodeAt(p + 1);
        if (n === 123 /* { */) {
          let q = p + 2;
          while (q < text.length && (classes[text.charCodeAt(q)]! & PROPNODECHAR || text.charCodeAt(q) === 47)) q++;
          if (text.charCodeAt(q) === 125 /* } */) {
            this.setToken(Tok.PathRef, p, q + 1);
            this.text = text.slice(p + 2, q);
            return Tok.PathRef;
          }
        } else if (classes[n]! & LABEL_START) {
          let q = p + 2;
          while (classes[text.charCodeAt(q)]! & LABEL_CHAR) q++;
          this.setToken(Tok.LabelRef, p, q);
          this.text = text.slice(p + 1, q);
          return Tok.LabelRef;
        } else if (n === 38) return this.op(p, Tok.And);
        return this.single(p);
      }
      case 60: /* < */ {
        const n = text.charCodeAt(p + 1);
        if (n === 60) return this.op(p, Tok.LShift);
        if (n === 61) return this.op(p, Tok.LE);
        return this.single(p);
      }
      case 62: /* > */ {
        const n = text.charCodeAt(p + 1);
        if (n === 62) return this.op(p, Tok.RShift);
        if (n === 61) return this.op(p, Tok.GE);
        return this.single(p);
      }
      case 61: /* = */
        if (text.charCodeAt(p + 1) === 61) return this.op(p, Tok.EQ);
        return this.single(p);
      case 33: /* ! */
        if (text.charCodeAt(p + 1) === 61) return this.op(p, Tok.NE);
        return this.single(p);
      case 124: /* | */
        if (text.charCodeAt(p + 1) === 124) return this.op(p, Tok.Or);
        return this.single(p);
      case 93: /* ] */
        if (state === State.ByteString) {
          this.setToken(Tok.Char, p, p + 1);
          this.charCode = c;
          this.text = ']';
          this.state = State.V1;
          return Tok.Char;
        }
        return this.single(p);
      case 92: /* \ */
        if (state === State.PropNodeName && classes[text.charCodeAt(p + 1)]! & PROPNODECHAR) {
          let q = p + 1;
          while (classes[text.charCodeAt(q)]! & PROPNODECHAR) q++;
          this.setToken(Tok.PropNodeName, p, q);
          this.text = text.slice(p + 1, q);
          this.state = State.V1;
          return Tok.PropNodeName;
        }
        return this.single(p);
    }

    const k = classes[c]!;
    // {LABEL}: in every state; it beats a name (longer) and a byte pair (longer)
    if (k & LABEL_START) {
      let q = p + 1;
      while (classes[text.charCodeAt(q)]! & LABEL_CHAR) q++;
      if (text.charCodeAt(q) === 58 /* : */) {
        this.setToken(Tok.Label, p, q + 1);
        this.text = text.slice(p, q);
        return Tok.Label;
      }
    }
    if (state === State.V1 && k & DIGIT) return this.literal(p);
    if (state === State.ByteString && k & HEX && classes[text.charCodeAt(p + 1)]! & HEX) {
      this.setToken(Tok.Byte, p, p + 2);
      this.num = parseInt(text.slice(p, p + 2), 16);
      return Tok.Byte;
    }
    if (state === State.PropNodeName && k & PROPNODECHAR) {
      let q = p + 1;
      while (classes[text.charCodeAt(q)]! & PROPNODECHAR) q++;
      this.setToken(Tok.PropNodeName, p, q);
      this.text = text.slice(p, q);
      this.state = State.V1;
      return Tok.PropNodeName;
    }
    return this.single(p);
  }

  private op(p: number, tok: Tok): Tok {
    this.setToken(tok, p, p + 2);
    return tok;
  }

  /** dtc's catch-all rule: one character, switching state on `[`, `{` and `;`. */
  private single(p: number): Tok {
    const c = this.frame.text.charCodeAt(p);
    this.setToken(Tok.Char, p, p + 1);
    this.charCode = c;
    this.text = String.fromCharCode(c);
    if (c === 91 /* [ */) this.state = State.ByteString;
    else if (c === 123 /* { */ || c === 59 /* ; */) this.state = State.PropNodeName;
    return Tok.Char;
  }

  /** `([0-9]+|0[xX][0-9a-fA-F]+)(U|L|UL|LL|ULL)?`, then strtoull(…, 0) as dtc does. */
  private literal(p: number): Tok {
    const text = this.frame.text;
    let q = p;
    let radix = 10;
    let value = 0;
    let digitsStart = p;
    if (text.charCodeAt(p) === 48 && (text.charCodeAt(p + 1) | 0x20) === 120 && classes[text.charCodeAt(p + 2)]! & HEX) {
      radix = 16;
      q = digitsStart = p + 2;
      for (let ch = text.charCodeAt(q); classes[ch]! & HEX; ch = text.charCodeAt(++q)) {
        value = value * 16 + (ch <= 57 ? ch - 48 : (ch | 0x20) - 87);
      }
    } else {
      if (text.charCodeAt(p) === 48) radix = 8;
      for (let ch = text.charCodeAt(q); classes[ch]! & DIGIT; ch = text.charCodeAt(++q)) value = value * radix + (ch - 48);
    }
    const digitsEnd = q;
    // suffix: U, L, UL, LL, ULL (the longest that is there)
    const c0 = text.charCodeAt(q);
    if (c0 === 85 /* U */ || c0 === 76 /* L */) {
      if (c0 === 85 && text.charCodeAt(q + 1) === 76 && text.charCodeAt(q + 2) === 76) q += 3;
      else if (text.charCodeAt(q + 1) === 76) q += 2;
      else q += 1;
    }
    this.setToken(Tok.Literal, p, q);
    if (radix === 8) {
      // strtoull stops at the first 8 or 9; what follows must be only U/L characters
      for (let i = p; i < digitsEnd; i++) {
        if (text.charCodeAt(i) > 55) {
          this.error(`Bad integer literal '${text.slice(p, q)}'`);
          value = parseInt(text.slice(p, i), 8) || 0;
          break;
        }
      }
    }
    if (value <= Number.MAX_SAFE_INTEGER) {
      this.num = value;
      return Tok.Literal;
    }
    // too wide for a double: redo in BigInt
    let digits = text.slice(digitsStart, digitsEnd);
    if (radix === 8) {
      let e = 0;
      while (e < digits.length && digits.charCodeAt(e) <= 55) e++;
      digits = digits.slice(0, e);
    }
    const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : '';
    let v = BigInt(prefix + (digits === '' ? '0' : digits));
    if (v > U64_MAX) {
      this.error(`Integer literal '${text.slice(p, q)}' out of range`);
      v = U64_MAX;
    }
    this.wide = v;
    this.num = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
    return Tok.Literal;
  }

  /**
   * `^"#"(line)?[ \t]+[0-9]+[ \t]+{STRING}([ \t]+[0-9]+)*`: set the file name and the number of
   * the next line. Returns the end offset, or -1 when the text is not a line marker.
   */
  private lineMarker(f: Frame, p: number): number {
    const text = f.text;
    let q = p + 1;
    if (text.startsWith('line', q)) q += 4;
    const blank = (ch: number): boolean => ch === 32 || ch === 9;
    if (!blank(text.charCodeAt(q))) return -1;
    while (blank(text.charCodeAt(q))) q++;
    const numStart = q;
    while (classes[text.charCodeAt(q)]! & DIGIT) q++;
    if (q === numStart) return -1;
    const lineNumber = parseInt(text.slice(numStart, q), 10);
    if (!blank(text.charCodeAt(q))) return -1;
    while (blank(text.charCodeAt(q))) q++;
    if (text.charCodeAt(q) !== 34) return -1;
    const strStart = q;
    const strEnd = stringEnd(text, q);
    if (strEnd < 0) return -1;
    q = strEnd;
    // trailing flags
    for (;;) {
      let r = q;
      if (!blank(text.charCodeAt(r))) break;
      while (blank(text.charCodeAt(r))) r++;
      const d = r;
      while (classes[text.charCodeAt(r)]! & DIGIT) r++;
      if (r === d) break;
      q = r;
    }
    this.setToken(Tok.String, p, q);
    let name: string;
    const raw = text.slice(strStart + 1, strEnd - 1);
    if (raw.indexOf('\\') < 0) name = raw;
    else {
      const nameBytes = escapeString(text, strStart + 1, strEnd - 1, this);
      name = bytesToString(nameBytes.subarray(0, nameBytes.length - 1));
    }
    // a NUL, raw or escaped, is an error; dtc keeps the name up to it (xstrdup)
    const nul = name.indexOf('\0');
    if (nul >= 0) {
      this.error('nul in line number directive');
      name = name.slice(0, nul);
    }
    f.name = name;
    f.line = lineNumber - 1;
    return q;
  }

  private pushInclude(name: string): void {
    if (this.frames.length + 1 >= MAX_INCLUDE_DEPTH) throw this.fatal('Includes nested too deeply');
    const opened = this.host.open(name, this.frame.dir);
    if (!opened) throw this.fatal(`Couldn't open "${name}": No such file or directory`);
    if (opened.refused) throw this.fatal(opened.refused, opened.refusedRule ?? 'input/sandbox');
    if (opened.directory) throw this.fatal(SCANNER_FAILED, 'parse/scanner');
    this.dependencies.push(opened.path);
    const parent = this.frame;
    const via: SpanOrigin[] = [{ kind: 'include', file: this.file, line: this.firstLine, column: this.firstColumn }];
    if (parent.via) via.push(...parent.via);
    this.frames.push(parent);
    this.frame = { text: opened.text, pos: 0, name: opened.path, dir: dirnameOf(opened.path), line: 1, lineStart: 0, map: undefined, via };
  }

  /** An error that stops the run at once (dtc's `die`). */
  fatal(message: string, rule = 'parse/input'): DiagnosticError {
    return new DiagnosticError({ rule, severity: 'error', message, span: this.span() });
  }
}

/** The span of text[start, end) through the preprocessor's map (first and last character). */
function mappedSpan(map: PositionMap, start: number, end: number): Span {
  const last = Math.max(start, end - 1);
  if (map.spanOf) return map.spanOf(start, last);
  return spanFromLookups((offset) => map.lookup(offset), start, last);
}

/** A token's position as the lexer had it (see `Lexer.tokenPos`). */
export interface TokenPos {
  file: string;
  firstLine: number;
  firstColumn: number;
  lastLine: number;
  lastColumn: number;
  startOffset: number;
  endOffset: number;
  map: PositionMap | undefined;
  via: SpanOrigin[] | undefined;
}

export interface Mark {
  file: string;
  line: number;
  column: number;
  offset: number;
  map: PositionMap | undefined;
}

/** dtc's get_dirname: the part before the last '/', or none. */
export function dirnameOf(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? undefined : path.slice(0, slash);
}

/** End (exclusive) of `\"([^\\"]|\\.)*\"` starting at p, or -1. `.` does not match a newline. */
function stringEnd(text: string, p: number): number {
  let q = p + 1;
  const len = text.length;
  while (q < len) {
    const ch = text.charCodeAt(q);
    if (ch === 34) return q + 1;
    if (ch === 92) {
      if (q + 1 >= len || text.charCodeAt(q + 1) === 10) return -1;
      q += 2;
    } else q++;
  }
  return -1;
}

/**
 * End of `'([^']|\\')*'` with flex's longest match: the literal may run on past a `'` that is
 * preceded by a backslash, and ends at the last quote it can reach.
 */
function charLiteralEnd(text: string, p: number): number {
  let last = -1;
  for (let q = p + 1; q < text.length; q++) {
    if (text.charCodeAt(q) === 39) {
      last = q + 1;
      if (text.charCodeAt(q - 1) !== 92 || q - 1 === p) break;
    }
  }
  return last;
}

/** The text of a quoted name (include file name) without escape processing, up to any NUL. */
function rawCString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

export function bytesToString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** dtc's data_copy_escape_string over text[from, to): bytes plus a terminating NUL. */
export function escapeString(text: string, from: number, to: number, lexer?: Lexer): Uint8Array {
  const out = new Uint8Array(to - from + 1);
  let plain = true;
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 92) {
      plain = false;
      break;
    }
    out[i - from] = ch;
  }
  if (plain) return out;
  let n = 0;
  let i = from;
  while (i < to) {
    let c = text.charCodeAt(i++);
    // a trailing backslash (only possible in `'\'`) escapes the closing quote, as in dtc
    if (c === 92 /* \ */ && i < text.length) {
      const e = text.charCodeAt(i);
      const j = i + 1;
      switch (e) {
        case 97: c = 7; i = j; break; // \a
        case 98: c = 8; i = j; break;
        case 116: c = 9; i = j; break;
        case 110: c = 10; i = j; break;
        case 118: c = 11; i = j; break;
        case 102: c = 12; i = j; break;
        case 114: c = 13; i = j; break;
        case 120: /* x */ {
          let k = j;
          let v = 0;
          while (k < to && k < j + 2 && classes[text.charCodeAt(k)]! & HEX) {
            v = v * 16 + parseInt(text[k]!, 16);
            k++;
          }
          if (k === j) {
            if (lexer) throw lexer.fatal('\\x used with no following hex digits');
            throw new Error('\\x used with no following hex digits');
          }
          c = v;
          i = k;
          break;
        }
        default:
          if (e >= 48 && e <= 55) {
            let k = i;
            let v = 0;
            while (k < to && k < i + 3 && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 55) {
              v = v * 8 + (text.charCodeAt(k) - 48);
              k++;
            }
            c = v;
            i = k;
          } else {
            c = e;
            i = j;
          }
      }
    }
    out[n++] = c & 0xff;
  }
  out[n++] = 0;
  return out.subarray(0, n);
}
