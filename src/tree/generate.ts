/**
 * The nodes dtc generates after the checks (livetree.c): `__symbols__` for `-@` and `aliases`
 * for `-A` (generate_label_tree), and for `/plugin/` sources `__fixups__` (references to labels
 * the overlay does not define) and `__local_fixups__` (offsets of references it resolved itself).
 */
import { DiagnosticError } from '../diagnostics.js';
import { appendWithMarker, cString } from './data.js';
import { labelsWithDeleted } from './labels.js';
import { LabelIndex } from './lookup.js';
import { Node, Property } from './model.js';
import type { PhandleAllocator } from './phandles.js';
import { walkLive } from './walk.js';

/** Live children / properties, as dtc's for_each_child / for_each_property. */
function* liveChildren(node: Node): Generator<Node> {
  for (const c of node.children) if (!c.deleted) yield c;
}

function liveProperty(node: Node, name: string): Property | undefined {
  for (const p of node.properties) if (!p.deleted && p.name === name) return p;
  return undefined;
}

/** `build_root_node`: the live child of the root with that name, or a new one at the end. */
function rootChild(root: Node, name: string): Node {
  for (const c of liveChildren(root)) if (c.name === name) return c;
  const node = new Node(name);
  root.addChild(node);
  return node;
}

function childOrNew(parent: Node, name: string): Node {
  for (const c of liveChildren(parent)) if (c.name === name) return c;
  const node = new Node(name);
  parent.addChild(node);
  return node;
}

/** `append_to_property`: add bytes (after a marker) to a property, creating it at the end when absent. */
function appendToProperty(node: Node, name: string, bytes: Uint8Array, kind: 'string' | 'u32'): void {
  const prop = liveProperty(node, name);
  if (prop) prop.value = appendWithMarker(prop.value, kind, name, bytes);
  else node.properties.push(new Property(name, { bytes: bytes.slice(), markers: [{ kind, offset: 0, ref: name }] }));
}

export interface LabelTreeResult {
  /** dtc's "WARNING: label … already exists in /…" lines (printed without a newline by dtc). */
  warnings: string[];
}

/**
 * `generate_label_tree`: one string property per label, holding the labelled node's path, in a
 * root child named `name`; with `allocate`, every labelled node gets a phandle.
 */
export function generateLabelTree(root: Node, name: string, phandles: PhandleAllocator | undefined): LabelTreeResult {
  const warnings: string[] = [];
  let anyLabel = false;
  walkLive(root, (n) => {
    if (!anyLabel && labelsWithDeleted(n).length > 0) anyLabel = true;
  });
  if (!anyLabel) return { warnings };
  const an = rootChild(root, name);
  const present = new Set<string>();
  for (const p of an.properties) if (!p.deleted) present.add(p.name);
  walkLive(root, (n, path) => {
    if (labelsWithDeleted(n).length > 0) {
      for (const label of n.labels) {
        if (present.has(label)) {
          warnings.push(`WARNING: label ${label} already exists in /${an.name}`);
          continue;
        }
        an.properties.push(new Property(label, { bytes: cString(path), markers: [{ kind: 'string', offset: 0 }] }));
        present.add(label);
      }
      if (phandles) phandles.phandleOf(n);
    }
  });
  return { warnings };
}

function refMarkers(prop: Property): { offset: number; ref: string }[] {
  const out: { offset: number; ref: string }[] = [];
  for (const m of prop.value.markers) if (m.kind === 'ref-phandle') out.push({ offset: m.offset, ref: m.ref ?? '' });
  return out;
}

const walk = walkLive;

function anyReference(root: Node, index: LabelIndex, resolved: boolean): boolean {
  let found = false;
  walk(root, (n) => {
    if (found) return;
    for (const p of n.properties) {
      if (p.deleted) continue;
      for (const m of refMarkers(p)) if ((index.byRef(m.ref) !== undefined) === resolved) found = true;
    }
  });
  return found;
}

function fatal(message: string): DiagnosticError {
  return new DiagnosticError({ rule: 'compile/fixups', severity: 'error', message });
}

/** `generate_fixups_tree`: `label = "path:prop:offset"…` for every reference to an unknown label. */
export function generateFixupsTree(root: Node, name: string): void {
  const index = new LabelIndex(() => root);
  index.noteTree(root);
  if (!anyReference(root, index, false)) return;
  const fn = rootChild(root, name);
  walk(root, (n, path) => {
    for (const p of n.properties) {
      if (p.deleted) continue;
      for (const m of refMarkers(p)) {
        if (index.byRef(m.ref)) continue;
        if (m.ref.includes('/')) throw fatal(`Can't generate fixup for reference to path &{${m.ref}}`);
        if (path.includes(':') || p.name.includes(':')) throw fatal('arguments should not contain \':\'');
        appendToProperty(fn, m.ref, cString(`${path}:${p.name}:${m.offset}`), 'string');
      }
    }
  });
}

/** `generate_local_fixups_tree`: the offsets of resolved references, in a tree mirroring their nodes. */
export function generateLocalFixupsTree(root: Node, name: string): void {
  const index = new LabelIndex(() => root);
  index.noteTree(root);
  if (!anyReference(root, index, true)) return;
  const lfn = rootChild(root, name);
  walkLive(root, (n) => {
    for (const p of n.properties) {
      if (p.deleted) continue;
      for (const m of refMarkers(p)) {
        if (!index.byRef(m.ref)) continue;
        let wn = lfn;
        for (const component of nameChain(n)) wn = childOrNew(wn, component);
        const cell = new Uint8Array(4);
        new DataView(cell.buffer).setUint32(0, m.offset);
        appendToProperty(wn, p.name, cell, 'u32');
      }
    }
  });
}

/** Names from below the root down to the node (add_local_fixup_entry's `compp`). */
function nameChain(node: Node): string[] {
  const out: string[] = [];
  for (let n: Node | undefined = node; n && n.parent; n = n.parent) out.push(n.name);
  return out.reverse();
}
