/**
 * The live tree: what a device-tree source or blob means, independent of syntax and output format.
 *
 * Property values are raw big-endian bytes plus markers, the same idea dtc uses: markers say where
 * a label sits inside a value, where a reference must be filled in (phandle or path), and how the
 * bytes were written (cells of 8/16/32/64 bits, strings, bytes). The bytes give exact DTB output;
 * the markers give exact DTS output and let later stages (overlays, checks) know what was a
 * reference.
 *
 * This module knows nothing of schemas, SMMUs or reports (see docs/architecture.md).
 */
import type { Span } from '../diagnostics.js';

export type MarkerKind =
  | 'ref-phandle' // 4 bytes at offset hold the phandle of `ref` once resolved
  | 'ref-path' // the path of `ref` (NUL-terminated) is inserted at offset once resolved
  | 'label' // a label inside a value (`prop = <1 lbl: 2>`)
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 'string' // type markers: the bytes from offset up to the next type marker are of this type
  | 'none'; // dtc's TYPE_NONE (start of `/incbin/` data): not a type marker, but it splits a value's chunks

export interface Marker {
  kind: MarkerKind;
  /** Byte offset into the value. */
  offset: number;
  /** Label name, or the reference text (`label` or a `/path`) for ref-* markers. */
  ref?: string;
  /** Where the reference or label was written (for errors that name the source line). */
  span?: Span;
}

export function isTypeMarker(kind: MarkerKind): boolean {
  return kind === 'u8' || kind === 'u16' || kind === 'u32' || kind === 'u64' || kind === 'string';
}

/** A property value: bytes and the markers that describe them, markers sorted by offset. */
export interface Data {
  bytes: Uint8Array;
  markers: Marker[];
}

export const emptyData = (): Data => ({ bytes: new Uint8Array(0), markers: [] });

export class Property {
  name: string;
  value: Data;
  labels: string[] = [];
  deleted = false;
  /** Every source span that defined or changed this property, oldest first; the last one set the value. */
  spans: Span[];

  constructor(name: string, value: Data = emptyData(), span?: Span) {
    this.name = name;
    this.value = value;
    // a one-element literal, not push() onto []: push reserves 17 slots, and trees hold many of these
    this.spans = span ? [span] : [];
  }

  /** The span of the definition that set the current value. */
  get span(): Span | undefined {
    return this.spans[this.spans.length - 1];
  }
}

export class Node {
  /** Full name with unit address, e.g. `remoteproc@30000000`; '' for the root. */
  name: string;
  properties: Property[] = [];
  children: Node[] = [];
  parent: Node | undefined;
  labels: string[] = [];
  deleted = false;
  /** 0 when the node has no phandle yet; assigned lazily as dtc does. */
  phandle = 0;
  /** `/omit-if-no-ref/` was given for this node. */
  omitIfNoRef = false;
  /** Set when something refers to this node (for /omit-if-no-ref/). */
  referenced = false;
  /** Every span that defined or extended this node, oldest first. */
  spans: Span[];

  constructor(name: string, span?: Span) {
    this.name = name;
    this.spans = span ? [span] : [];
  }

  get span(): Span | undefined {
    return this.spans[0];
  }

  /** Name without the unit address. */
  get baseName(): string {
    const at = this.name.indexOf('@');
    return at < 0 ? this.name : this.name.slice(0, at);
  }

  /** Unit address text after '@', or undefined. */
  get unitAddress(): string | undefined {
    const at = this.name.indexOf('@');
    return at < 0 ? undefined : this.name.slice(at + 1);
  }

  /** Full path; iterative, so any nesting depth works. */
  get path(): string {
    if (!this.parent) return '/';
    const names: string[] = [];
    for (let node: Node | undefined = this; node?.parent; node = node.parent) names.push(node.name);
    return '/' + names.reverse().join('/');
  }

  getProperty(name: string): Property | undefined {
    return this.properties.find((p) => !p.deleted && p.name === name);
  }

  getChild(name: string): Node | undefined {
    return this.children.find((c) => !c.deleted && c.name === name);
  }

  liveProperties(): Property[] {
    return this.properties.filter((p) => !p.deleted);
  }

  liveChildren(): Node[] {
    return this.children.filter((c) => !c.deleted);
  }

  addChild(child: Node): void {
    child.parent = this;
    this.children.push(child);
  }
}

export interface MemoryReservation {
  address: bigint;
  size: bigint;
  labels: string[];
  span?: Span;
}

/** A whole tree as dtc's `struct dt_info`: header facts, reservations and the root node. */
export interface Tree {
  /** `/dts-v1/` was given (always true for v1 sources and blobs). */
  v1: boolean;
  /** `/plugin/` was given: this is an overlay source. */
  plugin: boolean;
  reservations: MemoryReservation[];
  root: Node;
  bootCpuidPhys: number;
}
