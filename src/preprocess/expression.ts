import { TokenKind, type Token } from './token.js';

/** Local aliases (see token.ts): one property load per use. */
const T = TokenKind;

/** What the `#if` evaluator needs from the preprocessor. */
export interface ExprSource {
  /** Next non-padding token, macro-expanded; EOF at the end of the directive. */
  next(): Token;
  /** Next non-padding token without macro expansion (operand of `defined`). */
  nextRaw(): Token;
  isDefined(name: string): boolean;
  /** `__has_include` / `__has_include_next`: called after the name token; reads its own operand. */
  hasInclude(next: boolean): boolean;
  /** Report a fatal error at `tok` (or at the directive when tok is EOF). */
  fail(message: string, tok: Token): never;
  warn(message: string, tok: Token): void;
}

/** An intmax_t / uintmax_t value. */
interface Num {
  v: bigint;
  u: boolean;
}

const toS = (v: bigint): bigint => BigInt.asIntN(64, v);
const toU = (v: bigint): bigint => BigInt.asUintN(64, v);
const num = (v: bigint, u: boolean): Num => ({ v: u ? toU(v) : toS(v), u });
const bool = (b: boolean): Num => ({ v: b ? 1n : 0n, u: false });
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Spelling of a token for messages, as GNU cpp quotes it. */
function spell(tok: Token): string {
  return tok.kind === T.EOF ? 'end of line' : `"${tok.text}"`;
}

/** Binary operator precedence (higher binds tighter); 0 = not a binary operator. */
function precedence(kind: TokenKind): number {
  switch (kind) {
    case T.MULT: case T.DIV: case T.MOD: return 10;
    case T.PLUS: case T.MINUS: return 9;
    case T.LSHIFT: case T.RSHIFT: return 8;
    case T.LESS: case T.GREATER: case T.LESS_EQ: case T.GREATER_EQ: return 7;
    case T.EQ_EQ: case T.NOT_EQ: return 6;
    case T.AND: return 5;
    case T.XOR: return 4;
    case T.OR: return 3;
    case T.AND_AND: return 2;
    case T.OR_OR: return 1;
    default: return 0;
  }
}

/** Evaluate one `#if`/`#elif` expression with GNU cpp's intmax_t semantics. */
export function evaluateCondition(src: ExprSource, directive: string): boolean {
  return new ExprParser(src).run(directive);
}

class ExprParser {
  private tok: Token;
  /** > 0 inside an operand whose value is not used (short-circuit): no division-by-zero error. */
  private skipEval = 0;

  constructor(private readonly src: ExprSource) {
    this.tok = src.next();
  }

  run(directive: string): boolean {
    if (this.kind() === T.EOF) this.src.fail(`#${directive} with no expression`, this.tok);
    const v = this.comma();
    if (this.kind() !== T.EOF) this.unexpected();
    return v.v !== 0n;
  }

  /** Kind of the lookahead token (a method, so narrowing does not survive advance()). */
  private kind(): TokenKind {
    return this.tok.kind;
  }

  private advance(): void {
    this.tok = this.src.next();
  }

  private unexpected(): never {
    const t = this.tok;
    if (t.kind === T.CLOSE_PAREN) this.src.fail("missing '(' in expression", t);
    if (t.kind === T.COLON) this.src.fail("':' without preceding '?'", t);
    if (isOperand(t) || t.kind === T.OPEN_PAREN) this.src.fail(`missing binary operator before token ${spell(t)}`, t);
    this.src.fail(`token ${spell(t)} is not valid in preprocessor expressions`, t);
  }

  private comma(): Num {
    let v = this.conditional();
    while (this.kind() === T.COMMA) {
      this.advance();
      v = this.conditional();
    }
    return v;
  }

  private conditional(): Num {
    const c = this.binary(1);
    if (this.kind() !== T.QUERY) return c;
    this.advance();
    const take = c.v !== 0n;
    if (!take) this.skipEval++;
    const a = this.comma();
    if (!take) this.skipEval--;
    if (this.kind() !== T.COLON) this.src.fail("'?' without following ':'", this.tok);
    this.advance();
    if (take) this.skipEval++;
    const b = this.conditional();
    if (take) this.skipEval--;
    const u = a.u || b.u;
    return num(take ? a.v : b.v, u);
  }

  private binary(minPrec: number): Num {
    let lhs = this.unary();
    for (;;) {
      const op = this.tok;
      const prec = precedence(op.kind);
      if (prec === 0 || prec < minPrec) return lhs;
      this.advance();
      if (op.kind === T.AND_AND || op.kind === T.OR_OR) {
        const short = op.kind === T.AND_AND ? lhs.v === 0n : lhs.v !== 0n;
        if (short) this.skipEval++;
        const rhs = this.binary(prec + 1);
        if (short) this.skipEval--;
        lhs = op.kind === T.AND_AND ? bool(lhs.v !== 0n && rhs.v !== 0n) : bool(lhs.v !== 0n || rhs.v !== 0n);
        continue;
      }
      const rhs = this.binary(prec + 1);
      lhs = this.apply(op, lhs, rhs);
    }
  }

  private apply(op: Token, a: Num, b: Num): Num {
    if (op.kind === T.LSHIFT || op.kind === T.RSHIFT) return shift(op.kind, a, b);
    const u = a.u || b.u;
    const x = u ? toU(a.v) : a.v;
    const y = u ? toU(b.v) : b.v;
    switch (op.kind) {
      case T.MULT: return num(x * y, u);
      case T.DIV:
      case T.MOD:
        if (y === 0n) {
          if (this.skipEval > 0) return num(0n, u);
          this.src.fail(`division by zero in #if`, op);
        }
        return num(op.kind === T.DIV ? x / y : x % y, u);
      case T.PLUS: return num(x + y, u);
      case T.MINUS: return num(x - y, u);
      case T.LESS: return bool(x < y);
      case T.GREATER: return bool(x > y);
      case T.LESS_EQ: return bool(x <= y);
      case T.GREATER_EQ: return bool(x >= y);
      case T.EQ_EQ: return bool(x === y);
      case T.NOT_EQ: return bool(x !== y);
      case T.AND: return num(x & y, u);
      case T.XOR: return num(x ^ y, u);
      case T.OR: return num(x | y, u);
      default: return this.unexpected();
    }
  }

  private unary(): Num {
    const t = this.tok;
    switch (t.kind) {
      case T.PLUS: this.advance(); return this.unary();
      case T.MINUS: { this.advance(); const v = this.unary(); return num(-v.v, v.u); }
      case T.COMPL: { this.advance(); const v = this.unary(); return num(~v.v, v.u); }
      case T.NOT: { this.advance(); const v = this.unary(); return bool(v.v === 0n); }
      case T.OPEN_PAREN: {
        this.advance();
        if (this.kind() === T.CLOSE_PAREN) this.src.fail("missing expression between '(' and ')'", this.tok);
        const v = this.comma();
        if (this.kind() !== T.CLOSE_PAREN) {
          if (this.kind() === T.EOF) this.src.fail("missing ')' in expression", this.tok);
          this.unexpected();
        }
        this.advance();
        return v;
      }
      case T.NUMBER: { this.advance(); return this.number(t); }
      case T.CHAR: { this.advance(); return charValue(t, this.src); }
      case T.NAME: {
        if (t.text === 'defined') return this.defined(t);
        if (t.text === '__has_include' || t.text === '__has_include_next') {
          const v = this.src.hasInclude(t.text === '__has_include_next');
          this.advance();
          return bool(v);
        }
        this.advance();
        return num(0n, false);
      }
      case T.EOF:
        this.src.fail('#if with no expression', t);
      // falls through (fail never returns)
      default:
        if (t.kind === T.CLOSE_PAREN || precedence(t.kind) > 0 || t.kind === T.QUERY || t.kind === T.COLON || t.kind === T.COMMA) {
          this.src.fail(`operator ${spell(t)} has no left operand`, t);
        }
        return this.unexpected();
    }
  }

  private defined(at: Token): Num {
    let t = this.src.nextRaw();
    let paren = false;
    if (t.kind === T.OPEN_PAREN) {
      paren = true;
      t = this.src.nextRaw();
    }
    if (t.kind !== T.NAME) this.src.fail('operator "defined" requires an identifier', t.kind === T.EOF ? at : t);
    const v = this.src.isDefined(t.text);
    if (paren) {
      const close = this.src.nextRaw();
      if (close.kind !== T.CLOSE_PAREN) this.src.fail("missing ')' after \"defined\"", close.kind === T.EOF ? at : close);
    }
    this.advance();
    return bool(v);
  }

  private number(t: Token): Num {
    return parseInteger(t, this.src);
  }
}

function isOperand(t: Token): boolean {
  return t.kind === T.NUMBER || t.kind === T.NAME || t.kind === T.CHAR;
}

function shift(kind: TokenKind, a: Num, b: Num): Num {
  let left = kind === T.LSHIFT;
  let n: bigint = b.u ? toU(b.v) : b.v;
  if (n < 0n) {
    left = !left;
    n = -n;
  }
  const x = a.u ? toU(a.v) : a.v;
  if (left) return n >= 64n ? num(0n, a.u) : num(x << n, a.u);
  if (n >= 64n) return num(!a.u && x < 0n ? -1n : 0n, a.u);
  return num(x >> n, a.u);
}

/** A pp-number in `#if`: decimal, octal, hex or binary integer with optional u/l suffixes. */
function parseInteger(t: Token, src: ExprSource): Num {
  const s = t.text;
  let i = 0;
  let radix = 10;
  if (s.length > 1 && s[0] === '0') {
    const x = s[1];
    if (x === 'x' || x === 'X') { radix = 16; i = 2; }
    else if (x === 'b' || x === 'B') { radix = 2; i = 2; }
    else { radix = 8; i = 1; }
  }
  let end = i;
  const isDigitFor = (c: string): boolean =>
    (c >= '0' && c <= '9') || (radix === 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
  while (end < s.length && isDigitFor(s[end]!)) end++;
  const suffix = s.slice(end);
  const digits = s.slice(i, end);
  if (suffix.includes('.') || ((radix === 10 || radix === 8) && /^[eE]/.test(suffix)) || (radix === 16 && /[pP]/.test(suffix))) {
    src.fail(`floating constant in preprocessor expression`, t);
  }
  if (!/^(?:[uU]?(?:l|L|ll|LL)?|(?:l|L|ll|LL)[uU])$/.test(suffix)) {
    src.fail(`invalid suffix "${suffix}" on integer constant`, t);
  }
  if (radix !== 10 && digits.length === 0 && radix !== 8) src.fail(`invalid suffix "${s.slice(1)}" on integer constant`, t);
  let v = 0n;
  const r = BigInt(radix);
  for (const c of digits) {
    const d = BigInt(parseInt(c, 16));
    if (d >= r) src.fail(`invalid digit "${c}" in ${radix === 8 ? 'octal' : 'binary'} constant`, t);
    v = v * r + d;
  }
  let u = /[uU]/.test(suffix);
  if (v > UINT64_MAX) {
    src.warn('integer constant is too large for its type', t);
    v = toU(v);
  }
  if (!u && v > INT64_MAX) {
    if (radix === 10) src.warn('integer constant is so large that it is unsigned', t);
    u = true;
  }
  return num(v, u);
}

/** Value of a character constant ('a', '\n', '\377', multi-character 'ab', L'x'). */
function charValue(t: Token, src: ExprSource): Num {
  const s = t.text;
  const wide = s[0] === 'L';
  const body = s.slice(wide ? 2 : 1, -1);
  const width = wide ? 32n : 8n;
  const mask = (1n << width) - 1n;
  let result = 0n;
  let count = 0;
  for (let i = 0; i < body.length;) {
    let c: bigint;
    const ch = body[i]!;
    if (ch !== '\\') {
      c = BigInt(body.charCodeAt(i));
      i++;
    } else {
      const e = body[i + 1] ?? '';
      i += 2;
      switch (e) {
        case 'n': c = 10n; break;
        case 't': c = 9n; break;
        case 'r': c = 13n; break;
        case 'a': c = 7n; break;
        case 'b': c = 8n; break;
        case 'f': c = 12n; break;
        case 'v': c = 11n; break;
        case 'e': case 'E': c = 27n; break;
        case 'x': {
          let j = i;
          while (j < body.length && /[0-9a-fA-F]/.test(body[j]!)) j++;
          if (j === i) src.fail('\\x used with no following hex digits', t);
          c = BigInt(`0x${body.slice(i, j)}`);
          i = j;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            let j = i;
            while (j < body.length && j < i + 2 && body[j]! >= '0' && body[j]! <= '7') j++;
            c = BigInt(parseInt(e + body.slice(i, j), 8));
            i = j;
          } else {
            c = BigInt(e.charCodeAt(0) || 0);
          }
      }
    }
    result = wide ? c & mask : ((result << width) | (c & mask));
    count++;
  }
  if (count === 0) src.fail('empty character constant', t);
  if (count > 1 && !wide) src.warn('multi-character character constant', t);
  if (wide) return num(BigInt.asIntN(32, result), false);
  if (count === 1) return num(BigInt.asIntN(8, result), false);
  return num(BigInt.asIntN(32, result), false);
}
