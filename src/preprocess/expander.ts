import { lexFile } from './lexer.js';
import { Builtin, type MacroDef } from './macro.js';
import { Expansion, type Loc } from './position-map.js';
import { AVOID_PASTE, EOF_TOKEN, TokenFlag, TokenKind, Token, paddingFor } from './token.js';

/** Local aliases (see token.ts): one property load per use. */
const T = TokenKind;
const F = TokenFlag;

/** One token source on the expansion stack (a macro's replacement, an argument, a pasted token). */
class Context {
  tokens: readonly Token[] = [];
  pos = 0;
  end = 0;
  /** Per-token origins, or null when every token shares `loc`. */
  locs: readonly Loc[] | null = null;
  loc: Loc | null = null;
  /** Macro re-enabled when this context is popped. */
  macro: MacroDef | null = null;
  /** Argument pre-expansion: yield EOF at the end instead of popping. */
  eofAtEnd = false;
}

class MacroArg {
  first: Token[] = [];
  firstLocs: Loc[] = [];
  expanded: Token[] | null = null;
  expandedLocs: Loc[] | null = null;
  stringified: Token | null = null;
  /** The variadic argument was left out entirely (not just empty): `, ## __VA_ARGS__` drops the comma. */
  omitted = false;
}

const EMPTY: readonly Token[] = [];
/** Caps that turn runaway expansion into an error instead of a hang or an out-of-memory crash. */
const MAX_CONTEXT_DEPTH = 20_000;
/** The largest qcom board expands ~27k tokens; 5M is ~200 times that. */
const MAX_EXPANDED_TOKENS = 5_000_000;

/**
 * GNU cpp's macro expansion algorithm: a stack of token contexts rescanned in order, macros
 * disabled while their own context is live, names met while disabled painted (never expanded
 * again), arguments pre-expanded in isolation, and padding tokens that let the printer reproduce
 * cpp's spacing exactly. Subclasses supply the base token stream (file or directive line).
 */
export abstract class Expander {
  readonly macros = new Map<string, MacroDef>();
  /** Origin of the token most recently returned by getToken. */
  loc: Loc = EOF_TOKEN;
  /** > 0: names are not expanded (collecting arguments, `defined` operands). */
  preventExpansion = 0;
  /** 0: normal; 1: looking for the `(` of a function-like macro; 2: collecting its arguments. */
  parsingArgs = 0;
  private readonly contexts: Context[] = [];
  protected depth = 0;
  /** Contexts below this depth belong to an interrupted outer scan (see directives). */
  protected floor = 0;
  /** Tokens produced by macro expansion so far in this run (checked against maxExpandedTokens). */
  expandedTokens = 0;
  /** The caps (`--limit macro-tokens=N`, `macro-depth=N`). */
  maxExpandedTokens = MAX_EXPANDED_TOKENS;
  maxContextDepth = MAX_CONTEXT_DEPTH;

  protected abstract baseNext(): Token;
  protected abstract baseBackup(): void;
  protected abstract builtinToken(kind: Builtin, name: Token, loc: Loc): Token;
  /** `_Pragma ( "..." )` after its name: consume the operand and act on the pragma. */
  protected abstract pragmaOperator(name: Token, loc: Loc): void;
  /** Fatal error at the position of `loc`. */
  protected abstract failAt(message: string, loc: Loc, rule?: string): never;

  /** The next token after macro expansion (cpplib's cpp_get_token); PADDING tokens included. */
  getToken(): Token {
    for (;;) {
      let tok: Token;
      let loc: Loc;
      if (this.depth === this.floor) {
        tok = this.baseNext();
        loc = tok;
      } else {
        const ctx = this.contexts[this.depth - 1]!;
        if (ctx.pos < ctx.end) {
          const i = ctx.pos++;
          tok = ctx.tokens[i]!;
          loc = ctx.locs !== null ? ctx.locs[i]! : ctx.loc!;
          if ((tok.flags & F.PASTE_LEFT) !== 0) {
            this.pasteAll(tok, loc, ctx);
            this.loc = loc;
            return paddingFor(tok);
          }
        } else if (ctx.eofAtEnd) {
          ctx.pos = ctx.end + 1;
          return EOF_TOKEN;
        } else {
          this.popContext();
          return AVOID_PASTE;
        }
      }
      this.loc = loc;
      if (tok.kind !== T.NAME || (tok.flags & F.NO_EXPAND) !== 0) return tok;
      const m = this.macros.get(tok.text);
      if (m === undefined) return tok;
      if (m.disabled) return tok.withFlags(tok.flags | F.NO_EXPAND);
      if (this.preventExpansion > 0) return tok;
      if (m.builtin === Builtin.PRAGMA) {
        // The operator vanishes from the output, like a directive (no padding token either).
        this.pragmaOperator(tok, loc);
        continue;
      }
      if (this.enterMacro(m, tok, loc)) return paddingFor(tok);
      this.loc = loc;
      return tok;
    }
  }

  /** Step back over the last token read (only ever one). */
  protected backup(): void {
    if (this.depth === this.floor) this.baseBackup();
    else this.contexts[this.depth - 1]!.pos--;
  }

  protected pushContext(tokens: readonly Token[], locs: readonly Loc[] | null, loc: Loc | null, macro: MacroDef | null, eofAtEnd = false): void {
    if (this.depth >= this.maxContextDepth) {
      this.failAt(`macro expansion nested more than ${this.maxContextDepth} levels deep (--limit macro-depth=N to change it)`, this.loc, 'expansion-limit');
    }
    let ctx = this.contexts[this.depth];
    if (ctx === undefined) {
      ctx = new Context();
      this.contexts.push(ctx);
    }
    ctx.tokens = tokens;
    ctx.pos = 0;
    ctx.end = tokens.length;
    ctx.locs = locs;
    ctx.loc = loc;
    ctx.macro = macro;
    ctx.eofAtEnd = eofAtEnd;
    this.depth++;
  }

  protected popContext(): void {
    const ctx = this.contexts[--this.depth]!;
    if (ctx.macro !== null) ctx.macro.disabled = false;
    ctx.tokens = EMPTY;
    ctx.locs = null;
    ctx.loc = null;
    ctx.macro = null;
  }

  /** Pop every context above `floor` (end of a directive, or cleanup after an error). */
  protected unwindTo(floor: number): void {
    while (this.depth > floor) this.popContext();
  }

  private enterMacro(m: MacroDef, name: Token, nameLoc: Loc): boolean {
    if (m.builtin !== Builtin.NONE) {
      const exp = new Expansion(m.name, name, nameLoc);
      this.pushContext([this.builtinToken(m.builtin, name, nameLoc)], null, exp, null);
      return true;
    }
    let args: MacroArg[] | null = null;
    if (m.funLike) {
      const prevent = this.preventExpansion;
      const parsing = this.parsingArgs;
      this.preventExpansion++;
      this.parsingArgs = 1;
      try {
        args = this.funlikeInvocation(m, nameLoc);
      } finally {
        this.parsingArgs = parsing;
        this.preventExpansion = prevent;
      }
      if (args === null) return false;
    }
    const exp = new Expansion(m.name, name, nameLoc);
    if (m.params.length > 0) this.replaceArgs(m, args!, exp);
    else this.pushContext(m.body, null, exp, m);
    m.disabled = true;
    this.countExpanded(m.body.length + 1, nameLoc);
    return true;
  }

  /** Look for `(` after a function-like macro's name; collect the arguments if it is there. */
  private funlikeInvocation(m: MacroDef, nameLoc: Loc): MacroArg[] | null {
    let padding: Token | null = null;
    let tok: Token;
    for (;;) {
      tok = this.getToken();
      if (tok.kind !== T.PADDING) break;
      if (padding === null || padding.source === null ||
          ((padding.source.flags & F.PREV_WHITE) === 0 && tok.source === null)) {
        padding = tok;
      }
    }
    if (tok.kind === T.OPEN_PAREN) {
      this.parsingArgs = 2;
      return this.collectArgs(m, nameLoc);
    }
    this.backup();
    if (padding !== null) this.pushContext([padding], null, this.loc, null);
    return null;
  }

  private collectArgs(m: MacroDef, nameLoc: Loc): MacroArg[] {
    const args: MacroArg[] = [];
    const paramc = m.params.length;
    let tok: Token;
    do {
      const arg = new MacroArg();
      args.push(arg);
      let depth = 0;
      for (;;) {
        tok = this.getToken();
        if (tok.kind === T.PADDING) {
          if (arg.first.length === 0) continue;
        } else if (tok.kind === T.OPEN_PAREN) {
          depth++;
        } else if (tok.kind === T.CLOSE_PAREN) {
          if (depth-- === 0) break;
        } else if (tok.kind === T.COMMA) {
          if (depth === 0 && !(m.variadic && args.length === paramc)) break;
        } else if (tok.kind === T.EOF || (tok.kind === T.HASH && (tok.flags & F.BOL) !== 0)) {
          break;
        }
        arg.first.push(tok);
        arg.firstLocs.push(this.loc);
      }
      while (arg.first.length > 0 && arg.first[arg.first.length - 1]!.kind === T.PADDING) {
        arg.first.pop();
        arg.firstLocs.pop();
      }
    } while (tok.kind !== T.CLOSE_PAREN && tok.kind !== T.EOF);

    if (tok.kind === T.EOF) {
      this.failAt(`unterminated argument list invoking macro "${m.name}"`, nameLoc, 'unterminated-arguments');
    }
    // Collected tokens count too: nested invocations re-collect their arguments at every level.
    let collected = 0;
    for (const a of args) collected += a.first.length;
    this.countExpanded(collected, nameLoc);
    const argc = args.length;
    if (argc === 1 && paramc === 0 && args[0]!.first.length === 0) return [];
    if (argc < paramc) {
      if (argc + 1 === paramc && m.variadic) {
        const missing = new MacroArg();
        missing.omitted = true;
        args.push(missing);
      }
      else this.failAt(`macro "${m.name}" requires ${paramc} arguments, but only ${argc} given`, nameLoc, 'macro-arguments');
    } else if (argc > paramc) {
      this.failAt(`macro "${m.name}" passed ${argc} arguments, but takes just ${paramc}`, nameLoc, 'macro-arguments');
    }
    return args;
  }

  /** Fully macro-expand one argument in isolation (it cannot reach past its own end). */
  private expandArg(arg: MacroArg): void {
    const expanded: Token[] = [];
    const locs: Loc[] = [];
    arg.expanded = expanded;
    arg.expandedLocs = locs;
    if (arg.first.length === 0) return;
    this.pushContext(arg.first, arg.firstLocs, null, null, true);
    for (;;) {
      const tok = this.getToken();
      if (tok.kind === T.EOF) break;
      expanded.push(tok);
      locs.push(this.loc);
    }
    this.popContext();
    this.countExpanded(expanded.length, this.loc);
  }

  private countExpanded(n: number, loc: Loc): void {
    this.expandedTokens += n;
    if (this.expandedTokens > this.maxExpandedTokens) {
      this.failAt(`macro expansion produced more than ${this.maxExpandedTokens} tokens (--limit macro-tokens=N to change it)`, loc, 'expansion-limit');
    }
  }

  /** `#param`: spell the raw argument as a string literal, with cpp's spacing and escaping. */
  private stringify(arg: MacroArg, exp: Expansion): Token {
    let out = '"';
    let source: Token | null = null;
    let backslashes = 0;
    const first = arg.first;
    for (let i = 0; i < first.length; i++) {
      const tok = first[i]!;
      if (tok.kind === T.PADDING) {
        if (source === null || ((source.flags & F.PREV_WHITE) === 0 && tok.source === null)) source = tok.source;
        continue;
      }
      if (out.length > 1) {
        if ((source ?? tok).flags & F.PREV_WHITE) out += ' ';
      }
      source = null;
      if (tok.kind === T.STRING || tok.kind === T.CHAR) {
        const s = tok.text;
        for (let k = 0; k < s.length; k++) {
          const c = s[k]!;
          out += c === '"' || c === '\\' ? `\\${c}` : c;
        }
      } else {
        out += tok.text;
      }
      backslashes = tok.kind === T.OTHER && tok.text.charCodeAt(0) === 0x5c ? backslashes + 1 : 0;
    }
    if (backslashes & 1) out = out.slice(0, -1);
    const name = exp.name;
    return new Token(T.STRING, `${out}"`, 0, name.file, name.line, name.col);
  }

  private replaceArgs(m: MacroDef, args: MacroArg[], exp: Expansion): void {
    const body = m.body;
    for (let i = 0; i < body.length; i++) {
      const src = body[i]!;
      if (src.kind !== T.MACRO_ARG) continue;
      const arg = args[src.argIndex]!;
      if ((src.flags & F.STRINGIFY_ARG) !== 0) {
        if (arg.stringified === null) arg.stringified = this.stringify(arg, exp);
      } else if ((src.flags & F.PASTE_LEFT) !== 0 || (i > 0 && (body[i - 1]!.flags & F.PASTE_LEFT) !== 0)) {
        // raw tokens are used
      } else if (arg.expanded === null) {
        this.expandArg(arg);
      }
    }

    const out: Token[] = [];
    const locs: Loc[] = [];
    /** Index of the `)` closing the `__VA_OPT__(` group being copied, or -1. */
    let vaOptEnd = -1;
    for (let i = 0; i < body.length; i++) {
      const src = body[i]!;
      if (i === vaOptEnd) {
        vaOptEnd = -1;
        out.push(AVOID_PASTE);
        locs.push(exp);
        continue;
      }
      if (src.kind !== T.MACRO_ARG) {
        if (m.variadic && src.kind === T.NAME && src.text === '__VA_OPT__' && vaOptEnd < 0) {
          const end = vaOptGroupEnd(body, i);
          if (end > 0) {
            // C2x / GNU __VA_OPT__(…): the group is kept only if the variadic argument has tokens.
            if (hasTokens(args[m.params.length - 1]!.first)) {
              if (!(i > 0 && (body[i - 1]!.flags & F.PASTE_LEFT) !== 0)) {
                out.push(paddingFor(src));
                locs.push(exp);
              }
              vaOptEnd = end;
              i++;
            } else {
              i = end;
            }
            continue;
          }
        }
        out.push(src);
        locs.push(exp);
        continue;
      }
      const arg = args[src.argIndex]!;
      const afterPaste = i > 0 && (body[i - 1]!.flags & F.PASTE_LEFT) !== 0;
      let pasteIdx = -1;
      let from: readonly Token[];
      let fromLocs: readonly Loc[];
      if ((src.flags & F.STRINGIFY_ARG) !== 0) {
        from = [arg.stringified!];
        fromLocs = [exp];
      } else if ((src.flags & F.PASTE_LEFT) !== 0) {
        from = arg.first;
        fromLocs = arg.firstLocs;
      } else if (afterPaste) {
        from = arg.first;
        fromLocs = arg.firstLocs;
        if (out.length > 0) {
          const last = out.length - 1;
          if (out[last]!.kind === T.COMMA && m.variadic && src.argIndex === m.params.length - 1) {
            // GNU `, ## __VA_ARGS__`: a left-out variadic argument swallows the comma.
            if (arg.omitted) {
              out.pop();
              locs.pop();
            } else {
              pasteIdx = last;
            }
          } else if (from.length === 0) {
            pasteIdx = last;
          }
        }
      } else {
        from = arg.expanded!;
        fromLocs = arg.expandedLocs!;
      }
      if (i > 0 && !afterPaste) {
        out.push(paddingFor(src));
        locs.push(exp);
      }
      if (from.length > 0) {
        // an argument substituted thousands of times: fail before the list outgrows the cap (and V8's arrays)
        if (this.expandedTokens + out.length + from.length > this.maxExpandedTokens) this.countExpanded(out.length + from.length, exp);
        for (let k = 0; k < from.length; k++) {
          out.push(from[k]!);
          locs.push(fromLocs[k]!);
        }
        if ((src.flags & F.PASTE_LEFT) !== 0) pasteIdx = out.length - 1;
      }
      if ((src.flags & F.PASTE_LEFT) === 0) {
        out.push(AVOID_PASTE);
        locs.push(exp);
      }
      if (pasteIdx >= 0) {
        const t = out[pasteIdx]!;
        const flags = (t.flags & ~F.PASTE_LEFT) | (src.flags & F.PASTE_LEFT);
        if (flags !== t.flags) out[pasteIdx] = t.withFlags(flags);
      }
    }
    this.countExpanded(out.length, exp);
    this.pushContext(out, locs, null, m);
  }

  /** `a ## b ## c`: paste left to right; in assembler mode an invalid paste just stops pasting. */
  private pasteAll(lhs: Token, lhsLoc: Loc, ctx: Context): void {
    let result = lhs;
    let rhs: Token;
    do {
      if (ctx.pos >= ctx.end) break;
      rhs = ctx.tokens[ctx.pos++]!;
      if (rhs.kind === T.PADDING) {
        if (rhs.source === null) continue;
      }
      const pasted = pasteTokens(result, rhs);
      if (pasted === null) {
        ctx.pos--;
        break;
      }
      result = pasted;
    } while ((rhs.flags & F.PASTE_LEFT) !== 0);
    if ((result.flags & F.PASTE_LEFT) !== 0) result = result.withFlags(result.flags & ~F.PASTE_LEFT);
    this.pushContext([result], null, lhsLoc, null);
  }
}

/** Index of the `)` matching the `(` right after `__VA_OPT__` at `i`, or -1. */
function vaOptGroupEnd(body: readonly Token[], i: number): number {
  if (body[i + 1]?.kind !== T.OPEN_PAREN) return -1;
  let depth = 0;
  for (let k = i + 1; k < body.length; k++) {
    const kind = body[k]!.kind;
    if (kind === T.OPEN_PAREN) depth++;
    else if (kind === T.CLOSE_PAREN && --depth === 0) return k;
  }
  return -1;
}

function hasTokens(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.kind !== T.PADDING) return true;
  return false;
}

/** The single token spelled by lhs+rhs, or null when the spelling is not one token. */
function pasteTokens(lhs: Token, rhs: Token): Token | null {
  // A space after '/' keeps "/" ## "/" from starting a comment (and so fail, as in cpp).
  const text = lhs.text + (lhs.kind === T.DIV && rhs.kind !== T.EQ ? ' ' : '') + rhs.text;
  let toks: Token[];
  try {
    toks = lexFile(text, '<paste>', -1).tokens;
  } catch {
    return null;
  }
  if (toks.length !== 1 || toks[0]!.text.length !== text.length) return null;
  const t = toks[0]!;
  return new Token(t.kind, text, lhs.flags & F.PREV_WHITE, lhs.file, lhs.line, lhs.col);
}
