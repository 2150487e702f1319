/**
 * Preprocessing tokens. Kinds are small integers so the hot paths compare numbers, not strings.
 * The order of the first block matters: every kind up to `LAST_EQ` can be followed by `=` to
 * form a longer operator, which is what the output's paste-avoidance rule relies on.
 */
export const enum T {
  EQ, NOT, GREATER, LESS, PLUS, MINUS, MULT, DIV, MOD, AND, OR, XOR, RSHIFT, LSHIFT,
  COMPL, AND_AND, OR_OR, QUERY, COLON, COMMA, OPEN_PAREN, CLOSE_PAREN, EQ_EQ, NOT_EQ,
  GREATER_EQ, LESS_EQ, PLUS_EQ, MINUS_EQ, MULT_EQ, DIV_EQ, MOD_EQ, AND_EQ, OR_EQ, XOR_EQ,
  RSHIFT_EQ, LSHIFT_EQ, HASH, PASTE, OPEN_SQUARE, CLOSE_SQUARE, OPEN_BRACE, CLOSE_BRACE,
  SEMICOLON, ELLIPSIS, PLUS_PLUS, MINUS_MINUS, DEREF, DOT,
  NAME, NUMBER, CHAR, STRING, HEADER_NAME, OTHER,
  /** Invisible marker that only influences output spacing (cpplib's CPP_PADDING). */
  PADDING,
  EOF,
  /** A parameter reference inside a function-like macro's replacement list. */
  MACRO_ARG,
}

export const LAST_EQ = T.LSHIFT;
export const LAST_PUNCT = T.DOT;

/** Token flags. */
export const enum F {
  /** Whitespace (or a comment) precedes the token. */
  PREV_WHITE = 1,
  /** First token of a logical line. */
  BOL = 2,
  /** Painted blue: this name must never be macro-expanded again. */
  NO_EXPAND = 4,
  /** In a macro body: the token is the left operand of `##`. */
  PASTE_LEFT = 8,
  /** In a macro body: a parameter preceded by `#`. */
  STRINGIFY_ARG = 16,
}

/**
 * One token. A single class with fixed fields keeps property access monomorphic. Tokens lexed from
 * a file are shared by every run that uses the same cache, so they are never mutated after lexing.
 */
export class Token {
  kind: T;
  text: string;
  flags: number;
  /** File id (see PreprocessCache.fileName) and 1-based physical line/column. */
  file: number;
  line: number;
  col: number;
  /** PADDING: the token whose PREV_WHITE decides spacing (null = avoid-paste padding). */
  source: Token | null = null;
  /** MACRO_ARG: 0-based parameter index. */
  argIndex = -1;
  /** Lazily created padding token whose source is this token (paddings are immutable). */
  padding: Token | null = null;

  constructor(kind: T, text: string, flags: number, file: number, line: number, col: number) {
    this.kind = kind;
    this.text = text;
    this.flags = flags;
    this.file = file;
    this.line = line;
    this.col = col;
  }

  /** A copy with different flags (used for blue paint and paste-flag fix-ups). */
  withFlags(flags: number): Token {
    const t = new Token(this.kind, this.text, flags, this.file, this.line, this.col);
    t.argIndex = this.argIndex;
    return t;
  }
}

/** The padding token cpplib calls `avoid_paste`: no source, only requests paste avoidance. */
export const AVOID_PASTE = new Token(T.PADDING, '', 0, -1, 0, 0);

export const EOF_TOKEN = new Token(T.EOF, '', 0, -1, 0, 0);

export function paddingFor(source: Token): Token {
  let p = source.padding;
  if (p === null) {
    p = new Token(T.PADDING, '', 0, source.file, source.line, source.col);
    p.source = source;
    source.padding = p;
  }
  return p;
}

/**
 * GNU cpp's rule for inserting a space between two adjacent output tokens that would otherwise
 * lex differently (cpp_avoid_paste), including its digraph-aware cases.
 */
export function avoidPaste(a: Token, b: Token): boolean {
  const ak = a.kind;
  const bk = b.kind;
  const c = bk <= LAST_PUNCT ? b.text.charCodeAt(0) : -1;
  if (ak <= LAST_EQ && c === 0x3d /* = */) return true;
  switch (ak) {
    case T.GREATER: return c === 0x3e;
    case T.LESS: return c === 0x3c || c === 0x25 || c === 0x3a;
    case T.PLUS: return c === 0x2b;
    case T.MINUS: return c === 0x2d || c === 0x3e;
    case T.DIV: return c === 0x2f || c === 0x2a;
    case T.MOD: return c === 0x3a || c === 0x25;
    case T.AND: return c === 0x26;
    case T.OR: return c === 0x7c;
    case T.COLON: return c === 0x3a || c === 0x3e;
    case T.DEREF: return c === 0x2a;
    case T.DOT: return c === 0x2e || c === 0x25 || bk === T.NUMBER;
    case T.HASH: return c === 0x23 || c === 0x25;
    case T.NAME: return bk === T.NAME || bk === T.NUMBER || bk === T.CHAR || bk === T.STRING;
    case T.NUMBER:
      return bk === T.NUMBER || bk === T.NAME || bk === T.CHAR || c === 0x2e || c === 0x2b || c === 0x2d;
    case T.OTHER: return a.text.charCodeAt(0) === 0x5c /* \ */ && bk === T.NAME;
    case T.LESS_EQ: return c === 0x3e;
    default: return false;
  }
}

/** Operators by spelling, longest first within each leading character (used by the lexer and paste). */
export const PUNCTUATORS: ReadonlyArray<readonly [string, T]> = [
  ['<<=', T.LSHIFT_EQ], ['>>=', T.RSHIFT_EQ], ['...', T.ELLIPSIS],
  ['##', T.PASTE], ['->', T.DEREF], ['++', T.PLUS_PLUS], ['--', T.MINUS_MINUS],
  ['<<', T.LSHIFT], ['>>', T.RSHIFT], ['<=', T.LESS_EQ], ['>=', T.GREATER_EQ],
  ['==', T.EQ_EQ], ['!=', T.NOT_EQ], ['&&', T.AND_AND], ['||', T.OR_OR],
  ['*=', T.MULT_EQ], ['/=', T.DIV_EQ], ['%=', T.MOD_EQ], ['+=', T.PLUS_EQ], ['-=', T.MINUS_EQ],
  ['&=', T.AND_EQ], ['^=', T.XOR_EQ], ['|=', T.OR_EQ],
  ['=', T.EQ], ['!', T.NOT], ['>', T.GREATER], ['<', T.LESS], ['+', T.PLUS], ['-', T.MINUS],
  ['*', T.MULT], ['/', T.DIV], ['%', T.MOD], ['&', T.AND], ['|', T.OR], ['^', T.XOR],
  ['~', T.COMPL], ['?', T.QUERY], [':', T.COLON], [',', T.COMMA], ['(', T.OPEN_PAREN],
  [')', T.CLOSE_PAREN], ['#', T.HASH], ['[', T.OPEN_SQUARE], [']', T.CLOSE_SQUARE],
  ['{', T.OPEN_BRACE], ['}', T.CLOSE_BRACE], [';', T.SEMICOLON], ['.', T.DOT],
];
