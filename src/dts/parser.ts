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
import { bytesToString, Lexer, Tok, type Mark, type TokenPos } from './lexer.js';
import { engineLimitError, isStackOverflow, limitError } from '../limits.js';
import type { PositionMap } from './position-map.js';
import type { SourceHost } from './source.js';

export interface ParseOptions {
  host: SourceHost;
  /** Map from offsets of `text` to original positions (preprocessed input). */
  map?: PositionMap;
  /** Largest `/incbin/` accepted (bytes inserted); unlimited by default. */
  maxIncbinBytes?: number;
  /**
   * Most bytes all `/incbin/`s together may insert (`input-bytes`): forty incbins of one 60 MB
   * file insert 2.4 GB, though the file is read once.
   */
  maxTotalIncbinBytes?: number;
}

export interface ParseResult {
  /** Undefined when a syntax error (or a fatal input error) stopped the parse. */
  source: DtsSource | undefined;
  /** Errors and warnings in source order of discovery; any error means dtc would fail. */
  diagnostics: Diagnostic[];
  /** Files read through `/include/` and `/incbin/`. */
  dependencies: string[];
  /** The error that stopped the run at once (dtc's `die`), also the last of `diagnostics`. */
  fatal?: Diagnostic;
}

const U64 = (1n << 64n) - 1n;
/** Bison's YYMAXDEPTH in dtc's parser. */
const MAX_PARSER_STACK = 10000;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

class SyntaxError_ extends Error {}

export function parseDts(text: string, fileName: string, options: ParseOptions): ParseResult {
  const parser = new Parser(text, fileName, options);
  let source: DtsSource | undefined;
  let fatal: Diagnostic | undefined;
  try {
    source = parser.parseSourceFile();
  } catch (err) {
    if (err instanceof DiagnosticError) parser.diagnostics.push((fatal = err.diagnostic));
    else if (err instanceof RangeError && !isStackOverflow(err)) parser.diagnostics.push((fatal = engineLimitError(err, parser.lexer.span()).diagnostic));
    else if (err instanceof RangeError) {
      // only integer expressions recurse; thousands of nested parentheses exhaust the JS stack
      parser.diagnostics.push({
        rule: 'parse/syntax',
        severity: 'error',
        message: 'expression nested too deeply',
        span: parser.lexer.span(),
      });
    } else if (!(err instanceof SyntaxError_)) throw err;
    source = undefined;
  }
  const diagnostics = parser.allDiagnostics();
  return { source, diagnostics, dependencies: parser.lexer.dependencies, ...(fatal ? { fatal } : {}) };
}

class Parser {
  readonly lexer: Lexer;
  readonly diagnostics: Diagnostic[] = [];
  private readonly host: SourceHost;
  private readonly maxIncbinBytes: number;
  private readonly maxTotalIncbinBytes: number;
  private incbinTotal = 0;

  private readonly scratch = new DataBuilder(1 << 12);

  constructor(text: string, fileName: string, options: ParseOptions) {
    this.host = options.host;
    this.maxIncbinBytes = options.maxIncbinBytes ?? Infinity;
    this.maxTotalIncbinBytes = options.maxTotalIncbinBytes ?? Infinity;
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
      else if (plugin !== thisPlugin) this.error("Header flags don't match earlier ones", this.lexer.spanFrom(start));
    }
    const reservations = this.parseMemReserves();
    const items = this.parseDevicetree();
    return { plugin: plugin ?? false, reservations, items };
  }

  private parseMemReserves(): MemReserveDef[] {
    const lx = this.lexer;
    const out: MemReserveDef[] = [];
    // parser-stack entries: initial state, headers, then one per earlier memreserve (right recursion)
    let base = 2;
    while (this.t() === Tok.Label || this.t() === Tok.MemReserve) {
      const labels: string[] = [];
      const start = lx.mark();
      let depth = base;
      while (this.t() === Tok.Label) {
        this.push(++depth);
        labels.push(lx.text);
        lx.next();
      }
      if (this.t() !== Tok.MemReserve) this.syntaxError();
      this.push(++depth);
      lx.next();
      const address = this.parseIntegerPrim(depth);
      const size = this.parseIntegerPrim(depth + 1);
      if (!this.isChar(';')) this.syntaxError();
      this.push(depth + 3);
      base++;
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

  private parseDevicetree(): TopItem[] {
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
        // the name's span is only kept for nodes: save its end as numbers, build it if needed
        const nameLastLine = lx.lastLine;
        const nameLastColumn = lx.lastColumn;
        const nameEnd = lx.endOffset;
        this.push(++itemDepth);
        lx.next();
        if (this.isChar('{')) {
          const nameSpan = lx.spanBetween(nameMark, nameLastLine, nameLastColumn, nameEnd);
          node.pending = { name, labels, omit, nameSpan };
          open(itemDepth);
          continue;
        }
        if (omit) this.syntaxError();
        const prop = this.finishProperty(name, labels, nameMark, itemDepth, children.length > 0 ? itemStart : undefined);
        props.push(prop);
        continue;
      }
      if (t !== Tok.DelProp || omit) this.syntaxError();
      // /delete-property/ name ;
      const delStart = lx.mark();
      this.push(++itemDepth);
      lx.next();
      if (this.t() !== Tok.PropNodeName) this.syntaxError();
      this.push(++itemDepth);
      const name = lx.text;
      lx.next();
      if (!this.isChar(';')) this.syntaxError();
      this.push(++itemDepth);
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

  /**
   * After the property name: ';' or '=' propdata ';'. `depth` is the parser-stack size with the
   * name on it; the pushes below follow dtc's grammar so deep trees stop where dtc stops.
   */
  private finishProperty(name: string, labels: string[], nameMark: Mark, depth: number, afterSubnodeFrom?: Mark): PropItem {
    const lx = this.lexer;
    // dtc reports a property after a subnode at the whole propdef, labels to ';' (`subnode propdef`)
    const misplaced = (): never => {
      this.error('Properties must precede subnodes', lx.spanFrom(afterSubnodeFrom!));
      throw new SyntaxError_();
    };
    if (this.isChar(';')) {
      this.push(depth + 1);
      if (afterSubnodeFrom) misplaced();
      const span = lx.spanFrom(nameMark);
      lx.next();
      return { kind: 'property', name, labels, value: { bytes: new Uint8Array(0), markers: [] }, span };
    }
    if (!this.isChar('=')) this.syntaxError();
    this.push(depth + 1);
    lx.next();
    const value = this.parsePropData(depth + 2);
    if (!this.isChar(';')) this.syntaxError();
    this.push(depth + 3);
    if (afterSubnodeFrom) misplaced();
    const span = lx.spanFrom(nameMark);
    lx.next();
    return { kind: 'property', name, labels, value: value.finish(), span };
  }

  /** propdata: (labels item labels) joined by ','. `prefix` is the stack size with propdataprefix on it. */
  private parsePropData(prefix: number): DataBuilder {
    const lx = this.lexer;
    // one scratch buffer for every value (finish() copies out): far fewer allocations
    const d = this.scratch;
    d.reset();
    this.push(prefix); // propdataprefix, reduced on the first token of the value
    for (;;) {
      while (this.t() === Tok.Label) {
        this.push(prefix + 1);
        d.addMarker('label', lx.text, lx.span());
        lx.next();
      }
      this.parsePropItem(d, prefix);
      while (this.t() === Tok.Label) {
        this.push(prefix + 1);
        d.addMarker('label', lx.text, lx.span());
        lx.next();
      }
      if (!this.isChar(',')) break;
      this.push(prefix + 1);
      lx.next();
    }
    return d;
  }

  private parsePropItem(d: DataBuilder, prefix: number): void {
    const lx = this.lexer;
    const t = this.t();
    if (t === Tok.String) {
      this.push(prefix + 1);
      d.addMarker('string');
      d.appendBytes(lx.bytes);
      lx.next();
    } else if (t === Tok.Bits || this.isChar('<')) {
      this.parseArray(d, prefix);
    } else if (this.isChar('[')) {
      this.push(prefix + 1);
      lx.next();
      this.push(prefix + 2); // bytestring, reduced on the next token
      d.addMarker('u8');
      for (;;) {
        if (this.t() === Tok.Byte) {
          this.push(prefix + 3);
          d.appendByte(lx.num);
          lx.next();
        } else if (this.t() === Tok.Label) {
          this.push(prefix + 3);
          d.addMarker('label', lx.text, lx.span());
          lx.next();
        } else break;
      }
      if (!this.isChar(']')) this.syntaxError();
      this.push(prefix + 3);
      lx.next();
    } else if (t === Tok.LabelRef || t === Tok.PathRef) {
      this.push(prefix + 1);
      const span = lx.span();
      d.addMarker('string', lx.text);
      d.addMarker('ref-path', lx.text, span);
      lx.next();
    } else if (t === Tok.Incbin) {
      this.parseIncbin(d, prefix);
    } else this.syntaxError();
  }

  private parseIncbin(d: DataBuilder, prefix: number): void {
    const lx = this.lexer;
    this.push(prefix + 1);
    lx.next();
    if (!this.isChar('(')) this.syntaxError();
    this.push(prefix + 2);
    lx.next();
    if (this.t() !== Tok.String) this.syntaxError();
    this.push(prefix + 3);
    let nameBytes = lx.bytes;
    const nul = nameBytes.indexOf(0);
    if (nul >= 0) nameBytes = nameBytes.subarray(0, nul);
    const name = bytesToString(nameBytes);
    const nameSpan = lx.span();
    lx.next();
    let offset = 0n;
    let length: bigint | undefined;
    let depth = prefix + 3;
    if (this.isChar(',')) {
      this.push(prefix + 4);
      lx.next();
      offset = this.parseIntegerPrim(prefix + 4);
      if (!this.isChar(',')) this.syntaxError();
      this.push(prefix + 6);
      lx.next();
      length = this.parseIntegerPrim(prefix + 6);
      depth = prefix + 7;
    }
    if (!this.isChar(')')) this.syntaxError();
    this.push(depth + 1);
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
    if (found.refused) throw new DiagnosticError({ rule: found.refusedRule ?? 'input/sandbox', severity: 'error', message: found.refused, span: nameSpan });
    this.lexer.dependencies.push(found.path);
    const bytes = found.bytes;
    const start = offset > BigInt(bytes.length) ? bytes.length : Number(offset);
    const end = length === undefined ? bytes.length : Math.min(bytes.length, start + Number(length > BigInt(bytes.length) ? BigInt(bytes.length) : length));
    if (end - start > this.maxIncbinBytes) throw limitError('incbin-bytes', `/incbin/ of ${end - start} bytes`, this.maxIncbinBytes, nameSpan);
    this.incbinTotal += end - start;
    if (this.incbinTotal > this.maxTotalIncbinBytes) {
      throw limitError('input-bytes', `the bytes all /incbin/s insert (${this.incbinTotal} with this one)`, this.maxTotalIncbinBytes, nameSpan);
    }
    d.addMarker('none');
    d.appendBytes(bytes.subarray(start, end));
  }

  /** arrayprefix '>' : ('/bits/' N)? '<' (integer | &ref | label)* '>' */
  private parseArray(d: DataBuilder, prefix: number): void {
    const lx = this.lexer;
    let bits: 8 | 16 | 32 | 64 = 32;
    if (this.t() === Tok.Bits) {
      this.push(prefix + 1);
      lx.next();
      if (this.t() !== Tok.Literal) this.syntaxError();
      this.push(prefix + 2);
      const span = lx.span();
      const n = lx.big;
      lx.next();
      if (n === 8n || n === 16n || n === 32n || n === 64n) bits = Number(n) as 8 | 16 | 32 | 64;
      else this.error('Array elements must be 8, 16, 32 or 64-bits', span);
      if (!this.isChar('<')) this.syntaxError();
      this.push(prefix + 3);
    } else this.push(prefix + 1);
    lx.next();
    const array = prefix + 1; // arrayprefix
    d.addMarker(bits === 8 ? 'u8' : bits === 16 ? 'u16' : bits === 32 ? 'u32' : 'u64');
    const mask = bits === 64 ? U64 : (1n << BigInt(bits)) - 1n;
    for (;;) {
      const t = this.t();
      if (t === Tok.Literal && bits === 32 && lx.num >= 0 && lx.num <= 0xffffffff) {
        // fast path: a plain 32-bit literal
        this.push(array + 1);
        d.appendCell(lx.num);
        lx.next();
      } else if (t === Tok.Literal || t === Tok.CharLiteral || this.isChar('(')) {
        const start = lx.mark();
        const v = this.parseIntegerPrim(array);
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
        this.push(array + 1);
        const span = lx.span();
        if (bits === 32) d.addMarker('ref-phandle', lx.text, span);
        else this.error('References are only allowed in arrays with 32-bit elements.', span);
        if (bits === 32) d.appendCell(0xffffffff);
        else d.appendInteger(mask, bits);
        lx.next();
      } else if (t === Tok.Label) {
        this.push(array + 1);
        d.addMarker('label', lx.text, lx.span());
        lx.next();
      } else break;
    }
    if (!this.isChar('>')) this.syntaxError();
    this.push(array + 1);
    lx.next();
  }

  // ---- integer expressions (C precedence, unsigned 64-bit) ----

  /** The span from `start` to the end of the last consumed token. */
  private lastSpanFrom(start: Mark): Span {
    return this.lastPos ? joinSpans(start, this.lexer.spanAt(this.lastPos)) : this.lexer.span();
  }
  /** Position of the last consumed token: spans of expressions are only built for messages. */
  private lastPos: TokenPos | undefined;

  private consume(): void {
    this.lastPos = this.lexer.tokenPos();
    this.lexer.next();
  }

  /**
   * integer_prim: literal | char literal | '(' expr ')', evaluated with explicit operator and
   * value stacks (thousands of nested parentheses are valid dtc input). `below` is dtc's
   * parser-stack size under the primary; every push is checked against its limit, and values
   * are combined at the moments bison reduces them (so errors come in dtc's order).
   */
  private parseIntegerPrim(below: number): bigint {
    const lx = this.lexer;
    const t = this.t();
    if (t === Tok.Literal || t === Tok.CharLiteral) {
      this.push(below + 1);
      const v = lx.big;
      this.consume();
      return v;
    }
    if (!this.isChar('(')) this.syntaxError();

    interface Value {
      v: bigint;
      start: Mark;
      end: TokenPos;
    }
    interface Op {
      kind: 'paren' | 'unary' | 'binary' | 'cond' | 'else';
      op: string;
      level: number;
      start: Mark;
    }
    const values: Value[] = [];
    const ops: Op[] = [];
    let elses = 0; // a ':' adds a stack entry of its own
    const size = (): number => below + ops.length + elses + values.length;

    const reduceTop = (): void => {
      const op = ops.pop()!;
      if (op.kind === 'unary') {
        const a = values.pop()!;
        const v = op.op === '-' ? u64(-a.v) : op.op === '~' ? u64(~a.v) : a.v === 0n ? 1n : 0n;
        values.push({ v, start: op.start, end: a.end });
      } else if (op.kind === 'binary') {
        const b = values.pop()!;
        const a = values.pop()!;
        values.push({ v: this.apply(op.op, a, b), start: a.start, end: b.end });
      } else if (op.kind === 'else') {
        elses--;
        const no = values.pop()!;
        const yes = values.pop()!;
        const cond = values.pop()!;
        values.push({ v: cond.v !== 0n ? yes.v : no.v, start: cond.start, end: no.end });
      } else this.syntaxError(); // a '(' or a '?' left open
    };
    const top = (): Op | undefined => ops[ops.length - 1];

    let expectOperand = true;
    for (;;) {
      if (expectOperand) {
        const tt = this.t();
        if (tt === Tok.Literal || tt === Tok.CharLiteral) {
          this.push(size() + 1);
          values.push({ v: lx.big, start: lx.mark(), end: lx.tokenPos() });
          this.consume();
          expectOperand = false;
        } else if (tt === Tok.Char && (lx.text === '(' || lx.text === '-' || lx.text === '~' || lx.text === '!')) {
          this.push(size() + 1);
          ops.push({ kind: lx.text === '(' ? 'paren' : 'unary', op: lx.text, level: 99, start: lx.mark() });
          this.consume();
        } else this.syntaxError();
        continue;
      }
      const [level, op] = this.binaryOp();
      if (level >= 0) {
        // left-associative: reduce what binds at least as tightly (unary binds tighter than all)
        for (let o = top(); o && (o.kind === 'unary' || (o.kind === 'binary' && o.level >= level)); o = top()) reduceTop();
        this.push(size() + 1);
        ops.push({ kind: 'binary', op, level, start: lx.mark() });
        this.consume();
        expectOperand = true;
      } else if (this.isChar('?')) {
        for (let o = top(); o && (o.kind === 'unary' || o.kind === 'binary'); o = top()) reduceTop();
        this.push(size() + 1);
        ops.push({ kind: 'cond', op: '?', level: -1, start: lx.mark() });
        this.consume();
        expectOperand = true;
      } else if (this.isChar(':')) {
        for (let o = top(); o && o.kind !== 'cond' && o.kind !== 'paren'; o = top()) reduceTop();
        const o = top();
        if (!o || o.kind !== 'cond') this.syntaxError();
        this.push(size() + 1);
        o.kind = 'else';
        elses++;
        this.consume();
        expectOperand = true;
      } else if (this.isChar(')')) {
        for (let o = top(); o && o.kind !== 'paren'; o = top()) reduceTop();
        const paren = top();
        if (!paren) this.syntaxError();
        this.push(size() + 1); // ')'
        ops.pop();
        const inner = values.pop()!;
        values.push({ v: inner.v, start: paren.start, end: lx.tokenPos() });
        this.consume();
        if (ops.length === 0) return values[0]!.v;
      } else this.syntaxError();
    }
  }

  /** Binary operator of the current token and its C precedence level (0 = ||), or -1. */
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

  private apply(op: string, left: { v: bigint; start: Mark }, right: { v: bigint; end: TokenPos }): bigint {
    const a = left.v;
    const b = right.v;
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
          // dtc reports the whole `a / b` (bison's @$ of integer_mul)
          this.error('Division by zero', joinSpans(left.start, this.lexer.spanAt(right.end)));
          return 0n;
        }
        return op === '/' ? a / b : a % b;
    }
    return 0n;
  }
}

/** From a saved start to the end of another span (bison's @$ over several symbols). */
function joinSpans(start: Mark, end: Span): Span {
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
