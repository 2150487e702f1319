import type { Span, SpanOrigin } from '../diagnostics.js';

/** Where each offset of a preprocessed text came from (the preprocessor's map), as the parser needs it. */
export interface PositionMap {
  lookup(offset: number): { file: string; line: number; column: number; via?: SpanOrigin[] };
  /** Optional fast path: the span from the character at `start` to the one at `last`, as built from two lookups. */
  spanOf?(start: number, last: number): Span;
}
