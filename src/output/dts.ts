/**
 * Device-tree source output, byte for byte what dtc 1.7.2 prints for `-O dts` (dt_to_source in
 * dtc's treesource.c), for trees read from blobs (value types guessed) and trees built from source
 * (type markers, labels inside values, phandle references as `&label` / `&{/path}`).
 *
 * Two dtc details worth knowing: path references print as the quoted path string, because the path
 * bytes are in the value by then; and `/plugin/` is not printed (dtc 1.7.2 does not either).
 * Non-printable string bytes print as `\xNN` of the byte, as the WebAssembly dtc does (a native x86
 * build sign-extends them to `\xffffff80`). Where dtc aborts on a value whose chunks do not hold
 * whole values of their type, we print that value as bytes instead.
 */
import { DiagnosticError } from '../diagnostics.js';
import { isTypeMarker } from '../tree/model.js';
import type { Span } from '../diagnostics.js';
import type { MarkerKind, Node, Property, Tree } from '../tree/model.js';
import { effectiveMarkers, isPrintable, typeWidth } from './value-types.js';

const OPEN: Record<string, string> = { u8: '[', u16: '/bits/ 16 <', u32: '<', u64: '/bits/ 64 <', string: '' };
const CLOSE: Record<string, string> = { u8: ']', u16: '>', u32: '>', u64: '>', string: '' };

const ESCAPES: Record<number, string> = {
  0: '\\0',
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

function hex(value: number | bigint, minDigits: number): string {
  return value.toString(16).padStart(minDigits, '0');
}

/** A string chunk: its last byte is the terminating NUL, which is not printed. */
function formatString(bytes: Uint8Array, start: number, length: number): string {
  if (length === 0) return '';
  let text = '"';
  for (let i = start; i < start + length - 1; i++) {
    const b = bytes[i]!;
    const escape = ESCAPES[b];
    if (escape !== undefined) text += escape;
    else if (isPrintable(b)) text += String.fromCharCode(b);
    else text += `\\x${hex(b, 2)}`;
  }
  return `${text}"`;
}

/** Integers of `width` bytes, big-endian, separated by spaces (dtc's write_propval_int). */
function formatInts(bytes: Uint8Array, start: number, length: number, width: number): string {
  const words: string[] = [];
  for (let at = start; at + width <= start + length; at += width) {
    if (width === 1) {
      words.push(hex(bytes[at]!, 2));
      continue;
    }
    if (width === 4) {
      const cell = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
      words.push(`0x${hex(cell, 2)}`);
      continue;
    }
    let value = 0n;
    for (let i = 0; i < width; i++) value = (value << 8n) | BigInt(bytes[at + i]!);
    words.push(`0x${hex(value, 2)}`);
  }
  return words.join(' ');
}

function formatReference(ref: string): string {
  return ref.startsWith('/') ? `&{${ref}}` : `&${ref}`;
}

/**
 * Whether a chunk holds whole values of its type. dtc asserts this (and aborts) when printing;
 * it fails only for odd source such as `<1>, /incbin/(...)` whose data continues the cells.
 */
function chunkFits(bytes: Uint8Array, start: number, length: number, type: MarkerKind): boolean {
  if (type === 'string') return bytes[start + length - 1] === 0;
  return length % typeWidth(type) === 0;
}

/** Where dtc would abort, we print the whole value as a byte string: valid source, same bytes. */
function formatAsBytes(bytes: Uint8Array): string {
  return ` = [${formatInts(bytes, 0, bytes.length, 1)}];`;
}

/** The text after the property name: `;` for an empty value, else ` = ...;`. */
export function formatPropertyValue(prop: Property): string {
  const { bytes, markers: ownMarkers } = prop.value;
  const len = bytes.length;
  if (len === 0) return ';';
  const markers = effectiveMarkers(prop);
  let text = ' =';
  // nextTypeAt[i]: offset of the first type marker after markers[i], or -1 (dtc's type_marker_length).
  const nextTypeAt = new Array<number>(markers.length);
  for (let i = markers.length - 1, following = -1; i >= 0; i--) {
    nextTypeAt[i] = following;
    if (isTypeMarker(markers[i]!.kind)) following = markers[i]!.offset;
  }
  let emitType: MarkerKind | undefined;
  for (let i = 0; i < markers.length; i++) {
    const m = markers[i]!;
    const chunkLen = Math.max(0, (i + 1 < markers.length ? markers[i + 1]!.offset : len) - m.offset);
    const dataLen = (nextTypeAt[i]! >= 0 ? nextTypeAt[i]! - m.offset : 0) || len - m.offset;

    if (isTypeMarker(m.kind)) {
      emitType = m.kind;
      text += ` ${OPEN[emitType]}`;
    } else if (m.kind === 'label') {
      text += ` ${m.ref}:`;
    }
    if (emitType === undefined || chunkLen === 0) continue;
    if (!chunkFits(bytes, m.offset, chunkLen, emitType)) return formatAsBytes(bytes);

    switch (emitType) {
      case 'u16':
        text += formatInts(bytes, m.offset, chunkLen, 2);
        break;
      case 'u32': {
        const ref = ownMarkers.find((r) => r.kind === 'ref-phandle' && r.offset === m.offset);
        if (ref) {
          text += formatReference(ref.ref ?? '');
          if (chunkLen > 4) text += ` ${formatInts(bytes, m.offset + 4, chunkLen - 4, 4)}`;
        } else {
          text += formatInts(bytes, m.offset, chunkLen, 4);
        }
        if (dataLen > chunkLen) text += ' ';
        break;
      }
      case 'u64':
        text += formatInts(bytes, m.offset, chunkLen, 8);
        break;
      case 'string':
        text += formatString(bytes, m.offset, chunkLen);
        break;
      default:
        text += formatInts(bytes, m.offset, chunkLen, 1);
    }

    if (chunkLen === dataLen) {
      text += CLOSE[emitType];
      if (m.offset + chunkLen !== len) text += ',';
      emitType = undefined;
    }
  }
  return `${text};`;
}

function labelPrefix(labels: readonly string[]): string {
  let text = '';
  for (const label of labels) text += `${label}: `;
  return text;
}

export interface PrintDtsOptions {
  /** Longest text to build, in characters; a bigger tree is a DiagnosticError (rule `output/too-large`). */
  maxLength?: number;
  /** dtc's `-T` count: 1 adds a `file:line` comment after each node and property, 2 full positions. */
  annotate?: number;
  /** The main input's name as dtc opened it (file names at `-T` are shortened relative to it). */
  initialPath?: string;
}

/**
 * dtc's srcpos comments (-T): each position of a node or property as `file:line` (the first line,
 * or the last for a node's closing `};`), file names relative to the main input's folder; with -TT
 * `file:line:col-line:col` with names as they are. Several positions (a node defined, then
 * extended) are joined with ", ". Nothing for what has no position unless -TT.
 */
class Annotator {
  private readonly initial: string;
  private readonly initialSlashes: number;
  private readonly shortened = new Map<string, string>();

  constructor(readonly level: number, initialPath: string) {
    this.initial = initialPath;
    this.initialSlashes = initialPath.split('/').length - 1;
  }

  /** srcpos.c's shorten_to_initial_path: "../" for each folder of the main input not shared. */
  private short(file: string): string {
    let hit = this.shortened.get(file);
    if (hit !== undefined) return hit;
    let lastSlash = -1;
    let slashes = 0;
    for (let i = 0; i < file.length && i < this.initial.length && file[i] === this.initial[i]; i++) {
      if (file[i] === '/') {
        lastSlash = i;
        slashes++;
      }
    }
    hit = lastSlash < 0 ? file : '../'.repeat(this.initialSlashes - slashes) + file.slice(lastSlash + 1);
    this.shortened.set(file, hit);
    return hit;
  }

  comment(spans: readonly Span[], last: boolean): string {
    if (spans.length === 0) return this.level > 1 ? ' /* <no-file>:<no-line> */' : '';
    const parts = spans.map((sp) => {
      const endLine = sp.endLine ?? sp.line;
      if (this.level > 1) {
        const endColumn = sp.endColumn === undefined ? sp.column : sp.endColumn + 1;
        return `${sp.endFile ?? sp.file}:${sp.line}:${sp.column}-${endLine}:${endColumn}`;
      }
      return `${this.short(sp.endFile ?? sp.file)}:${last ? endLine : sp.line}`;
    });
    return ` /* ${parts.join(', ')} */`;
  }
}

/** Just under V8's longest string (2^29 - 24 characters on 64-bit). */
export const DEFAULT_MAX_DTS_LENGTH = 500 * 2 ** 20;

/** The lines of the output, with a running length so that a huge tree fails cleanly, not with a RangeError. */
class DtsText {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(private readonly maxLength: number) {}

  /** Fails before building a piece that could be `bound` characters long and would pass the limit. */
  ensureRoom(bound: number, node: Node | undefined, property?: string): void {
    if (this.length + bound <= this.maxLength) return;
    const path = node ? pathOf(node) : '/';
    throw new DiagnosticError({
      rule: 'output/too-large',
      severity: 'error',
      message: `the DTS text would exceed ${this.maxLength} characters (at ${path}${property ? `:${property}` : ''})`,
      path,
      ...(property ? { property } : {}),
    });
  }

  push(text: string, node: Node | undefined): void {
    this.ensureRoom(text.length, node);
    this.parts.push(text);
    this.length += text.length;
  }

  toString(): string {
    return this.parts.join('');
  }
}

/** Node.path without recursion (trees may nest thousands deep). */
function pathOf(node: Node): string {
  const names: string[] = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) names.push(n.name);
  return `/${names.reverse().join('/')}`;
}

/** An upper bound of a property line's length: a byte prints as at most 4 characters (`\xNN`). */
function propertyBound(prop: Property, indent: number): number {
  let labels = 0;
  for (const label of prop.labels) labels += label.length + 2;
  for (const m of prop.value.markers) labels += (m.ref?.length ?? 0) + 16;
  return indent + labels + prop.name.length + 4 * prop.value.bytes.length + 32;
}

/** Prints a node and its subtree; iterative (an explicit stack), so any depth prints. */
function printNode(top: Node, out: DtsText, notes?: Annotator): void {
  // A pending entry is a node still to open, or the closing line of an opened one.
  const pending: { node: Node; level: number; close: boolean }[] = [{ node: top, level: 0, close: false }];
  while (pending.length > 0) {
    const { node, level, close } = pending.pop()!;
    out.ensureRoom(level + 4, node);
    const indent = '\t'.repeat(level);
    if (close) {
      out.push(`${indent}};${notes ? notes.comment(node.spans, true) : ''}\n`, node);
      continue;
    }
    if (level > 0) out.push('\n', node);
    out.push(`${indent}${labelPrefix(node.labels)}${node.name ? node.name : '/'} {${notes ? notes.comment(node.spans, false) : ''}\n`, node);
    for (const prop of node.liveProperties()) {
      out.ensureRoom(propertyBound(prop, level + 1), node, prop.name);
      const note = notes ? notes.comment(prop.span ? [prop.span] : [], false) : '';
      out.push(`${indent}\t${labelPrefix(prop.labels)}${prop.name}${formatPropertyValue(prop)}${note}\n`, node);
    }
    pending.push({ node, level, close: true });
    const children = node.liveChildren();
    for (let i = children.length - 1; i >= 0; i--) pending.push({ node: children[i]!, level: level + 1, close: false });
  }
}

/** The whole tree as dtc -O dts prints it. */
export function printDts(tree: Tree, opts: PrintDtsOptions = {}): string {
  const out = new DtsText(opts.maxLength ?? DEFAULT_MAX_DTS_LENGTH);
  out.push('/dts-v1/;\n\n', undefined);
  for (const re of tree.reservations) {
    out.push(`${labelPrefix(re.labels)}/memreserve/\t0x${hex(re.address, 16)} 0x${hex(re.size, 16)};\n`, undefined);
  }
  printNode(tree.root, out, opts.annotate ? new Annotator(opts.annotate, opts.initialPath ?? '') : undefined);
  return out.toString();
}
