import { cppError } from './errors.js';
import type { MacroDef } from './macro.js';
import { TokenFlag, TokenKind, Token } from './token.js';

/** Local aliases (see token.ts): one property load per use. */
const T = TokenKind;
const F = TokenFlag;

/** A file split into preprocessing tokens once; shared by every run that uses the same cache. */
export interface LexedFile {
  path: string;
  id: number;
  tokens: Token[];
  /** Macro named by a whole-file `#ifndef X … #endif` guard, if the file has that shape. */
  guard: string | null;
  /** Parsed `#define`s by token index of the macro name (definitions depend only on the tokens). */
  defs: Map<number, MacroDef>;
}

const enum C {
  TAB = 9, LF = 10, VT = 11, FF = 12, CR = 13, SPACE = 32, BANG = 33, DQUOTE = 34, HASH = 35,
  PERCENT = 37, AMP = 38, SQUOTE = 39, LPAREN = 40, RPAREN = 41, STAR = 42, PLUS = 43, COMMA = 44,
  MINUS = 45, DOT = 46, SLASH = 47, D0 = 48, D9 = 57, COLON = 58, SEMI = 59, LT = 60, EQ = 61,
  GT = 62, QUERY = 63, UA = 65, UE = 69, UL = 76, UP = 80, UZ = 90, LBRACKET = 91, BACKSLASH = 92,
  RBRACKET = 93, CARET = 94, UNDERSCORE = 95, LA = 97, LE = 101, LP = 112, LZ = 122, LBRACE = 123,
  BAR = 124, RBRACE = 125, TILDE = 126,
}

/**
 * Character classes by char code, one table load per character instead of a call: a cold run
 * (a fresh process per DTB) executes this scanner in V8's interpreter, where calls cost most.
 * No '$': GNU cpp in assembler-with-cpp mode does not allow dollars in identifiers. A NaN code
 * (past the end) reads undefined, which masks to 0.
 */
const IDENT_START = 1;
const IDENT_CHAR = 2;
const DIGIT = 4;
const CLASS = new Uint8Array(0x10000);
for (let c = C.LA; c <= C.LZ; c++) CLASS[c] = IDENT_START | IDENT_CHAR;
for (let c = C.UA; c <= C.UZ; c++) CLASS[c] = IDENT_START | IDENT_CHAR;
CLASS[C.UNDERSCORE] = IDENT_START | IDENT_CHAR;
for (let c = C.D0; c <= C.D9; c++) CLASS[c] = IDENT_CHAR | DIGIT;

/**
 * Remove backslash-newline splices (GNU cpp also accepts spaces between the backslash and the
 * newline). Returns the logical text and the logical offsets where a physical line break vanished.
 */
function removeSplices(text: string): { text: string; splices: number[] } {
  const splices: number[] = [];
  let out = '';
  let from = 0;
  let i = text.indexOf('\\');
  while (i >= 0) {
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === C.SPACE || text.charCodeAt(j) === C.TAB)) j++;
    if (j < text.length && text.charCodeAt(j) === C.CR && text.charCodeAt(j + 1) === C.LF) j++;
    if (j < text.length && text.charCodeAt(j) === C.LF) {
      out += text.slice(from, i);
      splices.push(out.length);
      from = j + 1;
      i = text.indexOf('\\', from);
    } else {
      i = text.indexOf('\\', i + 1);
    }
  }
  if (splices.length === 0) return { text, splices };
  return { text: out + text.slice(from), splices };
}

/** Tokenise a whole file (char-code scanner; comments become whitespace, splices are removed). */
export function lexFile(source: string, path: string, id: number): LexedFile {
  const { text: s, splices } = removeSplices(source);
  const n = s.length;
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let spliceIdx = 0;
  let bol = true;
  let white = false;
  /** 0: nothing; 1: saw BOL '#'; 2: saw '# include' so a header name may follow. */
  let includeState = 0;

  // Account for splices that lie before logical offset `o` (each one was a physical line break).
  const syncSplices = (o: number): void => {
    while (spliceIdx < splices.length && splices[spliceIdx]! <= o) {
      line++;
      lineStart = splices[spliceIdx]!;
      spliceIdx++;
    }
  };

  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === C.LF) {
      if (spliceIdx < splices.length) syncSplices(i);
      line++;
      lineStart = i + 1;
      i++;
      bol = true;
      white = false;
      includeState = 0;
      continue;
    }
    if (c === C.SPACE || c === C.TAB || c === C.CR || c === C.FF || c === C.VT) {
      white = true;
      i++;
      continue;
    }
    if (c === C.SLASH) {
      const d = s.charCodeAt(i + 1);
      if (d === C.STAR) {
        const end = s.indexOf('*/', i + 2);
        if (end < 0) {
          syncSplices(i);
          cppError('unterminated-comment', 'unterminated comment', path, line, i - lineStart + 1);
        }
        for (let k = s.indexOf('\n', i + 2); k >= 0 && k < end; k = s.indexOf('\n', k + 1)) {
          syncSplices(k);
          line++;
          lineStart = k + 1;
        }
        i = end + 2;
        white = true;
        continue;
      }
      if (d === C.SLASH) {
        const end = s.indexOf('\n', i + 2);
        i = end < 0 ? n : end;
        white = true;
        continue;
      }
    }

    if (spliceIdx < splices.length) syncSplices(i);
    const col = i - lineStart + 1;
    const flags = (white ? F.PREV_WHITE : 0) | (bol ? F.BOL : 0);
    let kind: TokenKind;
    let j = i + 1;

    const k = CLASS[c]!;
    if ((k & IDENT_START) !== 0) {
      while (j < n && (CLASS[s.charCodeAt(j)]! & IDENT_CHAR) !== 0) j++;
      const d = s.charCodeAt(j);
      if (c === C.UL && j === i + 1 && (d === C.DQUOTE || d === C.SQUOTE)) {
        [kind, j] = lexQuoted(s, j, d);
      } else {
        kind = T.NAME;
      }
    } else if ((k & DIGIT) !== 0 || (c === C.DOT && (CLASS[s.charCodeAt(i + 1)]! & DIGIT) !== 0)) {
      kind = T.NUMBER;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        if ((CLASS[d]! & IDENT_CHAR) !== 0 || d === C.DOT) continue;
        if (d === C.PLUS || d === C.MINUS) {
          const p = s.charCodeAt(j - 1);
          if (p === C.LE || p === C.UE || p === C.LP || p === C.UP) continue;
        }
        break;
      }
    } else if (includeState === 2 && (c === C.LT || c === C.DQUOTE)) {
      const close = s.indexOf(c === C.LT ? '>' : '"', i + 1);
      const eol = s.indexOf('\n', i + 1);
      if (close >= 0 && (eol < 0 || close < eol)) {
        kind = T.HEADER_NAME;
        j = close + 1;
      } else if (c === C.DQUOTE) {
        [kind, j] = lexQuoted(s, i, c);
      } else {
        kind = T.LESS;
      }
    } else if (c === C.DQUOTE || c === C.SQUOTE) {
      [kind, j] = lexQuoted(s, i, c);
    } else {
      const d = s.charCodeAt(i + 1);
      switch (c) {
        case C.LPAREN: kind = T.OPEN_PAREN; break;
        case C.RPAREN: kind = T.CLOSE_PAREN; break;
        case C.COMMA: kind = T.COMMA; break;
        case C.SEMI: kind = T.SEMICOLON; break;
        case C.LBRACE: kind = T.OPEN_BRACE; break;
        case C.RBRACE: kind = T.CLOSE_BRACE; break;
        case C.LBRACKET: kind = T.OPEN_SQUARE; break;
        case C.RBRACKET: kind = T.CLOSE_SQUARE; break;
        case C.TILDE: kind = T.COMPL; break;
        case C.QUERY: kind = T.QUERY; break;
        case C.COLON: kind = T.COLON; break;
        case C.HASH:
          if (d === C.HASH) { kind = T.PASTE; j++; } else kind = T.HASH;
          break;
        case C.EQ:
          if (d === C.EQ) { kind = T.EQ_EQ; j++; } else kind = T.EQ;
          break;
        case C.BANG:
          if (d === C.EQ) { kind = T.NOT_EQ; j++; } else kind = T.NOT;
          break;
        case C.STAR:
          if (d === C.EQ) { kind = T.MULT_EQ; j++; } else kind = T.MULT;
          break;
        case C.SLASH:
          if (d === C.EQ) { kind = T.DIV_EQ; j++; } else kind = T.DIV;
          break;
        case C.PERCENT:
          if (d === C.EQ) { kind = T.MOD_EQ; j++; } else kind = T.MOD;
          break;
        case C.CARET:
          if (d === C.EQ) { kind = T.XOR_EQ; j++; } else kind = T.XOR;
          break;
        case C.PLUS:
          if (d === C.PLUS) { kind = T.PLUS_PLUS; j++; } else if (d === C.EQ) { kind = T.PLUS_EQ; j++; } else kind = T.PLUS;
          break;
        case C.MINUS:
          if (d === C.MINUS) { kind = T.MINUS_MINUS; j++; }
          else if (d === C.EQ) { kind = T.MINUS_EQ; j++; }
          else if (d === C.GT) { kind = T.DEREF; j++; }
          else kind = T.MINUS;
          break;
        case C.AMP:
          if (d === C.AMP) { kind = T.AND_AND; j++; } else if (d === C.EQ) { kind = T.AND_EQ; j++; } else kind = T.AND;
          break;
        case C.BAR:
          if (d === C.BAR) { kind = T.OR_OR; j++; } else if (d === C.EQ) { kind = T.OR_EQ; j++; } else kind = T.OR;
          break;
        case C.LT:
          if (d === C.LT) {
            if (s.charCodeAt(i + 2) === C.EQ) { kind = T.LSHIFT_EQ; j += 2; } else { kind = T.LSHIFT; j++; }
          } else if (d === C.EQ) { kind = T.LESS_EQ; j++; } else kind = T.LESS;
          break;
        case C.GT:
          if (d === C.GT) {
            if (s.charCodeAt(i + 2) === C.EQ) { kind = T.RSHIFT_EQ; j += 2; } else { kind = T.RSHIFT; j++; }
          } else if (d === C.EQ) { kind = T.GREATER_EQ; j++; } else kind = T.GREATER;
          break;
        case C.DOT:
          if (d === C.DOT && s.charCodeAt(i + 2) === C.DOT) { kind = T.ELLIPSIS; j += 2; } else kind = T.DOT;
          break;
        default:
          // '\\', '@', '$', '`', control and non-ASCII characters: one stray character each.
          kind = T.OTHER;
          break;
      }
    }

    const tok = new Token(kind, s.slice(i, j), flags, id, line, col);
    tokens.push(tok);
    if (includeState === 1) {
      includeState = kind === T.NAME && (tok.text === 'include' || tok.text === 'include_next' || tok.text === 'import') ? 2 : 0;
    } else {
      includeState = bol && kind === T.HASH ? 1 : 0;
    }
    i = j;
    bol = false;
    white = false;
  }
  return { path, id, tokens, guard: detectGuard(tokens), defs: new Map() };
}

/**
 * A string or character literal starting at `i` (the quote). Unterminated literals become one
 * OTHER token running to the end of the line, as GNU cpp does without complaint in assembler mode.
 */
function lexQuoted(s: string, i: number, quote: number): [TokenKind, number] {
  let j = i + 1;
  const n = s.length;
  while (j < n) {
    const d = s.charCodeAt(j);
    if (d === C.BACKSLASH && j + 1 < n && s.charCodeAt(j + 1) !== C.LF) {
      j += 2;
      continue;
    }
    if (d === quote) return [quote === C.DQUOTE ? T.STRING : T.CHAR, j + 1];
    if (d === C.LF) break;
    j++;
  }
  return [T.OTHER, j];
}

function isDirective(tokens: Token[], k: number, name: string): boolean {
  const t = tokens[k];
  const nx = tokens[k + 1];
  return t !== undefined && t.kind === T.HASH && (t.flags & F.BOL) !== 0 && nx !== undefined &&
    (nx.flags & F.BOL) === 0 && nx.kind === T.NAME && nx.text === name;
}

/** Find `#ifndef X` … `#endif` covering the whole file (or `#if !defined X` / `!defined(X)`). */
function detectGuard(tokens: Token[]): string | null {
  let k: number;
  let guard: string;
  const at = (x: number): Token | undefined => {
    const t = tokens[x];
    return t !== undefined && (t.flags & F.BOL) === 0 ? t : undefined;
  };
  if (isDirective(tokens, 0, 'ifndef')) {
    const g = at(2);
    if (g === undefined || g.kind !== T.NAME) return null;
    guard = g.text;
    k = 3;
  } else if (isDirective(tokens, 0, 'if')) {
    if (at(2)?.kind !== T.NOT || at(3)?.text !== 'defined') return null;
    const g = at(4);
    if (g?.kind === T.NAME) {
      guard = g.text;
      k = 5;
    } else if (g?.kind === T.OPEN_PAREN && at(5)?.kind === T.NAME && at(6)?.kind === T.CLOSE_PAREN) {
      guard = at(5)!.text;
      k = 7;
    } else return null;
  } else return null;
  if (k < tokens.length && (tokens[k]!.flags & F.BOL) === 0) return null;

  let depth = 1;
  for (; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== T.HASH || (t.flags & F.BOL) === 0) continue;
    const nx = at(k + 1);
    if (nx === undefined || nx.kind !== T.NAME) continue;
    const name = nx.text;
    if (name === 'if' || name === 'ifdef' || name === 'ifndef') depth++;
    else if (depth === 1 && (name === 'else' || name === 'elif' || name === 'elifdef' || name === 'elifndef')) return null;
    else if (name === 'endif') {
      depth--;
      if (depth === 0) {
        let e = k + 2;
        while (e < tokens.length && (tokens[e]!.flags & F.BOL) === 0) e++;
        return e === tokens.length ? guard : null;
      }
    }
  }
  return null;
}
