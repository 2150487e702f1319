import { spanFromLookups, type Span, type SpanOrigin } from '../diagnostics.js';
import type { Token } from './token.js';

/** Position in the original sources of one character of the preprocessed text. */
export interface MappedPosition {
  file: string;
  line: number;
  column: number;
  /** Outermost macro whose expansion produced the character (its invocation is at file:line:column). */
  macro?: string;
  /** Macro-expansion steps (innermost first) followed by the include chain (outermost last). */
  via?: SpanOrigin[];
}

export interface PositionMap {
  lookup(offset: number): MappedPosition;
}

/**
 * Presumed-position state of one file inclusion: the name and line offset set by `#line`, and the
 * include chain that led here. Immutable; a new one is made per inclusion and per `#line`.
 */
export interface LineFrame {
  file: string;
  /** Added to physical line numbers (changed by `#line`). */
  lineDelta: number;
  /** Include chain, innermost first (undefined for the main file). */
  via: SpanOrigin[] | undefined;
}

/** Text produced by expanding `macro`, invoked by the name token `name` that itself came from `nameLoc`. */
export class Expansion {
  constructor(
    readonly macro: string,
    readonly name: Token,
    readonly nameLoc: Loc,
  ) {}
}

/** Where an output token came from: the lexed token itself, or a macro expansion. */
export type Loc = Token | Expansion;

/** Fields of one segment, stored interleaved in a single Int32Array. */
const OFFSET = 0;
const LINE = 1;
/** Column, negated when the segment is the source token itself (so inner offsets add to it). */
const COL = 2;
const FRAME = 3;
/** Index into `expansions`, or -1 for a plain source token. */
const EXP = 4;
const STRIDE = 5;

/**
 * Offsets of the preprocessed text → original positions, one segment per output token, found by
 * binary search. Plain source tokens are stored as numbers only (a typed array the garbage
 * collector never scans); only macro-expansion origins keep an object reference.
 */
export class SegmentMap implements PositionMap {
  private data: Int32Array<ArrayBuffer> = new Int32Array(STRIDE * 16384);
  private readonly expansions: Expansion[] = [];
  private readonly frames: LineFrame[] = [];
  private lastFrame: LineFrame | null = null;
  private count = 0;
  /** Segment of the last lookup. */
  private cursor = 0;

  constructor(
    private readonly fileName: (id: number) => string,
    private readonly fallback: MappedPosition,
    /** The text this map describes already carries `# N "file"` line markers. */
    readonly hasLinemarkers = false,
  ) {}

  /** Record that the text at `offset` is the token whose origin is `loc`; `exact` when loc is that very token. */
  add(offset: number, loc: Loc, frame: LineFrame, exact: boolean): void {
    let d = this.data;
    const base = this.count * STRIDE;
    if (base + STRIDE > d.length) {
      const bigger = new Int32Array(d.length * 2);
      bigger.set(d);
      this.data = d = bigger;
    }
    if (frame !== this.lastFrame) {
      this.frames.push(frame);
      this.lastFrame = frame;
    }
    d[base + OFFSET] = offset;
    d[base + FRAME] = this.frames.length - 1;
    if (loc instanceof Expansion) {
      d[base + EXP] = this.expansions.length;
      this.expansions.push(loc);
    } else {
      d[base + EXP] = -1;
      d[base + LINE] = loc.line;
      d[base + COL] = exact ? -loc.col : loc.col;
    }
    this.count++;
  }

  /** Writing is over: drop the spare capacity (results may be kept for many files at once). */
  seal(): void {
    if (this.data.length > this.count * STRIDE) this.data = this.data.slice(0, this.count * STRIDE);
  }

  get segmentCount(): number {
    return this.count;
  }

  lookup(offset: number): MappedPosition {
    const k = this.find(offset);
    if (k < 0) return { ...this.fallback };
    return this.resolve(k, Math.max(0, offset - this.data[k * STRIDE + OFFSET]!));
  }

  /**
   * The span from the character at `start` to the one at `last` (inclusive), as the DTS lexer
   * reports it: the start's position and via, and the end's line/column when in the same file.
   * Built as one object when both ends are plain source text (the common case).
   */
  spanOf(start: number, last: number): Span {
    const ka = this.find(start);
    const kb = this.find(last);
    const d = this.data;
    if (ka < 0 || d[ka * STRIDE + EXP]! >= 0 || d[kb * STRIDE + EXP]! >= 0) {
      return spanFromLookups((offset) => this.lookup(offset), start, last);
    }
    const fa = this.frames[d[ka * STRIDE + FRAME]!]!;
    const span: Span = { file: fa.file, line: d[ka * STRIDE + LINE]! + fa.lineDelta, column: this.plainColumn(ka, start) };
    if (fa.via) span.via = fa.via;
    const fb = this.frames[d[kb * STRIDE + FRAME]!]!;
    if (fb.file === fa.file) {
      span.endLine = d[kb * STRIDE + LINE]! + fb.lineDelta;
      span.endColumn = this.plainColumn(kb, last);
    } else span.endFile = fb.file;
    return span;
  }

  /** Segment holding `offset` (the first one for offsets before it), or -1 when the map is empty. */
  private find(offset: number): number {
    const d = this.data;
    const count = this.count;
    if (count === 0) return -1;
    if (offset < d[OFFSET]!) return 0;
    // The parser asks in nearly increasing order (a token's start, then its end, then the next
    // token): step forward from the last answer before falling back to a binary search.
    let lo = this.cursor;
    let hi = count - 1;
    if (lo < count && d[lo * STRIDE + OFFSET]! <= offset) {
      for (let steps = 0; steps < 8; steps++) {
        if (lo + 1 >= count || d[(lo + 1) * STRIDE + OFFSET]! > offset) {
          this.cursor = lo;
          return lo;
        }
        lo++;
      }
    } else lo = 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (d[mid * STRIDE + OFFSET]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.cursor = lo;
    return lo;
  }

  /** Column of `offset` in plain segment k. */
  private plainColumn(k: number, offset: number): number {
    const d = this.data;
    const base = k * STRIDE;
    const c = d[base + COL]!;
    if (c >= 0) return c;
    // Inside the token itself: step through it, but not past its end.
    const delta = Math.max(0, offset - d[base + OFFSET]!);
    const width = k + 1 < this.count ? d[base + STRIDE + OFFSET]! - d[base + OFFSET]! : delta + 1;
    return -c + Math.min(delta, Math.max(width - 1, 0));
  }

  private resolve(k: number, delta: number): MappedPosition {
    const d = this.data;
    const base = k * STRIDE;
    const frame = this.frames[d[base + FRAME]!]!;
    const e = d[base + EXP]!;
    if (e < 0) {
      const pos: MappedPosition = { file: frame.file, line: d[base + LINE]! + frame.lineDelta, column: this.plainColumn(k, d[base + OFFSET]! + delta) };
      if (frame.via) pos.via = frame.via;
      return pos;
    }
    let loc: Loc = this.expansions[e]!;
    const via: SpanOrigin[] = [];
    let macro = '';
    while (loc instanceof Expansion) {
      const n = loc.name;
      via.push({ kind: 'macro', name: loc.macro, file: this.fileName(n.file), line: n.line, column: n.col });
      macro = loc.macro;
      loc = loc.nameLoc;
    }
    // The outermost invocation is in the current file: report it with the presumed name and line.
    const last = via[via.length - 1]!;
    last.file = frame.file;
    last.line = loc.line + frame.lineDelta;
    if (frame.via) via.push(...frame.via);
    return { file: frame.file, line: loc.line + frame.lineDelta, column: loc.col, macro, via };
  }
}
