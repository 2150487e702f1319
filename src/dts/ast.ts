/**
 * The syntax of one DTS source (after includes): what was written, in order. Building the live
 * tree from it (merges, deletes, label lookups) is src/tree/build.ts; values are already bytes
 * plus markers, since that is all the syntax of a value means.
 */
import type { Span } from '../diagnostics.js';
import type { Data } from '../tree/model.js';

export interface DtsSource {
  /** `/plugin/` was given in the (first) header. */
  plugin: boolean;
  reservations: MemReserveDef[];
  items: TopItem[];
}

export interface MemReserveDef {
  labels: string[];
  address: bigint;
  size: bigint;
  span: Span;
}

/** `&label`, `&{/path}` or `&{label/sub/path}`. */
export interface Ref {
  kind: 'label' | 'path';
  text: string;
  span: Span;
}

export type TopItem =
  | { kind: 'root'; body: NodeBody }
  /** `&ref { … }` / `&{/path} { … }`, optionally labelled (`lbl: &ref { … }`). */
  | { kind: 'extend'; ref: Ref; label?: { name: string; span: Span }; body: NodeBody; first: boolean }
  | { kind: 'delete-node'; ref: Ref; span: Span }
  | { kind: 'omit-if-no-ref'; ref: Ref; span: Span };

/** `{ properties subnodes };` — the span runs from `{` to `;`, as dtc records it. */
export interface NodeBody {
  props: PropItem[];
  children: ChildItem[];
  span: Span;
}

export type PropItem =
  | { kind: 'property'; name: string; labels: string[]; value: Data; span: Span }
  | { kind: 'delete-property'; name: string; labels: string[]; span: Span };

export type ChildItem =
  | { kind: 'node'; name: string; labels: string[]; omitIfNoRef: boolean; body: NodeBody; nameSpan: Span }
  | { kind: 'delete-node'; name: string; labels: string[]; omitIfNoRef: boolean; span: Span };
