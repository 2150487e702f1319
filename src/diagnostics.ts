/** Where a piece of text came from: 1-based line and column in the original file. */
export interface Span {
  file: string;
  line: number;
  column: number;
  /** Last line/column (inclusive) when the span covers a range. */
  endLine?: number;
  endColumn?: number;
  /** Include / macro-expansion chain that produced this text, outermost last. */
  via?: SpanOrigin[];
  /**
   * The file of the span's last character, when it is not `file` (a value that runs into an
   * /include/d file, a `#line` inside a node). dtc names such a range by its last token's file.
   */
  endFile?: string;
}

export interface SpanOrigin {
  kind: 'include' | 'macro';
  /** Macro name for kind 'macro'. */
  name?: string;
  file: string;
  line: number;
  column: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** One finding from any stage (see docs/architecture.md). */
export interface Diagnostic {
  /** 'dtc/unit_address_vs_reg', 'schema/required', 'pas/smr-conflict', 'parse/syntax', ... */
  rule: string;
  severity: Severity;
  message: string;
  /** Node path in the (merged) tree. */
  path?: string;
  property?: string;
  span?: Span;
  related?: { message: string; span: Span }[];
  /** For schema findings: the binding's `$id` as dt-validate prints it (`http://devicetree.org/schemas/...yaml#`). */
  schema?: string;
  /** review: the boards and compositions on which the patch introduces (or fixes) this finding. */
  boards?: string[];
}

/** An input error that stops a stage: carries a Diagnostic so the CLI prints file:line:col, never a stack. */
export class DiagnosticError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'DiagnosticError';
    this.diagnostic = diagnostic;
  }
}

/**
 * A usage or input error with no source position (a folder that is no Linux tree, a --board that
 * matches nothing): whichever front end meets it prints the one-line message and exits 2.
 */
export class InputError extends Error {}

/** Most characters of a source line an excerpt shows: a 50 MB line must not print 100 MB. */
export const EXCERPT_MAX_CHARS = 160;

/**
 * The part [start, end) of a line of `length` characters that an excerpt shows: all of it when
 * short, else EXCERPT_MAX_CHARS around `column` (1-based), a third of them before it. The caller
 * marks a cut side with `…`.
 */
export function excerptWindow(length: number, column: number, max = EXCERPT_MAX_CHARS): { start: number; end: number } {
  if (length <= max) return { start: 0, end: length };
  const start = Math.max(0, Math.min(column - 1 - Math.floor(max / 3), length - max));
  return { start, end: start + max };
}

export function formatSpan(span: Span): string {
  return `${span.file}:${span.line}:${span.column}`;
}

type MappedPoint = { file: string; line: number; column: number; via?: SpanOrigin[] };

/** The span from the character at `start` to the one at `last`, given a position look-up (e.g. a preprocessor map). */
export function spanFromLookups(lookup: (offset: number) => MappedPoint, start: number, last: number): Span {
  const a = lookup(start);
  const b = lookup(last);
  const span: Span = { file: a.file, line: a.line, column: a.column };
  if (a.via) span.via = a.via;
  if (b.file === a.file) {
    span.endLine = b.line;
    span.endColumn = b.column;
  } else span.endFile = b.file;
  return span;
}
