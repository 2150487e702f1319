/**
 * Preprocessing tokens. Kinds are small integers so the hot paths compare numbers, not strings.
 * The order of the first block matters: every kind up to `LAST_EQ` can be followed by `=` to
 * form a longer operator, which is what the output's paste-avoidance rule relies on.
 *
 * Kinds and flags are plain frozen objects rather than `const enum`s: modules alias them once
 * (`const T = TokenKind`), which keeps each use a cheap property load even where imports are
 * live getters (vitest's module runner), instead of a getter call per comparison.
 */
export const TokenKind = {
  EQ: 0,
  NOT: 1,
  GREATER: 2,
  LESS: 3,
  PLUS: 4,
  MINUS: 5,
  MULT: 6,
  DIV: 7,
  MOD: 8,
  AND: 9,
  OR: 10,
  XOR: 11,
  RSHIFT: 12,
  LSHIFT: 13,
  COMPL: 14,
  AND_AND: 15,
  OR_OR: 16,
  QUERY: 17,
  COLON: 18,
  COMMA: 19,
  OPEN_PAREN: 20,
  CLOSE_PAREN: 21,
  EQ_EQ: 22,
  NOT_EQ: 23,
  GREATER_EQ: 24,
  LESS_EQ: 25,
  PLUS_EQ: 26,
  MINUS_EQ: 27,
  MULT_EQ: 28,
  DIV_EQ: 29,
  MOD_EQ: 30,
  AND_EQ: 31,
  OR_EQ: 32,
  XOR_EQ: 33,
  RSHIFT_EQ: 34,
  LSHIFT_EQ: 35,
  HASH: 36,
  PASTE: 37,
  OPEN_SQUARE: 38,
  CLOSE_SQUARE: 39,
  OPEN_BRACE: 40,
  CLOSE_BRACE: 41,
  SEMICOLON: 42,
  ELLIPSIS: 43,
  PLUS_PLUS: 44,
  MINUS_MINUS: 45,
  DEREF: 46,
  DOT: 47,
  NAME: 48,
  NUMBER: 49,
  CHAR: 50,
  STRING: 51,
  HEADER_NAME: 52,
  OTHER: 53,
  /** Invisible marker that only influences output spacing (cpplib's CPP_PADDING). */
  PADDING: 54,
  EOF: 55,
  /** A parameter reference inside a function-like macro's replacement list. */
  MACRO_ARG: 56,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];
const T = TokenKind;

export const LAST_EQ = T.LSHIFT;
export const LAST_PUNCT = T.DOT;

/** Token flags (bits). */
export const TokenFlag = {
  /** Whitespace (or a comment) precedes the token. */
  PREV_WHITE: 1,
  /** First token of a logical line. */
  BOL: 2,
  /** Painted blue: this name must never be macro-expanded again. */
  NO_EXPAND: 4,
  /** In a macro body: the token is the left operand of `##`. */
  PASTE_LEFT: 8,
  /** In a macro body: a parameter preceded by `#`. */
  STRINGIFY_ARG: 16,
} as const;


/**
 * One token. A single class with fixed fields keeps property access monomorphic. Tokens lexed from
 * a file are shared by every run that uses the same cache, so they are never mutated after lexing.
 * Every field is set in the constructor (`declare`d, no initializers): field initializers run as a
 * separate function per object, and a cold run builds tens of thousands of tokens in V8's
 * interpreter.
 */
export class Token {
  declare kind: TokenKind;
  declare text: string;
  declare flags: number;
  /** File id (see PreprocessCache.fileName) and 1-based physical line/column. */
  declare file: number;
  declare line: number;
  declare col: number;
  /** PADDING: the token whose PREV_WHITE decides spacing (null = avoid-paste padding). */
  declare source: Token | null;
  /** MACRO_ARG: 0-based parameter index. */
  declare argIndex: number;
  /** Lazily created padding token whose source is this token (paddings are immutable). */
  declare padding: Token | null;

  constructor(kind: TokenKind, text: string, flags: number, file: number, line: number, col: number) {
    this.kind = kind;
    this.text = text;
    this.flags = flags;
    this.file = file;
    this.line = line;
    this.col = col;
    this.source = null;
    this.argIndex = -1;
    this.padding = null;
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
export const PUNCTUATORS: ReadonlyArray<readonly [string, TokenKind]> = [
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
