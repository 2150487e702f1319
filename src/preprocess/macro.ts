import { TokenFlag, TokenKind, Token } from './token.js';

/** Local aliases (see token.ts): one property load per use. */
const T = TokenKind;
const F = TokenFlag;

export const enum Builtin {
  NONE, FILE, LINE, COUNTER, INCLUDE_LEVEL, BASE_FILE, DATE, TIME, TIMESTAMP,
  /** The `_Pragma("...")` operator. */
  PRAGMA,
}

/**
 * A macro definition. Parsed definitions are immutable and cached per `#define` line; only
 * `disabled` changes, while the macro's own expansion is being rescanned.
 */
export class MacroDef {
  disabled = false;
  constructor(
    readonly name: string,
    readonly funLike: boolean,
    readonly params: readonly string[],
    readonly variadic: boolean,
    /** Replacement list; parameters appear as MACRO_ARG tokens, `#`/`##` folded into flags. */
    readonly body: readonly Token[],
    readonly builtin: Builtin,
    /** Where it was defined (file id, line, column). */
    readonly file: number,
    readonly line: number,
    readonly col: number,
  ) {}
}

export function builtinMacro(name: string, kind: Builtin): MacroDef {
  return new MacroDef(name, false, [], false, [], kind, -1, 0, 0);
}

/** Thrown by parseDefine; the caller turns it into a positioned DiagnosticError. */
export class DefineError {
  constructor(readonly message: string, readonly at: Token) {}
}

/**
 * Parse `#define` tokens[start..end) (start is the macro name) into a definition, following GNU
 * cpp in assembler mode: a `#` not followed by a parameter is kept as an ordinary token.
 */
export function parseDefine(tokens: readonly Token[], start: number, end: number, directive: Token): MacroDef {
  const nameTok = tokens[start];
  if (start >= end || nameTok === undefined) throw new DefineError('no macro name given in #define directive', directive);
  if (nameTok.kind !== T.NAME) throw new DefineError('macro names must be identifiers', nameTok);
  if (nameTok.text === 'defined') throw new DefineError('"defined" cannot be used as a macro name', nameTok);
  let k = start + 1;
  let funLike = false;
  const params: string[] = [];
  let variadic = false;
  const first = tokens[k];
  if (k < end && first !== undefined && first.kind === T.OPEN_PAREN && (first.flags & F.PREV_WHITE) === 0) {
    funLike = true;
    k++;
    let expectParam = true;
    for (;;) {
      const t = tokens[k];
      if (k >= end || t === undefined) throw new DefineError("missing ')' in macro parameter list", tokens[end - 1] ?? nameTok);
      k++;
      if (t.kind === T.CLOSE_PAREN && (!expectParam || params.length === 0)) break;
      if (!expectParam) {
        if (t.kind === T.COMMA && !variadic) { expectParam = true; continue; }
        throw new DefineError(variadic ? "missing ')' after \"...\"" : `expected comma in macro parameter list`, t);
      }
      if (t.kind === T.ELLIPSIS) {
        variadic = true;
        params.push('__VA_ARGS__');
        expectParam = false;
        continue;
      }
      if (t.kind !== T.NAME) throw new DefineError(`expected parameter name, found "${t.text}"`, t);
      if (params.includes(t.text)) throw new DefineError(`duplicate macro parameter "${t.text}"`, t);
      params.push(t.text);
      expectParam = false;
      const nx = tokens[k];
      if (k < end && nx !== undefined && nx.kind === T.ELLIPSIS) {
        variadic = true; // GNU named variadic parameter: args...
        k++;
      }
    }
  }

  const body: Token[] = [];
  for (; k < end; k++) {
    const src = tokens[k]!;
    let tok = src;
    if (funLike && src.kind === T.NAME) {
      const idx = params.indexOf(src.text);
      if (idx >= 0) {
        tok = new Token(T.MACRO_ARG, src.text, src.flags & ~F.BOL, src.file, src.line, src.col);
        tok.argIndex = idx;
      }
    }
    if (tok.kind === T.PASTE) {
      if (body.length === 0) throw new DefineError("'##' cannot appear at either end of a macro expansion", tok);
      const prev = body[body.length - 1]!;
      if ((prev.flags & F.PASTE_LEFT) === 0) body[body.length - 1] = prev.withFlags(prev.flags | F.PASTE_LEFT);
      if (k === end - 1) throw new DefineError("'##' cannot appear at either end of a macro expansion", tok);
      continue;
    }
    if (tok.kind === T.MACRO_ARG && body.length > 0) {
      const prev = body[body.length - 1]!;
      // `#param` (function-like only): stringify; the parameter inherits the `#`'s leading space.
      if (prev.kind === T.HASH && (prev.flags & F.PASTE_LEFT) === 0 && funLike) {
        const s = tok.withFlags((tok.flags & ~F.PREV_WHITE) | F.STRINGIFY_ARG | (prev.flags & F.PREV_WHITE));
        body[body.length - 1] = s;
        continue;
      }
    }
    if ((tok.flags & F.BOL) !== 0) tok = tok.withFlags(tok.flags & ~F.BOL);
    body.push(tok);
  }
  // GNU cpp drops the first body token's leading space.
  if (body.length > 0 && (body[0]!.flags & F.PREV_WHITE) !== 0) body[0] = body[0]!.withFlags(body[0]!.flags & ~F.PREV_WHITE);
  return new MacroDef(nameTok.text, funLike, params, variadic, body, Builtin.NONE, nameTok.file, nameTok.line, nameTok.col);
}
