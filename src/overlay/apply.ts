/**
 * Applying compiled overlays to a base tree with the semantics of libfdt's fdt_overlay_apply (as
 * fdtoverlay 1.7.2 runs it), on the live tree so that every property keeps the spans of the lines
 * that set it. The steps, in libfdt's order, for each overlay:
 *   1. shift the overlay's own phandles past the base's largest, and its local references with them;
 *   2. resolve `__fixups__` (references to base labels) through the base's `__symbols__`;
 *   3. keep base phandles where an overlay node lands on a base node that has one;
 *   4. merge each fragment's `__overlay__` into its target (new properties and nodes go first, as
 *      libfdt inserts them);
 *   5. add the overlay's `__symbols__` to the base's, rewritten to their final paths.
 * Failures raise OverlayError: libfdt's error code plus a message that names the label, fragment,
 * property and source line involved.
 */
import { DEFAULT_LIMITS, limitError } from '../limits.js';
import type { Span } from '../diagnostics.js';
import { Node, Property, type Tree } from '../tree/model.js';
import { OverlayError, suggestSimilar, type FdtErrorCode } from './errors.js';
import {
  findChild,
  findNodeByPath,
  findNodeByPhandle,
  findProperty,
  maxPhandle,
  phandleOf,
  propertyString,
  readCell,
  walkNodes,
  writeCell,
} from './lookup.js';
import { StringTable } from './strings.js';
import { blobStrings, nodeBytes, nodeTailBytes, stalePadding } from './flat.js';

export interface OverlayInput {
  tree: Tree;
  /** Name used in messages (the overlay's file name). */
  name: string;
}

export interface AppliedTree {
  tree: Tree;
  /** Properties of `tree` whose current value an overlay set. */
  touched: Set<Property>;
  /** The strings block as libfdt grew it: the base's, then names the overlays added, in order. */
  strings: StringTable;
  /** Each node a fragment targeted, with the span of that fragment's body (the last one to target it). */
  targeted: Map<Node, Span>;
}

/** Applies `overlays` in order to a copy of `base`; neither input is modified. */
export function applyOverlays(base: Tree, overlays: OverlayInput[], options: { maxOverlays?: number } = {}): AppliedTree {
  const maxOverlays = options.maxOverlays ?? DEFAULT_LIMITS.overlays;
  if (overlays.length > maxOverlays) {
    throw limitError('overlays', `applying ${overlays.length} overlays`, maxOverlays, { file: overlays[maxOverlays]!.name, line: 1, column: 1 });
  }
  const tree = cloneTree(base);
  const original = blobStrings.get(base);
  const strings = original ? new StringTable(original) : StringTable.forTree(tree.root);
  const touched = new Set<Property>();
  const targeted = new Map<Node, Span>();
  for (const overlay of overlays) applyOne(tree, strings, touched, targeted, cloneTree(overlay.tree), overlay.name);
  return { tree, strings, touched, targeted };
}

class Application {
  constructor(
    readonly base: Tree,
    readonly strings: StringTable,
    readonly touched: Set<Property>,
    readonly targeted: Map<Node, Span>,
    readonly overlay: Tree,
    readonly name: string,
  ) {}

  fail(code: FdtErrorCode, message: string, extra: { span?: Span; path?: string; property?: string; hint?: string } = {}): never {
    throw new OverlayError(code, this.name, message, extra);
  }

  /** fdt_setprop on a base node: replace in place, or insert first (libfdt's position). */
  setProperty(target: Node, source: Property): void {
    const index = target.properties.findIndex((p) => !p.deleted && p.name === source.name);
    const value = { bytes: source.value.bytes.slice(), markers: source.value.markers.map((m) => ({ ...m })) };
    const len = value.bytes.length;
    const aligned = align4(len);
    if (index >= 0) {
      // libfdt resizes the old slot in place: the slack keeps the old slot's bytes, or, when the slot
      // grows, the bytes that followed it.
      const existing = target.properties[index];
      const oldLen = existing.value.bytes.length;
      let slot = concat(existing.value.bytes, stalePadding.get(existing) ?? new Uint8Array(align4(oldLen) - oldLen));
      if (aligned > slot.length) slot = concat(slot, this.bytesFrom(target, index + 1, aligned - slot.length));
      setPadding(existing, slot.subarray(len, aligned));
      existing.value = value;
      existing.spans.push(...source.spans);
      this.touched.add(existing);
      return;
    }
    this.strings.offsetOf(source.name);
    // A new property is spliced in right after the node's name; its slack keeps what was there.
    const gap = this.bytesFrom(target, 0, 12 + aligned);
    const prop = new Property(source.name, value);
    setPadding(prop, gap.subarray(12 + len, 12 + aligned));
    prop.spans.push(...source.spans);
    prop.labels = [...source.labels];
    target.properties.unshift(prop);
    this.touched.add(prop);
  }

  /** The first `need` structure-block bytes from property `index` of `node` on, as libfdt has them in memory. */
  bytesFrom(node: Node, index: number, need: number): Uint8Array {
    const chunks: Uint8Array[] = [nodeTailBytes(node, index, this.strings, need)];
    let have = chunks[0].length;
    for (let current = node; have < need && current.parent; current = current.parent) {
      const siblings = current.parent.children;
      for (let i = siblings.indexOf(current) + 1; i < siblings.length && have < need; i++) {
        if (siblings[i].deleted) continue;
        const bytes = nodeBytes(siblings[i], this.strings, need - have);
        chunks.push(bytes);
        have += bytes.length;
      }
      if (have < need) {
        chunks.push(Uint8Array.of(0, 0, 0, 2)); // the parent's FDT_END_NODE
        have += 4;
      }
    }
    if (have < need) chunks.push(Uint8Array.of(0, 0, 0, 9), this.strings.block); // FDT_END, then the strings block
    const all = concat(...chunks);
    return all.length >= need ? all.subarray(0, need) : concat(all, new Uint8Array(need - all.length));
  }

  /** fdt_add_subnode: an existing match (libfdt's name rule) or a new first child. */
  addSubnode(parent: Node, name: string, spans: Span[]): Node {
    const existing = findChild(parent, name);
    if (existing) {
      existing.spans.push(...spans);
      return existing;
    }
    const node = new Node(name);
    node.spans.push(...spans);
    node.parent = parent;
    parent.children.unshift(node);
    return node;
  }
}

function applyOne(base: Tree, strings: StringTable, touched: Set<Property>, targeted: Map<Node, Span>, overlay: Tree, name: string): void {
  const app = new Application(base, strings, touched, targeted, overlay, name);
  const delta = maxPhandle(base);
  adjustLocalPhandles(app, delta);
  updateLocalReferences(app, (value) => value + delta);
  fixupPhandles(app);
  preventPhandleOverwrite(app);
  merge(app);
  updateSymbols(app);
}

// Step 1: the overlay's phandles move past the base's.

function adjustLocalPhandles(app: Application, delta: number): void {
  for (const node of walkNodes(app.overlay.root)) {
    for (const propName of ['phandle', 'linux,phandle']) {
      const prop = findProperty(node, propName);
      if (!prop) continue;
      if (prop.value.bytes.length !== 4) {
        app.fail('FDT_ERR_BADPHANDLE', `${propName} of ${node.path} is ${prop.value.bytes.length} bytes long, not one cell`, { path: node.path, property: propName, span: prop.span });
      }
      const value = readCell(prop.value.bytes, 0);
      const shifted = value + delta;
      if (shifted > 0xffffffff || shifted === 0xffffffff) {
        app.fail('FDT_ERR_NOPHANDLES', `phandle ${hex(value)} of ${node.path} overflows when moved past the base's largest phandle ${hex(delta)}`, { path: node.path, property: propName });
      }
      writeCell(prop.value.bytes, 0, shifted);
      node.phandle = shifted;
    }
  }
}

/** Walks `__local_fixups__` and rewrites each local phandle reference through `rewrite`. */
function updateLocalReferences(app: Application, rewrite: (value: number) => number): void {
  const fixups = findNodeByPath(app.overlay, '/__local_fixups__');
  if (fixups) walkLocalFixups(app, app.overlay.root, fixups, rewrite);
}

function walkLocalFixups(app: Application, treeNode: Node, fixupNode: Node, rewrite: (value: number) => number): void {
  for (const fixup of fixupNode.properties) {
    if (fixup.deleted) continue;
    const offsets = fixup.value.bytes;
    if (offsets.length % 4) {
      app.fail('FDT_ERR_BADOVERLAY', `__local_fixups__ entry ${fixupNode.path}:${fixup.name} is ${offsets.length} bytes long, not whole cells`, { path: fixupNode.path, property: fixup.name });
    }
    const target = findProperty(treeNode, fixup.name);
    if (!target) {
      app.fail('FDT_ERR_BADOVERLAY', `__local_fixups__ names property ${treeNode.path}:${fixup.name}, which the overlay does not have`, { path: fixupNode.path, property: fixup.name });
    }
    for (let i = 0; i < offsets.length; i += 4) {
      const offset = readCell(offsets, i);
      if (offset + 4 > target.value.bytes.length) {
        app.fail('FDT_ERR_BADOVERLAY', `__local_fixups__ offset ${offset} is outside ${treeNode.path}:${fixup.name} (${target.value.bytes.length} bytes)`, { path: treeNode.path, property: fixup.name });
      }
      writeCell(target.value.bytes, offset, rewrite(readCell(target.value.bytes, offset)) >>> 0);
    }
  }
  for (const child of fixupNode.children) {
    if (child.deleted) continue;
    const treeChild = findChild(treeNode, child.name);
    if (!treeChild) {
      app.fail('FDT_ERR_BADOVERLAY', `__local_fixups__ names node ${child.name} under ${treeNode.path}, which the overlay does not have`, { path: child.path });
    }
    walkLocalFixups(app, treeChild, child, rewrite);
  }
}

// Step 2: references to base labels.

interface FixupEntry {
  path: string;
  property: string;
  offset: number;
}

function parseFixupEntries(app: Application, fixup: Property): FixupEntry[] {
  const entries: FixupEntry[] = [];
  const bytes = fixup.value.bytes;
  let start = 0;
  do {
    const end = bytes.indexOf(0, start);
    if (end < 0) app.fail('FDT_ERR_BADOVERLAY', `__fixups__ entry for label '${fixup.name}' is not NUL-terminated`, { path: '/__fixups__', property: fixup.name });
    const text = Buffer.from(bytes.subarray(start, end)).toString('latin1');
    const match = /^([^:]*):([^:]+):\s*\+?(\d+)$/.exec(text);
    if (!match) {
      app.fail('FDT_ERR_BADOVERLAY', `malformed __fixups__ entry '${text}' for label '${fixup.name}' (expected path:property:offset)`, { path: '/__fixups__', property: fixup.name });
    }
    entries.push({ path: match[1], property: match[2], offset: Number(match[3]) });
    start = end + 1;
  } while (start < bytes.length);
  return entries;
}

/** The overlay-source position of the reference a fixup entry patches, when the overlay came from source. */
function referenceSpan(app: Application, entry: FixupEntry): Span | undefined {
  const node = findNodeByPath(app.overlay, entry.path);
  const prop = node && findProperty(node, entry.property);
  if (!prop) return undefined;
  const marker = prop.value.markers.find((m) => m.kind === 'ref-phandle' && m.offset === entry.offset);
  return marker?.span ?? prop.span;
}

/** Whether libfdt's path look-up gets past the alias step: an absolute path, or an alias `tree` defines. */
function isAbsoluteOrAlias(tree: Tree, path: string): boolean {
  if (path.startsWith('/')) return true;
  const slash = path.indexOf('/');
  return path !== '' && findNodeByPath(tree, slash < 0 ? path : path.slice(0, slash)) !== undefined;
}

function fragmentOf(path: string): string {
  return path.split('/')[1] ?? path;
}

function fixupPhandles(app: Application): void {
  const fixups = findNodeByPath(app.overlay, '/__fixups__');
  if (!fixups) return;
  const symbols = findNodeByPath(app.base, '/__symbols__');
  for (const fixup of fixups.properties) {
    if (fixup.deleted) continue;
    const label = fixup.name;
    const entries = parseFixupEntries(app, fixup);
    const first = entries[0];
    const where = { span: referenceSpan(app, first), path: first.path, property: first.property };
    const usedIn = `used in ${first.path}:${first.property} (${fragmentOf(first.path)})`;
    if (!symbols) {
      app.fail('FDT_ERR_BADOFFSET', `cannot resolve label '${label}' ${usedIn}: the base was compiled without -@ (symbols), it has no /__symbols__ node`, {
        ...where,
        hint: "compile the base with 'dtc -@' (the kernel does so for every base that an overlay is applied to)",
      });
    }
    const symbolPath = propertyString(findProperty(symbols, label));
    if (symbolPath === undefined) {
      const similar = suggestSimilar(label, symbols.properties.filter((p) => !p.deleted).map((p) => p.name));
      app.fail('FDT_ERR_NOTFOUND', `label '${label}' ${usedIn} is not defined in the base (not in its /__symbols__)`, {
        ...where,
        hint: similar.length ? `did you mean ${similar.map((s) => `'${s}'`).join(', ')}?` : undefined,
      });
    }
    const target = findNodeByPath(app.base, symbolPath);
    if (!target) {
      // fdt_path_offset: BADPATH for an empty path or one that starts with no alias, else NOTFOUND
      const code = isAbsoluteOrAlias(app.base, symbolPath) ? 'FDT_ERR_NOTFOUND' : 'FDT_ERR_BADPATH';
      app.fail(code, `label '${label}' ${usedIn} points at '${symbolPath}' in the base's __symbols__, but the base has no such node`, where);
    }
    const phandle = phandleOf(target);
    if (!phandle) {
      app.fail('FDT_ERR_NOTFOUND', `label '${label}' ${usedIn} names ${symbolPath}, which has no phandle in the base`, where);
    }
    for (const entry of entries) {
      const node = findNodeByPath(app.overlay, entry.path);
      if (!node && !isAbsoluteOrAlias(app.overlay, entry.path)) {
        // fdt_path_offset_namelen: an empty path, or one that starts with no alias of the overlay
        app.fail('FDT_ERR_BADPATH', `__fixups__ entry for '${label}' names '${entry.path}', which is neither an absolute path nor an alias of the overlay`, { path: '/__fixups__', property: label });
      }
      if (!node) app.fail('FDT_ERR_BADOVERLAY', `__fixups__ entry for '${label}' names ${entry.path}, which the overlay does not have`, { path: '/__fixups__', property: label });
      const prop = findProperty(node, entry.property);
      if (!prop) app.fail('FDT_ERR_NOTFOUND', `__fixups__ entry for '${label}' names property ${entry.path}:${entry.property}, which the overlay does not have`, { path: entry.path, property: entry.property });
      if (entry.offset + 4 > prop.value.bytes.length) {
        app.fail('FDT_ERR_NOSPACE', `__fixups__ offset ${entry.offset} for '${label}' is outside ${entry.path}:${entry.property} (${prop.value.bytes.length} bytes)`, { path: entry.path, property: entry.property });
      }
      writeCell(prop.value.bytes, entry.offset, phandle);
    }
  }
}

// Step 3 and 4: targets, phandle preservation, merge.

interface Fragment {
  node: Node;
  overlayNode: Node;
}

function fragments(app: Application): Fragment[] {
  const out: Fragment[] = [];
  for (const node of app.overlay.root.children) {
    if (node.deleted) continue;
    const overlayNode = findChild(node, '__overlay__');
    if (overlayNode) out.push({ node, overlayNode });
  }
  return out;
}

/** fdt_overlay_target_offset, with the libfdt error when the target cannot be found. */
function resolveTarget(app: Application, fragment: Node): { node?: Node; code?: FdtErrorCode; message?: string; targetPath?: string } {
  const target = findProperty(fragment, 'target');
  if (target) {
    const value = target.value.bytes.length === 4 ? readCell(target.value.bytes, 0) : 0xffffffff;
    if (value === 0xffffffff) return { code: 'FDT_ERR_BADPHANDLE', message: `${fragment.name}: 'target' is not a resolved phandle` };
    if (value !== 0) {
      const node = findNodeByPhandle(app.base, value);
      return node ? { node } : { code: 'FDT_ERR_NOTFOUND', message: `${fragment.name}: no node of the base has phandle ${hex(value)} ('target')` };
    }
  }
  const pathProp = findProperty(fragment, 'target-path');
  if (!pathProp) return { code: 'FDT_ERR_BADOVERLAY', message: `${fragment.name} has an __overlay__ node but neither 'target' nor 'target-path'` };
  const targetPath = propertyString(pathProp) ?? '';
  const node = findNodeByPath(app.base, targetPath);
  if (node) return { node, targetPath };
  const isAlias = !targetPath.startsWith('/');
  return {
    code: isAlias && !findNodeByPath(app.base, targetPath.split('/')[0]) ? 'FDT_ERR_BADPATH' : 'FDT_ERR_NOTFOUND',
    message: `${fragment.name}: target-path '${targetPath}' does not exist in the base`,
  };
}

function preventPhandleOverwrite(app: Application): void {
  for (const { node, overlayNode } of fragments(app)) {
    const target = resolveTarget(app, node);
    if (target.code === 'FDT_ERR_NOTFOUND') continue; // nothing in the base to overwrite; merge reports it
    if (!target.node) app.fail(target.code!, target.message!, { path: node.path, span: node.span });
    keepBasePhandles(app, target.node, overlayNode);
  }
}

function keepBasePhandles(app: Application, baseNode: Node, overlayNode: Node): void {
  const basePhandle = phandleOf(baseNode);
  const overlayPhandle = phandleOf(overlayNode);
  if (basePhandle && overlayPhandle) {
    for (const name of ['phandle', 'linux,phandle']) {
      const prop = findProperty(overlayNode, name);
      if (prop && prop.value.bytes.length === 4) writeCell(prop.value.bytes, 0, basePhandle);
    }
    overlayNode.phandle = basePhandle;
    updateLocalReferences(app, (value) => (value === overlayPhandle ? basePhandle : value));
  }
  for (const child of overlayNode.children) {
    if (child.deleted) continue;
    const baseChild = findChild(baseNode, child.name);
    if (baseChild) keepBasePhandles(app, baseChild, child);
  }
}

function merge(app: Application): void {
  for (const { node, overlayNode } of fragments(app)) {
    const target = resolveTarget(app, node);
    if (!target.node) app.fail(target.code!, target.message!, { path: node.path, span: node.span });
    if (overlayNode.span) app.targeted.set(target.node, overlayNode.span);
    mergeNode(app, target.node, overlayNode);
  }
}

function mergeNode(app: Application, target: Node, source: Node): void {
  for (const prop of source.properties) if (!prop.deleted) app.setProperty(target, prop);
  for (const child of source.children) {
    if (child.deleted) continue;
    mergeNode(app, app.addSubnode(target, child.name, child.spans), child);
  }
  if (target.phandle === 0) target.phandle = phandleOf(target);
  target.labels.push(...source.labels.filter((l) => !target.labels.includes(l)));
}

// Step 5: the overlay's symbols.

function updateSymbols(app: Application): void {
  const overlaySymbols = findChild(app.overlay.root, '__symbols__');
  if (!overlaySymbols) return;
  let baseSymbols = findChild(app.base.root, '__symbols__');
  if (!baseSymbols) baseSymbols = app.addSubnode(app.base.root, '__symbols__', []);
  for (const symbol of overlaySymbols.properties) {
    if (symbol.deleted) continue;
    const bytes = symbol.value.bytes;
    if (bytes.length < 1 || bytes.indexOf(0) !== bytes.length - 1) {
      app.fail('FDT_ERR_BADVALUE', `__symbols__ entry '${symbol.name}' of the overlay is not one string`, { path: '/__symbols__', property: symbol.name });
    }
    const path = Buffer.from(bytes.subarray(0, bytes.length - 1)).toString('latin1');
    if (!path.startsWith('/')) app.fail('FDT_ERR_BADVALUE', `__symbols__ entry '${symbol.name}' of the overlay is not an absolute path: '${path}'`, { path: '/__symbols__', property: symbol.name });
    const slash = path.indexOf('/', 1);
    if (slash < 0) continue; // a symbol outside any fragment does not reach the base
    const rest = path.slice(slash);
    let relPath: string;
    // '/__overlay__/' with nothing after it is libfdt's first form too: the symbol gets the target path and a '/'.
    if (rest.startsWith('/__overlay__/')) relPath = rest.slice('/__overlay__/'.length);
    else if (rest === '/__overlay__') relPath = '';
    else continue;
    const fragment = findChild(app.overlay.root, path.slice(1, slash));
    if (!fragment || !findChild(fragment, '__overlay__')) {
      app.fail('FDT_ERR_BADOVERLAY', `__symbols__ entry '${symbol.name}' names ${path}, which is not a fragment's __overlay__ in the overlay`, { path: '/__symbols__', property: symbol.name });
    }
    const target = resolveTarget(app, fragment);
    if (!target.node) app.fail(target.code!, target.message!, { path: fragment.path });
    const targetPath = target.targetPath ?? target.node.path;
    // libfdt joins target and relative path with '/', even when the relative path is empty.
    const value = targetPath.length > 1 ? `${targetPath}/${relPath}` : `/${relPath}`;
    const prop = new Property(symbol.name, { bytes: Buffer.from(value + '\0', 'latin1'), markers: [{ kind: 'string', offset: 0 }] });
    prop.spans.push(...symbol.spans);
    app.setProperty(baseSymbols, prop);
  }
}

// Copies, so that inputs stay untouched and a failed apply leaves nothing half-done.

function cloneNode(node: Node, parent: Node | undefined): Node {
  const copy = new Node(node.name);
  copy.parent = parent;
  copy.spans = [...node.spans];
  copy.labels = [...node.labels];
  copy.deleted = node.deleted;
  copy.phandle = node.phandle;
  copy.omitIfNoRef = node.omitIfNoRef;
  copy.referenced = node.referenced;
  copy.properties = node.properties.map((p) => {
    const prop = new Property(p.name, { bytes: p.value.bytes.slice(), markers: p.value.markers.map((m) => ({ ...m })) });
    prop.labels = [...p.labels];
    prop.deleted = p.deleted;
    prop.spans = [...p.spans];
    const padding = stalePadding.get(p);
    if (padding) stalePadding.set(prop, padding);
    return prop;
  });
  copy.children = node.children.map((c) => cloneNode(c, copy));
  return copy;
}

export function cloneTree(tree: Tree): Tree {
  return {
    ...tree,
    reservations: tree.reservations.map((r) => ({ ...r, labels: [...r.labels] })),
    root: cloneNode(tree.root, undefined),
  };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Records non-zero slack bytes; all-zero slack is what a plain writer produces anyway. */
function setPadding(prop: Property, padding: Uint8Array): void {
  if (padding.some((b) => b !== 0)) stalePadding.set(prop, padding.slice());
  else stalePadding.delete(prop);
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
