import type { SpanOrigin } from '../diagnostics.js';
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

/**
 * Offsets of the preprocessed text → original positions, one segment per output token, found by
 * binary search. Segment data lives in typed arrays plus two reference arrays.
 */
export class SegmentMap implements PositionMap {
  private offsets = new Int32Array(1024);
  private exact = new Uint8Array(1024);
  private locs: Loc[] = [];
  private frames: LineFrame[] = [];
  private count = 0;

  constructor(
    private readonly fileName: (id: number) => string,
    private readonly fallback: MappedPosition,
  ) {}

  /** Record that the text at `offset` is the token whose origin is `loc`; `exact` when loc is that very token. */
  add(offset: number, loc: Loc, frame: LineFrame, exact: boolean): void {
    const k = this.count;
    if (k === this.offsets.length) {
      const o = new Int32Array(k * 2);
      o.set(this.offsets);
      this.offsets = o;
      const e = new Uint8Array(k * 2);
      e.set(this.exact);
      this.exact = e;
    }
    this.offsets[k] = offset;
    this.exact[k] = exact ? 1 : 0;
    this.locs.push(loc);
    this.frames.push(frame);
    this.count = k + 1;
  }

  get segmentCount(): number {
    return this.count;
  }

  lookup(offset: number): MappedPosition {
    const offs = this.offsets;
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0) return { ...this.fallback };
    if (offset < offs[0]!) return this.resolve(0, 0);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offs[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.resolve(lo, offset - offs[lo]!);
  }

  private resolve(k: number, delta: number): MappedPosition {
    const frame = this.frames[k]!;
    let loc = this.locs[k]!;
    if (!(loc instanceof Expansion)) {
      const width = loc.text.length;
      const column = loc.col + (this.exact[k] === 1 ? Math.min(delta, Math.max(width - 1, 0)) : 0);
      const pos: MappedPosition = { file: frame.file, line: loc.line + frame.lineDelta, column };
      if (frame.via) pos.via = frame.via;
      return pos;
    }
    const via: SpanOrigin[] = [];
    let macro = loc.macro;
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
