import { resolve as resolvePath } from 'node:path';
import type { Diagnostic, SpanOrigin } from '../diagnostics.js';
import type { PreprocessCache } from './cache.js';
import { cppError } from './errors.js';
import { Expander } from './expander.js';
import { evaluateCondition, type ExprSource } from './expression.js';
import { lexFile, type LexedFile } from './lexer.js';
import { BUILTIN_DEFS, PREDEFINED, buildTime, dateLiteral, quoteString, timeLiteral, timestampLiteral } from './builtins.js';
import { NotRegularFileError } from '../input-file.js';
import { sandboxRefusal, type Sandbox } from '../sandbox.js';
import { findInclude, lookupKey, type FoundInclude } from './includes.js';
import { Builtin, DefineError, parseDefine, type MacroDef } from './macro.js';
import type { OutputWriter } from './output.js';
import { Expansion, type LineFrame, type Loc } from './position-map.js';
import { EOF_TOKEN, TokenFlag, TokenKind, Token } from './token.js';

/** Local aliases (see token.ts): one property load per use. */
const T = TokenKind;
const F = TokenFlag;

/** One open file: its tokens, read position, presumed-position frame and `#if` stack. */
interface SourceBuffer {
  file: LexedFile;
  tokens: Token[];
  pos: number;
  /** Name as cpp builds it (include dir + "/" + name); used for `__FILE__` and line markers. */
  path: string;
  /** Index of the include dir it was found in (-1: the includer's folder or the command line). */
  dirIndex: number;
  frame: LineFrame;
  conds: Conditional[];
  parent: SourceBuffer | null;
  /** Presumed line in the parent just after the `#include`. */
  returnLine: number;
  depth: number;
}

interface Conditional {
  wasSkipping: boolean;
  /** A group has been taken (or the whole block is skipped): later #elif/#else groups are skipped. */
  skipElses: boolean;
  sawElse: boolean;
  directive: string;
  at: Token;
}

export interface PreprocessorConfig {
  includeDirs: string[];
  readFile?: (path: string) => string;
  maxIncludeDepth: number;
  /** When set, an `#include` that resolves outside its roots is an error (docs/security.md). */
  sandbox?: Sandbox;
  maxExpandedTokens?: number;
  maxMacroDepth?: number;
}

const KNOWN_PRAGMAS = new Set([
  'once', 'push_macro', 'pop_macro', 'GCC poison', 'GCC system_header', 'GCC dependency', 'GCC warning', 'GCC error',
]);

/** The NAME of `push_macro("NAME")`. */
function pragmaMacroName(tokens: readonly Token[], k: number, end: number): string | null {
  const open = tokens[k];
  const str = tokens[k + 1];
  const close = tokens[k + 2];
  if (k + 2 >= end || open?.kind !== T.OPEN_PAREN || str?.kind !== T.STRING || close?.kind !== T.CLOSE_PAREN) return null;
  return str.text.slice(1, -1);
}

/** Rest of a directive line spelled back with single spaces (for #error / #warning). */
function spellLine(tokens: readonly Token[], start: number, end: number): string {
  let s = '';
  for (let k = start; k < end; k++) {
    const t = tokens[k]!;
    if (k > start && (t.flags & F.PREV_WHITE) !== 0) s += ' ';
    s += t.text;
  }
  return s;
}

export class Preprocessor extends Expander {
  readonly dependencies: string[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private readonly seenDeps = new Set<string>();
  private readonly onceFiles = new Set<string>();
  private readonly enteredLookups = new Set<string>();
  private readonly pushedMacros = new Map<string, (MacroDef | null)[]>();
  private buffer!: SourceBuffer;
  private mainPath = '';
  private skipping = false;
  private inDirective = false;
  private dirTokens: readonly Token[] = [];
  private dirPos = 0;
  private dirEnd = 0;
  private directiveHash: Token = EOF_TOKEN;
  private lastBaseEof = false;
  private counter = 0;
  private readonly now: Date;

  constructor(
    private readonly cache: PreprocessCache,
    private readonly out: OutputWriter,
    private readonly config: PreprocessorConfig,
  ) {
    super();
    if (config.maxExpandedTokens !== undefined) this.maxExpandedTokens = config.maxExpandedTokens;
    if (config.maxMacroDepth !== undefined) this.maxContextDepth = config.maxMacroDepth;
    for (const def of BUILTIN_DEFS) this.macros.set(def.name, def);
    this.now = buildTime();
  }

  /** Run over `path` (already read as `main`), after applying `-D`/`-U` style definitions. */
  run(main: LexedFile, path: string, defines: Record<string, string | null>): void {
    this.mainPath = path;
    let cmd = PREDEFINED;
    for (const [name, value] of Object.entries(defines)) {
      cmd += value === null ? `#undef ${name}\n` : `#define ${name} ${value}\n`;
    }
    const cmdFile = this.cache.fileId('<command-line>');
    const cmdLexed = lexCommandLine(cmd, cmdFile);
    const mainFrame: LineFrame = { file: path, lineDelta: 0, via: undefined };
    this.buffer = this.newBuffer(cmdLexed, '<command-line>', -1, { file: '<command-line>', lineDelta: 0, via: undefined }, null, 0);
    this.baseNext();
    this.buffer = this.newBuffer(main, path, -1, mainFrame, null, 0);
    this.lastBaseEof = false;
    this.addDependency(path);
    this.out.begin(mainFrame);
    try {
      for (;;) {
        const tok = this.getToken();
        if (tok.kind === T.PADDING) {
          this.out.padding(tok);
          continue;
        }
        if (tok.kind === T.EOF) break;
        this.out.token(tok, this.loc, this.buffer.frame);
      }
      this.checkConditionalsClosed(this.buffer);
    } finally {
      this.unwindTo(0);
    }
  }

  private newBuffer(file: LexedFile, path: string, dirIndex: number, frame: LineFrame, parent: SourceBuffer | null, returnLine: number): SourceBuffer {
    return {
      file, tokens: file.tokens, pos: 0, path, dirIndex, frame, conds: [], parent, returnLine,
      depth: parent === null ? 0 : parent.depth + 1,
    };
  }

  private addDependency(path: string): void {
    if (!this.seenDeps.has(path)) {
      this.seenDeps.add(path);
      this.dependencies.push(path);
    }
  }

  // ---- base token stream -------------------------------------------------------------------

  protected baseNext(): Token {
    if (this.inDirective) {
      if (this.dirPos < this.dirEnd) {
        this.lastBaseEof = false;
        return this.dirTokens[this.dirPos++]!;
      }
      this.lastBaseEof = true;
      return EOF_TOKEN;
    }
    for (;;) {
      const buf = this.buffer;
      const tokens = buf.tokens;
      if (buf.pos >= tokens.length) {
        if (this.parsingArgs > 0 || buf.parent === null) {
          this.lastBaseEof = true;
          return EOF_TOKEN;
        }
        this.leaveFile();
        continue;
      }
      const tok = tokens[buf.pos++]!;
      if ((tok.flags & F.BOL) !== 0) {
        if (tok.kind === T.HASH && this.parsingArgs !== 1 && this.directive(tok)) continue;
        if (this.skipping) {
          this.skipLine();
          continue;
        }
        if (this.parsingArgs === 0) this.out.lineChange(tok, buf.frame);
        else if (this.parsingArgs === 2 && (tok.flags & F.PREV_WHITE) === 0) {
          // Inside a macro's arguments a line break counts as whitespace (cpp sets PREV_WHITE).
          this.lastBaseEof = false;
          return tok.withFlags(tok.flags | F.PREV_WHITE);
        }
      } else if (this.skipping) {
        this.skipLine();
        continue;
      }
      this.lastBaseEof = false;
      return tok;
    }
  }

  protected baseBackup(): void {
    if (this.lastBaseEof) return;
    if (this.inDirective) this.dirPos--;
    else this.buffer.pos--;
  }

  private skipLine(): void {
    const buf = this.buffer;
    const tokens = buf.tokens;
    let p = buf.pos;
    while (p < tokens.length && (tokens[p]!.flags & F.BOL) === 0) p++;
    buf.pos = p;
  }

  private leaveFile(): void {
    const buf = this.buffer;
    this.checkConditionalsClosed(buf);
    const parent = buf.parent!;
    this.buffer = parent;
    this.out.leaveFile(parent.frame, buf.returnLine);
  }

  private checkConditionalsClosed(buf: SourceBuffer): void {
    const open = buf.conds[buf.conds.length - 1];
    if (open !== undefined) this.failAtToken(`unterminated #${open.directive}`, open.at, buf, 'unterminated-conditional');
    this.skipping = false;
  }

  // ---- positions and errors ----------------------------------------------------------------

  /** Resolve a token origin to a presumed file/line/column. */
  positionOf(loc: Loc, buf: SourceBuffer = this.buffer): { file: string; line: number; column: number } {
    let l = loc;
    while (l instanceof Expansion) l = l.nameLoc;
    let tok = l;
    if (tok.file < 0) tok = this.directiveHash;
    if (tok.file < 0) return { file: buf.frame.file, line: 1, column: 1 };
    if (tok.file === buf.file.id) return { file: buf.frame.file, line: tok.line + buf.frame.lineDelta, column: tok.col };
    return { file: this.cache.fileName(tok.file), line: tok.line, column: tok.col };
  }

  /** Best-known current position (for reporting failures that have no token of their own). */
  where(): { file: string; line: number; column: number } {
    const buf = this.buffer as SourceBuffer | undefined; // unset before run() starts
    if (buf === undefined) return { file: this.mainPath, line: 1, column: 1 };
    const tok = buf.tokens[Math.max(0, Math.min(buf.pos, buf.tokens.length) - 1)];
    return tok === undefined ? { file: buf.frame.file, line: 1, column: 1 } : this.positionOf(tok);
  }

  protected failAt(message: string, loc: Loc, rule = 'error'): never {
    const p = this.positionOf(loc);
    cppError(rule, message, p.file, p.line, p.column);
  }

  private failAtToken(message: string, tok: Token, buf: SourceBuffer, rule: string): never {
    const p = this.positionOf(tok, buf);
    cppError(rule, message, p.file, p.line, p.column);
  }

  private warnAt(message: string, loc: Loc, rule = 'warning'): void {
    const p = this.positionOf(loc);
    this.diagnostics.push({ rule: `cpp/${rule}`, severity: 'warning', message, span: { ...p } });
  }

  protected builtinToken(kind: Builtin, name: Token, loc: Loc): Token {
    let text: string;
    let tokenKind: TokenKind = T.STRING;
    switch (kind) {
      case Builtin.FILE: text = quoteString(this.buffer.frame.file); break;
      case Builtin.BASE_FILE: text = quoteString(this.mainPath); break;
      case Builtin.DATE: text = dateLiteral(this.now); break;
      case Builtin.TIME: text = timeLiteral(this.now); break;
      case Builtin.TIMESTAMP: text = timestampLiteral(this.now); break;
      default:
        tokenKind = T.NUMBER;
        if (kind === Builtin.LINE) text = String(this.positionOf(loc).line);
        else if (kind === Builtin.COUNTER) text = String(this.counter++);
        else text = String(this.buffer.depth);
    }
    return new Token(tokenKind, text, 0, name.file, name.line, name.col);
  }

  protected pragmaOperator(name: Token, loc: Loc): void {
    const open = this.nextNonPadding();
    const str = open.kind === T.OPEN_PAREN ? this.nextNonPadding() : open;
    const close = str.kind === T.STRING ? this.nextNonPadding() : str;
    if (open.kind !== T.OPEN_PAREN || str.kind !== T.STRING || close.kind !== T.CLOSE_PAREN) {
      this.failAt('_Pragma takes a parenthesized string literal', loc, 'pragma');
    }
    const text = str.text.slice(str.text[0] === 'L' ? 2 : 1, -1).replace(/\\(["\\])/g, '$1');
    const pragma = lexFile(text, '<_Pragma>', name.file).tokens.map((t) => t.withFlags(t.flags & ~F.BOL));
    const parsing = this.parsingArgs;
    this.doPragma(pragma, 0, pragma.length, parsing);
    // cpp starts a new output line after a _Pragma.
    if (parsing === 0) this.out.lineChange(new Token(T.OTHER, '', 0, name.file, name.line, 1), this.buffer.frame);
  }

  // ---- directives --------------------------------------------------------------------------

  /**
   * Handle the directive introduced by `hash` (already consumed). Returns false for an
   * assembler-mode line such as `#address-cells = <1>;`, which is then output as ordinary text.
   */
  private directive(hash: Token): boolean {
    const buf = this.buffer;
    const tokens = buf.tokens;
    const start = buf.pos;
    let end = start;
    while (end < tokens.length && (tokens[end]!.flags & F.BOL) === 0) end++;
    if (start === end) return true; // null directive
    const nameTok = tokens[start]!;
    const name = nameTok.kind === T.NAME ? nameTok.text : '';
    const conditional = name === 'if' || name === 'ifdef' || name === 'ifndef' || name === 'elif' ||
      name === 'else' || name === 'endif' || name === 'elifdef' || name === 'elifndef';
    if (this.skipping && !conditional) {
      buf.pos = end;
      return true;
    }
    const parsing = this.parsingArgs;
    const prevent = this.preventExpansion;
    const savedHash = this.directiveHash;
    this.parsingArgs = 0;
    this.preventExpansion = 0;
    this.directiveHash = hash;
    try {
      const a = start + 1;
      switch (name) {
        case 'define': buf.pos = end; this.doDefine(buf, a, end, nameTok); return true;
        case 'undef': buf.pos = end; this.doUndef(tokens, a, end, nameTok); return true;
        case 'include': case 'include_next': case 'import':
          buf.pos = end; this.doInclude(hash, nameTok, tokens, a, end); return true;
        // Conditional errors point at the directive name, as GNU cpp's do.
        case 'if': case 'ifdef': case 'ifndef': buf.pos = end; this.doIf(name, nameTok, tokens, a, end); return true;
        case 'elif': case 'elifdef': case 'elifndef': buf.pos = end; this.doElif(name, nameTok, tokens, a, end); return true;
        case 'else': buf.pos = end; this.doElse(nameTok); return true;
        case 'endif': buf.pos = end; this.doEndif(nameTok); return true;
        case 'line': buf.pos = end; this.doLine(tokens, a, end); return true;
        case 'error':
          this.failAt(`#error ${spellLine(tokens, a, end)}`.trimEnd(), nameTok, 'error');
        // falls through (failAt never returns)
        case 'warning':
          buf.pos = end;
          this.warnAt(`#warning ${spellLine(tokens, a, end)}`.trimEnd(), nameTok, 'warning');
          return true;
        case 'pragma': buf.pos = end; this.doPragma(tokens, a, end, parsing); return true;
        case 'ident': case 'sccs': case 'assert': case 'unassert': buf.pos = end; return true;
        default:
          // Unknown directive: in assembler-with-cpp mode the line is ordinary text.
          return false;
      }
    } finally {
      this.parsingArgs = parsing;
      this.preventExpansion = prevent;
      this.directiveHash = savedHash;
    }
  }

  /** Run `fn` with the base stream switched to tokens[start..end) of a directive line. */
  private withDirectiveLine<R>(tokens: readonly Token[], start: number, end: number, fn: () => R): R {
    const saved = [this.inDirective, this.dirTokens, this.dirPos, this.dirEnd, this.floor, this.lastBaseEof] as const;
    this.inDirective = true;
    this.dirTokens = tokens;
    this.dirPos = start;
    this.dirEnd = end;
    this.floor = this.depth;
    try {
      return fn();
    } finally {
      this.unwindTo(this.floor);
      [this.inDirective, this.dirTokens, this.dirPos, this.dirEnd, this.floor, this.lastBaseEof] = saved;
    }
  }

  private nextNonPadding(): Token {
    let t = this.getToken();
    while (t.kind === T.PADDING) t = this.getToken();
    return t;
  }

  private doDefine(buf: SourceBuffer, start: number, end: number, directive: Token): void {
    let def = buf.file.defs.get(start);
    if (def === undefined) {
      try {
        def = parseDefine(buf.tokens, start, end, directive);
      } catch (e) {
        if (e instanceof DefineError) this.failAt(e.message, e.at, 'define');
        throw e;
      }
      buf.file.defs.set(start, def);
    }
    this.macros.set(def.name, def);
  }

  private doUndef(tokens: readonly Token[], start: number, end: number, directive: Token): void {
    const t = tokens[start];
    if (start >= end || t === undefined) this.failAt('no macro name given in #undef directive', directive, 'undef');
    if (t.kind !== T.NAME) this.failAt('macro names must be identifiers', t, 'undef');
    if (t.text === 'defined') this.failAt('"defined" cannot be used as a macro name', t, 'undef');
    this.macros.delete(t.text);
  }

  private macroNameFor(directive: string, tokens: readonly Token[], start: number, end: number, hash: Token): string {
    const t = tokens[start];
    if (start >= end || t === undefined) this.failAt(`no macro name given in #${directive} directive`, hash, 'conditional');
    if (t.kind !== T.NAME) this.failAt('macro names must be identifiers', t, 'conditional');
    return t.text;
  }

  private isDefined(name: string): boolean {
    return this.macros.has(name) || name === '__has_include' || name === '__has_include_next';
  }

  private evaluate(directive: string, tokens: readonly Token[], start: number, end: number, hash: Token): boolean {
    return this.withDirectiveLine(tokens, start, end, () => {
      const locs = new Map<Token, Loc>();
      const next = (): Token => {
        const t = this.nextNonPadding();
        locs.set(t, this.loc);
        return t;
      };
      const source: ExprSource = {
        next,
        nextRaw: () => {
          this.preventExpansion++;
          try {
            return next();
          } finally {
            this.preventExpansion--;
          }
        },
        isDefined: (name) => this.isDefined(name),
        hasInclude: (nextDir) => this.hasInclude(nextDir, next),
        fail: (message, tok) => this.failAt(message, tok.kind === T.EOF ? hash : locs.get(tok) ?? tok, 'if'),
        warn: (message, tok) => this.warnAt(message, tok.kind === T.EOF ? hash : locs.get(tok) ?? tok, 'if'),
      };
      return evaluateCondition(source, directive);
    });
  }

  private pushConditional(skip: boolean, directive: string, at: Token): void {
    this.buffer.conds.push({ wasSkipping: this.skipping, skipElses: this.skipping || !skip, sawElse: false, directive, at });
    this.skipping = skip;
  }

  private doIf(name: string, hash: Token, tokens: readonly Token[], start: number, end: number): void {
    let skip = true;
    if (!this.skipping) {
      if (name === 'if') skip = !this.evaluate('if', tokens, start, end, hash);
      else {
        const defined = this.isDefined(this.macroNameFor(name, tokens, start, end, hash));
        skip = name === 'ifdef' ? !defined : defined;
      }
    }
    this.pushConditional(skip, name, hash);
  }

  private doElif(name: string, hash: Token, tokens: readonly Token[], start: number, end: number): void {
    const c = this.buffer.conds[this.buffer.conds.length - 1];
    if (c === undefined) this.failAt(`#${name} without #if`, hash, 'conditional');
    if (c.sawElse) this.failAt(`#${name} after #else`, hash, 'conditional');
    c.directive = name;
    c.at = hash;
    if (c.skipElses) {
      this.skipping = true;
      return;
    }
    let take: boolean;
    if (name === 'elif') take = this.evaluate('elif', tokens, start, end, hash);
    else {
      const defined = this.isDefined(this.macroNameFor(name, tokens, start, end, hash));
      take = name === 'elifdef' ? defined : !defined;
    }
    this.skipping = !take;
    c.skipElses = take;
  }

  private doElse(hash: Token): void {
    const c = this.buffer.conds[this.buffer.conds.length - 1];
    if (c === undefined) this.failAt('#else without #if', hash, 'conditional');
    if (c.sawElse) this.failAt('#else after #else', hash, 'conditional');
    c.sawElse = true;
    c.directive = 'else';
    c.at = hash;
    this.skipping = c.skipElses;
    c.skipElses = true;
  }

  private doEndif(hash: Token): void {
    const c = this.buffer.conds.pop();
    if (c === undefined) this.failAt('#endif without #if', hash, 'conditional');
    this.skipping = c.wasSkipping;
  }

  private doLine(tokens: readonly Token[], start: number, end: number): void {
    const buf = this.buffer;
    const [num, file] = this.withDirectiveLine(tokens, start, end, () => {
      const n = this.nextNonPadding();
      if (n.kind !== T.NUMBER || !/^[0-9]+$/.test(n.text)) {
        this.failAt(`"${n.kind === T.EOF ? '' : n.text}" after #line is not a positive integer`, n.kind === T.EOF ? this.directiveHash : this.loc, 'line');
      }
      const f = this.nextNonPadding();
      if (f.kind === T.EOF) return [n.text, null] as const;
      if (f.kind !== T.STRING) this.failAt(`invalid filename "${f.text}"`, this.loc, 'line');
      return [n.text, unescapeString(f.text.slice(1, -1))] as const;
    });
    const line = Number(num);
    const lastLine = tokens[end - 1]!.line;
    buf.frame = { file: file ?? buf.frame.file, lineDelta: line - (lastLine + 1), via: buf.frame.via };
    this.out.lineDirective(buf.frame, line);
  }

  /**
   * `#pragma once`, `push_macro`/`pop_macro` and the `GCC` pragmas cpp implements itself; like
   * cpp in assembler mode, every other pragma is dropped from the output.
   */
  private doPragma(tokens: readonly Token[], start: number, end: number, parsing: number): void {
    const first = tokens[start];
    if (start >= end || first === undefined || first.kind !== T.NAME) return;
    let name = first.text;
    let k = start + 1;
    if (name === 'GCC' && k < end && tokens[k]!.kind === T.NAME) name = `GCC ${tokens[k++]!.text}`;
    const known = KNOWN_PRAGMAS.has(name);
    if (!known) return;
    // cpp starts a new output line for the pragmas it knows (visible as an indented blank line).
    if (parsing === 0) this.out.lineChange(first, this.buffer.frame);
    switch (name) {
      case 'once':
        if (this.buffer.parent === null) this.warnAt('#pragma once in main file', first, 'pragma');
        this.onceFiles.add(resolvePath(this.buffer.path));
        break;
      case 'push_macro':
      case 'pop_macro': {
        const macro = pragmaMacroName(tokens, k, end);
        if (macro === null) this.failAt(`invalid #pragma ${name} directive`, first, 'pragma');
        let stack = this.pushedMacros.get(macro);
        if (name === 'push_macro') {
          if (stack === undefined) this.pushedMacros.set(macro, (stack = []));
          stack.push(this.macros.get(macro) ?? null);
        } else if (stack !== undefined && stack.length > 0) {
          const def = stack.pop()!;
          if (def === null) this.macros.delete(macro);
          else this.macros.set(macro, def);
        }
        break;
      }
      case 'GCC warning':
        this.warnAt(spellLine(tokens, k, end), first, 'pragma');
        break;
      case 'GCC error':
        this.failAt(spellLine(tokens, k, end), first, 'pragma');
      // falls through (failAt never returns)
      default:
        break;
    }
  }

  /** `#include` operand: a header-name token, or macro-expanded tokens forming "…" or <…>. */
  private headerName(tokens: readonly Token[], start: number, end: number, hash: Token, next: (() => Token) | null): { name: string; angled: boolean } {
    const first = tokens[start];
    if (next === null && start < end && first !== undefined && first.kind === T.HEADER_NAME) {
      return { name: first.text.slice(1, -1), angled: first.text[0] === '<' };
    }
    const read = next ?? (() => this.nextNonPadding());
    const run = (): { name: string; angled: boolean } => {
      const t = read();
      if (t.kind === T.STRING || t.kind === T.HEADER_NAME) return { name: t.text.slice(1, -1), angled: t.text[0] === '<' };
      if (t.kind === T.LESS) {
        let name = '';
        for (;;) {
          const u = read();
          if (u.kind === T.GREATER) break;
          if (u.kind === T.EOF) this.failAt('missing terminating > character', hash, 'include');
          if ((u.flags & F.PREV_WHITE) !== 0 && name !== '') name += ' ';
          name += u.text;
        }
        return { name, angled: true };
      }
      return this.failAt('#include expects "FILENAME" or <FILENAME>', t.kind === T.EOF ? hash : this.loc, 'include');
    };
    return next !== null ? run() : this.withDirectiveLine(tokens, start, end, run);
  }

  /** `at`: where a path that is not a regular file (a FIFO, /dev/zero) is reported. */
  private findInclude(name: string, angled: boolean, next: boolean, at: Loc): FoundInclude | null {
    const buf = this.buffer;
    try {
      return findInclude(this.cache, this.config, name, angled, next, buf.path, buf.parent === null ? -1 : buf.dirIndex);
    } catch (err) {
      if (err instanceof NotRegularFileError) this.failAt(NotRegularFileError.describe(name, err.kind), at, 'include-not-regular');
      throw err;
    }
  }

  private hasInclude(nextDir: boolean, next: () => Token): boolean {
    this.preventExpansion++;
    const open = next();
    this.preventExpansion--;
    if (open.kind !== T.OPEN_PAREN) this.failAt('missing \'(\' before "__has_include" operand', this.loc, 'if');
    const { name, angled } = this.headerName([], 0, 0, this.directiveHash, next);
    const close = next();
    if (close.kind !== T.CLOSE_PAREN) this.failAt('missing \')\' after "__has_include" operand', this.loc, 'if');
    return this.findInclude(name, angled, nextDir, open) !== null;
  }

  private doInclude(hash: Token, directive: Token, tokens: readonly Token[], start: number, end: number): void {
    const kind = directive.text;
    const { name, angled } = this.headerName(tokens, start, end, hash, null);
    if (name === '') this.failAt(`empty filename in #${kind}`, hash, 'include');
    const found = this.findInclude(name, angled, kind === 'include_next', tokens[start] ?? hash);
    if (found === null) this.failAt(`${name}: No such file or directory`, tokens[start] ?? hash, 'include-not-found');
    const refused = this.config.sandbox && sandboxRefusal(this.config.sandbox, found.path, name);
    if (refused) this.failAt(refused, tokens[start] ?? hash, 'include-sandbox');
    const buf = this.buffer;
    if (buf.depth + 1 >= this.config.maxIncludeDepth) {
      this.failAt(`#include nested depth ${buf.depth + 1} exceeds maximum of ${this.config.maxIncludeDepth}`, directive, 'include-depth');
    }
    this.addDependency(found.path);
    const file = found.file;
    // Like cpp, skip a guarded file only when this same lookup (name as written, where the search
    // started) already read it: cpp's multiple-include optimisation is per lookup, and entering
    // the file again still shows in line markers.
    const lookup = lookupKey(name, angled, kind === 'include_next', buf.path, buf.dirIndex);
    if (file.guard !== null && this.enteredLookups.has(lookup) && this.macros.has(file.guard)) return;
    this.enteredLookups.add(lookup);
    const canonical = resolvePath(found.path);
    if (this.onceFiles.has(canonical)) return;
    if (kind === 'import') this.onceFiles.add(canonical);
    const includeLine = hash.line + buf.frame.lineDelta;
    const origin: SpanOrigin = { kind: 'include', file: buf.frame.file, line: includeLine, column: hash.col };
    const frame: LineFrame = { file: found.path, lineDelta: 0, via: buf.frame.via ? [origin, ...buf.frame.via] : [origin] };
    const returnLine = tokens[end - 1]!.line + buf.frame.lineDelta + 1;
    this.buffer = this.newBuffer(file, found.path, found.dirIndex, frame, buf, returnLine);
    this.out.enterFile(buf.frame, includeLine, frame);
  }
}

const commandLineCache = new Map<string, LexedFile>();

/** The predefined/-D/-U lines, lexed once per distinct set of definitions. */
function lexCommandLine(text: string, id: number): LexedFile {
  const key = `${id}\0${text}`;
  let f = commandLineCache.get(key);
  if (f === undefined) {
    f = lexFile(text, '<command-line>', id);
    if (commandLineCache.size > 64) commandLineCache.clear();
    commandLineCache.set(key, f);
  }
  return f;
}

/** Undo C escapes in a `#line` file name. */
function unescapeString(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
