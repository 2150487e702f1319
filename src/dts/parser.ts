/**
 * The DTS parser: dtc 1.7.2's grammar (dtc-parser.y) by recursive descent over the scanner's
 * tokens. It produces the syntax (ast.ts) with values already turned into bytes and markers
 * exactly as dtc's semantic actions build them (data.c), integer expressions evaluated in
 * unsigned 64-bit arithmetic with dtc's errors.
 *
 * Errors that dtc reports and then keeps parsing (bad literal, division by zero, bad /bits/
 * size) are collected; a syntax error stops the parse, as bison does without error rules.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import { DiagnosticError } from '../diagnostics.js';
import { DataBuilder } from '../tree/data.js';
import type { ChildItem, DtsSource, MemReserveDef, NodeBody, PropItem, Ref, TopItem } from './ast.js';
import { bytesToString, Lexer, Tok, type Mark } from './lexer.js';
import type { PositionMap } from './position-map.js';
import type { SourceHost } from './source.js';

export interface ParseOptions {
  host: SourceHost;
  /** Map from offsets of `text` to original positions (preprocessed input). */
  map?: PositionMap;
}

export interface ParseResult {
  /** Undefined when a syntax error (or a fatal input error) stopped the parse. */
  source: DtsSource | undefined;
  /** Errors and warnings in source order of discovery; any error means dtc would fail. */
  diagnostics: Diagnostic[];
  /** Files read through `/include/` and `/incbin/`. */
  dependencies: string[];
}

const U64 = (1n << 64n) - 1n;
/** Bison's YYMAXDEPTH in dtc's parser. */
const MAX_PARSER_STACK = 10000;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

class SyntaxError_ extends Error {}

export function parseDts(text: string, fileName: string, options: ParseOptions): ParseResult {
  const parser = new Parser(text, fileName, options);
  let source: DtsSource | undefined;
  try {
    source = parser.parseSourceFile();
  } catch (err) {
    if (err instanceof DiagnosticError) parser.diagnostics.push(err.diagnostic);
    else if (!(err instanceof SyntaxError_)) throw err;
    source = undefined;
  }
  const diagnostics = parser.allDiagnostics();
  return { source, diagnostics, dependencies: parser.lexer.dependencies };
}

class Parser {
  readonly lexer: Lexer;
  readonly diagnostics: Diagnostic[] = [];
  private readonly host: SourceHost;

  private readonly scratch = new DataBuilder(1 << 12);

  constructor(text: string, fileName: string, options: ParseOptions) {
    this.host = options.host;
    this.lexer = new Lexer(text, fileName, options.host, options.map);
    this.lexer.onDiagnostic = (d) =>
      this.diagnostics.push({ rule: 'parse/lexical', severity: d.severity, message: d.message, span: d.span });
    this.lexer.next();
  }

  /** Lexical and parse diagnostics in the order dtc reports them. */
  allDiagnostics(): Diagnostic[] {
    return this.diagnostics;
  }

  // ---- token helpers ----

  /** The current token kind (a call, so TypeScript does not keep narrowings across `next()`). */
  private t(): Tok {
    return this.lexer.tok;
  }

  private isChar(ch: string): boolean {
    return this.lexer.tok === Tok.Char && this.lexer.text === ch;
  }

  private syntaxError(): never {
    this.diagnostics.push({ rule: 'parse/syntax', severity: 'error', message: 'syntax error', span: this.lexer.span() });
    throw new SyntaxError_();
  }

  private error(message: string, span: Span): void {
    this.diagnostics.push({ rule: 'parse/semantic', severity: 'error', message, span });
  }

  private expectChar(ch: string): void {
    if (!this.isChar(ch)) this.syntaxError();
    this.lexer.next();
  }

  // ---- sourcefile: headers memreserves devicetree ----

  parseSourceFile(): DtsSource {
    const lx = this.lexer;
    // headers: (DT_V1 ';' (DT_PLUGIN ';')?)+
    let plugin: boolean | undefined;
    if (this.t() !== Tok.V1) this.syntaxError();
    while (this.t() === Tok.V1) {
      const start = lx.mark();
      lx.next();
      this.expectChar(';');
      let thisPlugin = false;
      if (this.t() === Tok.Plugin) {
        lx.next();
        this.expectChar(';');
        thisPlugin = true;
      }
      if (plugin === undefined) plugin = thisPlugin;
      else if (plugin !== thisPlugin) this.error("Header flags don't match earlier ones", this.spanFromTo(start));
    }
    const reservations = this.parseMemReserves();
    const items = this.parseDevicetree(plugin ?? false);
    return { plugin: plugin ?? false, reservations, items };
  }

  private spanFromTo(start: Mark): Span {
    return this.lexer.spanFrom(start);
  }

  private parseMemReserves(): MemReserveDef[] {
    const lx = this.lexer;
    const out: MemReserveDef[] = [];
    while (this.t() === Tok.Label || this.t() === Tok.MemReserve) {
      const labels: string[] = [];
      const start = lx.mark();
      while (this.t() === Tok.Label) {
        labels.push(lx.text);
        lx.next();
      }
      if (this.t() !== Tok.MemReserve) this.syntaxError();
      lx.next();
      const address = this.parseIntegerPrim();
      const size = this.parseIntegerPrim();
      if (!this.isChar(';')) this.syntaxError();
      const span = lx.spanFrom(start);
      lx.next();
      out.push({ labels, address, size, span });
    }
    return out;
  }

  private parseRef(): Ref {
    const lx = this.lexer;
    if (this.t() !== Tok.LabelRef && this.t() !== Tok.PathRef) this.syntaxError();
    const ref: Ref = { kind: this.t() === Tok.LabelRef ? 'label' : 'path', text: lx.text, span: lx.span() };
    lx.next();
    return ref;
  }

  private parseDevicetree(plugin: boolean): TopItem[] {
    const lx = this.lexer;
    const items: TopItem[] = [];
    // first item: '/' nodedef | dt_ref nodedef
    if (this.isChar('/')) {
      lx.next();
      items.push({ kind: 'root', body: this.parseNodeBody(4) });
    } else if (this.t() === Tok.LabelRef || this.t() === Tok.PathRef) {
      const ref = this.parseRef();
      items.push({ kind: 'extend', ref, body: this.parseNodeBody(4), first: true });
    } else this.syntaxError();

    while (this.t() !== Tok.EOF) {
      if (this.isChar('/')) {
        lx.next();
        items.push({ kind: 'root', body: this.parseNodeBody(5) });
      } else if (this.t() === Tok.Label) {
        const label = { name: lx.text, span: lx.span() };
        lx.next();
        const ref = this.parseRef();
        items.push({ kind: 'extend', ref, label, body: this.parseNodeBody(6), first: false });
      } else if (this.t() === Tok.LabelRef || this.t() === Tok.PathRef) {
        const ref = this.parseRef();
        items.push({ kind: 'extend', ref, body: this.parseNodeBody(5), first: false });
      } else if (this.t() === Tok.DelNode || this.t() === Tok.OmitNoRef) {
        const kind = this.t() === Tok.DelNode ? 'delete-node' : 'omit-if-no-ref';
        const start = lx.mark();
        lx.next();
        const ref = this.parseRef();
        if (!this.isChar(';')) this.syntaxError();
        const span = lx.spanFrom(start);
        lx.next();
        items.push({ kind, ref, span });
      } else this.syntaxError();
    }
    void plugin;
    return items;
  }

  /**
   * nodedef: '{' proplist subnodes '}' ';'
   *
   * dtc's bison parser stops with "memory exhausted" when its stack reaches 10000 entries
   * (YYMAXDEPTH). Its grammar keeps one entry per enclosing `name {` (three: name, `{`,
   * proplist), per pending label, and per earlier sibling node (`subnodes` is right-recursive),
   * so that limits both nesting and the number of children. `before` counts the entries below
   * this node's `{`; `push` mirrors each push and stops at the same token dtc stops at, which
   * also keeps deep inputs from exhausting the JavaScript stack.
   */
  private parseNodeBody(before: number): NodeBody {
    const lx = this.lexer;
    // an explicit stack of open nodes instead of recursion (dtc allows 3330 levels)
    interface Open {
      start: Mark;
      /** Parser-stack entries up to and including this node's proplist. */
      depth: number;
      props: PropItem[];
      children: ChildItem[];
      /** The child node being read (its `name {` seen). */
      pending?: { name: string; labels: string[]; omit: boolean; nameSpan: Span };
    }
    const stack: Open[] = [];
    const open = (below: number): void => {
      if (!this.isChar('{')) this.syntaxError();
      this.push(below + 1); // '{'
      const start = lx.mark();
      lx.next();
      const depth = below + 2; // proplist (reduced on the first token inside)
      this.push(depth);
      stack.push({ start, depth, props: [], children: [] });
    };
    open(before);
    for (;;) {
      const node = stack[stack.length - 1]!;
      const { props, children, depth } = node;
      if (this.isChar('}')) {
        // subnodes (reduced on '}'), '}', ';'
        this.push(depth + children.length + 1);
        this.push(depth + children.length + 2);
        lx.next();
        if (!this.isChar(';')) this.syntaxError();
        this.push(depth + children.length + 3);
        const body: NodeBody = { props, children, span: lx.spanFrom(node.start) };
        lx.next();
        stack.pop();
        const parent = stack[stack.length - 1];
        if (!parent) return body;
        const p = parent.pending!;
        parent.pending = undefined;
        parent.children.push({ kind: 'node', name: p.name, labels: p.labels, omitIfNoRef: p.omit, body, nameSpan: p.nameSpan });
        continue;
      }
      // labels (and /omit-if-no-ref/, which only a subnode may carry) come first
      const itemStart = lx.mark();
      const labels: string[] = [];
      let omit = false;
      let itemDepth = depth + children.length;
      while (this.t() === Tok.Label || this.t() === Tok.OmitNoRef) {
        this.push(++itemDepth);
        if (this.t() === Tok.Label) labels.push(lx.text);
        else omit = true;
        lx.next();
      }
      const t = this.t();
      if (t === Tok.DelNode) {
        this.push(++itemDepth);
        lx.next();
        if (this.t() !== Tok.PropNodeName) this.syntaxError();
        const name = lx.text;
        lx.next();
        if (!this.isChar(';')) this.syntaxError();
        const span = lx.spanFrom(itemStart);
        lx.next();
        children.push({ kind: 'delete-node', name, labels, omitIfNoRef: omit, span });
        continue;
      }
      if (t === Tok.PropNodeName) {
        // a name followed by '{' is a node; by '=' or ';' a property
        const nameMark = lx.mark();
        const name = lx.text;
        const nameSpan = lx.span();
        this.push(++itemDepth);
        lx.next();
        if (this.isChar('{')) {
          node.pending = { name, labels, omit, nameSpan };
          open(itemDepth);
          continue;
        }
        if (omit) this.syntaxError();
        const prop = this.finishProperty(name, labels, nameMark);
        if (children.length > 0) {
          this.error('Properties must precede subnodes', lx.spanFrom(itemStart));
          throw new SyntaxError_();
        }
        props.push(prop);
        continue;
      }
      if (t !== Tok.DelProp || omit) this.syntaxError();
      // /delete-property/ name ;
      const delStart = lx.mark();
      lx.next();
      if (this.t() !== Tok.PropNodeName) this.syntaxError();
      const name = lx.text;
      lx.next();
      if (!this.isChar(';')) this.syntaxError();
      const span = lx.spanFrom(delStart);
      lx.next();
      if (children.length > 0) {
        this.error('Properties must precede subnodes', span);
        throw new SyntaxError_();
      }
      props.push({ kind: 'delete-property', name, labels, span });
    }
  }

  /** A push onto dtc's parser stack, `entries` deep: past YYMAXDEPTH bison gives up here. */
  private push(entries: number): void {
    if (entries >= MAX_PARSER_STACK) {
      this.diagnostics.push({ rule: 'parse/syntax', severity: 'error', message: 'memory exhausted', span: this.lexer.span() });
      throw new SyntaxError_();
    }
  }

  /** After the property name: ';' or '=' propdata ';'. */
  private finishProperty(name: string, labels: string[], nameMark: Mark): PropItem {
    const lx = this.lexer;
    if (this.isChar(';')) {
      const span = lx.spanFrom(nameMark);
      lx.next();
      return { kind: 'property', name, labels, value: { bytes: new Uint8Array(0), markers: [] }, span };
    }
    if (!this.isChar('=')) this.syntaxError();
    lx.next();
    const value = this.parsePropData();
    if (!this.isChar(';')) this.syntaxError();
    const span = lx.spanFrom(nameMark);
    lx.next();
    return { kind: 'property', name, labels, value: value.finish(), span };
  }

  /** propdata: (labels item labels) joined by ',' */
  private parsePropData(): DataBuilder {
    const lx = this.lexer;
    // one scratch buffer for every value (finish() copies out): far fewer allocations
    const d = this.scratch;
    d.reset();
    for (;;) {
      while (this.t() === Tok.Label) {
        d.addMarker('label', lx.text, lx.span());
        lx.next();
      }
      this.parsePropItem(d);
      while (this.t() === Tok.Label) {
        d.addMarker('label', lx.text, lx.span());
        lx.next();
      }
      if (!this.isChar(',')) break;
      lx.next();
    }
    return d;
  }

  private parsePropItem(d: DataBuilder): void {
    const lx = this.lexer;
    const t = this.t();
    if (t === Tok.String) {
      d.addMarker('string');
      d.appendBytes(lx.bytes);
      lx.next();
    } else if (t === Tok.Bits || this.isChar('<')) {
      this.parseArray(d);
    } else if (this.isChar('[')) {
      lx.next();
      d.addMarker('u8');
      for (;;) {
        if (this.t() === Tok.Byte) {
          d.appendByte(lx.num);
          lx.next();
        } else if (this.t() === Tok.Label) {
          d.addMarker('label', lx.text, lx.span());
          lx.next();
        } else break;
      }
      this.expectChar(']');
    } else if (t === Tok.LabelRef || t === Tok.PathRef) {
      const span = lx.span();
      d.addMarker('string', lx.text);
      d.addMarker('ref-path', lx.text, span);
      lx.next();
    } else if (t === Tok.Incbin) {
      this.parseIncbin(d);
    } else this.syntaxError();
  }

  private parseIncbin(d: DataBuilder): void {
    const lx = this.lexer;
    lx.next();
    this.expectChar('(');
    if (this.t() !== Tok.String) this.syntaxError();
    let nameBytes = lx.bytes;
    const nul = nameBytes.indexOf(0);
    if (nul >= 0) nameBytes = nameBytes.subarray(0, nul);
    const name = bytesToString(nameBytes);
    const nameSpan = lx.span();
    lx.next();
    let offset = 0n;
    let length: bigint | undefined;
    if (this.isChar(',')) {
      lx.next();
      offset = this.parseIntegerPrim();
      this.expectChar(',');
      length = this.parseIntegerPrim();
    }
    if (!this.isChar(')')) this.syntaxError();
    const dir = lx.currentDir;
    lx.next();
    const found = this.host.openBinary(name, dir);
    if (!found) {
      throw new DiagnosticError({
        rule: 'parse/input',
        severity: 'error',
        message: `Couldn't open "${name}": No such file or directory`,
        span: nameSpan,
      });
    }
    this.lexer.dependencies.push(found.path);
    const bytes = found.bytes;
    const start = offset > BigInt(bytes.length) ? bytes.length : Number(offset);
    const end = length === undefined ? bytes.length : Math.min(bytes.length, start + Number(length > BigInt(bytes.length) ? BigInt(bytes.length) : length));
    d.addMarker('none');
    d.appendBytes(bytes.subarray(start, end));
  }

  /** arrayprefix '>' : ('/bits/' N)? '<' (integer | &ref | label)* '>' */
  private parseArray(d: DataBuilder): void {
    const lx = this.lexer;
    let bits: 8 | 16 | 32 | 64 = 32;
    if (this.t() === Tok.Bits) {
      lx.next();
      if (this.t() !== Tok.Literal) this.syntaxError();
      const span = lx.span();
      const n = lx.big;
      lx.next();
      if (n === 8n || n === 16n || n === 32n || n === 64n) bits = Number(n) as 8 | 16 | 32 | 64;
      else this.error('Array elements must be 8, 16, 32 or 64-bits', span);
    }
    this.expectChar('<');
    d.addMarker(bits === 8 ? 'u8' : bits === 16 ? 'u16' : bits === 32 ? 'u32' : 'u64');
    const mask = bits === 64 ? U64 : (1n << BigInt(bits)) - 1n;
    for (;;) {
      const t = this.t();
      if (t === Tok.Literal && bits === 32 && lx.num >= 0 && lx.num <= 0xffffffff) {
        // fast path: a plain 32-bit literal
        d.appendCell(lx.num);
        lx.next();
      } else if (t === Tok.Literal || t === Tok.CharLiteral || this.isChar('(')) {
        const start = lx.mark();
        const v = this.parseIntegerPrim();
        if (bits < 64 && v > mask && (v | mask) !== U64) {
          const span = this.lastSpanFrom(start);
          const digits = bits / 4;
          this.diagnostics.push({
            rule: 'parse/truncated',
            severity: 'warning',
            message: `Value 0x${v.toString(16).padStart(16, '0')} truncated to 0x${(v & mask).toString(16).padStart(digits, '0')}`,
            span,
          });
        }
        d.appendInteger(v, bits);
      } else if (t === Tok.LabelRef || t === Tok.PathRef) {
        const span = lx.span();
        if (bits === 32) d.addMarker('ref-phandle', lx.text, span);
        else this.error('References are only allowed in arrays with 32-bit elements.', span);
        if (bits === 32) d.appendCell(0xffffffff);
        else d.appendInteger(mask, bits);
        lx.next();
      } else if (t === Tok.Label) {
        d.addMarker('label', lx.text, lx.span());
        lx.next();
      } else break;
    }
    this.expectChar('>');
  }

  // ---- integer expressions (C precedence, unsigned 64-bit) ----

  /** The span from `start` to the end of the last consumed token. */
  private lastSpanFrom(start: Mark): Span {
    return this.lastSpan ? joinSpans(this.lexer, start, this.lastSpan) : this.lexer.span();
  }
  private lastSpan: Span | undefined;

  private consume(): void {
    this.lastSpan = this.lexer.span();
    this.lexer.next();
  }

  /** integer_prim: literal | char literal | '(' expr ')' */
  private parseIntegerPrim(): bigint {
    const lx = this.lexer;
    if (this.t() === Tok.Literal || this.t() === Tok.CharLiteral) {
      const v = lx.big;
      this.consume();
      return v;
    }
    if (this.isChar('(')) {
      this.consume();
      const v = this.parseExpr();
      if (!this.isChar(')')) this.syntaxError();
      this.consume();
      return v;
    }
    return this.syntaxError();
  }

  private parseExpr(): bigint {
    // integer_trinary: integer_or ('?' expr ':' trinary)?
    const cond = this.parseBinary(0);
    if (this.isChar('?')) {
      this.consume();
      const a = this.parseExpr();
      if (!this.isChar(':')) this.syntaxError();
      this.consume();
      const b = this.parseExpr();
      return cond !== 0n ? a : b;
    }
    return cond;
  }

  /** Binary operator of the current token and its precedence level (0 = ||), or -1. */
  private binaryOp(): [number, string] {
    const lx = this.lexer;
    switch (this.t()) {
      case Tok.Or: return [0, '||'];
      case Tok.And: return [1, '&&'];
      case Tok.EQ: return [5, '=='];
      case Tok.NE: return [5, '!='];
      case Tok.LE: return [6, '<='];
      case Tok.GE: return [6, '>='];
      case Tok.LShift: return [7, '<<'];
      case Tok.RShift: return [7, '>>'];
      case Tok.Char:
        switch (lx.text) {
          case '|': return [2, '|'];
          case '^': return [3, '^'];
          case '&': return [4, '&'];
          case '<': return [6, '<'];
          case '>': return [6, '>'];
          case '+': return [8, '+'];
          case '-': return [8, '-'];
          case '*': return [9, '*'];
          case '/': return [9, '/'];
          case '%': return [9, '%'];
        }
    }
    return [-1, ''];
  }

  private parseBinary(minLevel: number): bigint {
    const start = this.lexer.mark();
    let left = this.parseUnary();
    for (;;) {
      const [level, op] = this.binaryOp();
      if (level < minLevel) return left;
      this.consume();
      const right = this.parseBinary(level + 1);
      left = this.apply(op, left, right, start);
    }
  }

  private apply(op: string, a: bigint, b: bigint, start: Mark): bigint {
    switch (op) {
      case '||': return a !== 0n || b !== 0n ? 1n : 0n;
      case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
      case '|': return a | b;
      case '^': return a ^ b;
      case '&': return a & b;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '<': return a < b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      case '<<': return b < 64n ? u64(a << b) : 0n;
      case '>>': return b < 64n ? a >> b : 0n;
      case '+': return u64(a + b);
      case '-': return u64(a - b);
      case '*': return u64(a * b);
      case '/':
      case '%':
        if (b === 0n) {
          this.error('Division by zero', this.lastSpanFrom(start));
          return 0n;
        }
        return op === '/' ? a / b : a % b;
    }
    return 0n;
  }

  private parseUnary(): bigint {
    if (this.t() === Tok.Char) {
      const ch = this.lexer.text;
      if (ch === '-' || ch === '~' || ch === '!') {
        this.consume();
        const v = this.parseUnary();
        if (ch === '-') return u64(-v);
        if (ch === '~') return u64(~v);
        return v === 0n ? 1n : 0n;
      }
    }
    return this.parseIntegerPrim();
  }
}

function joinSpans(lexer: Lexer, start: Mark, end: Span): Span {
  void lexer;
  const span: Span = { file: start.file, line: start.line, column: start.column };
  if (start.map) {
    const a = start.map.lookup(start.offset);
    span.file = a.file;
    span.line = a.line;
    span.column = a.column;
  }
  if (end.endLine !== undefined) span.endLine = end.endLine;
  if (end.endColumn !== undefined) span.endColumn = end.endColumn;
  return span;
}
