/**
 * Reference resolution as dtc's "fixup" checks do it (checks.c): explicit_phandles,
 * phandle_references, path_references and omit_unused_nodes, each a function of ONE node so a
 * check registry can call them in dtc's traversal order. `resolveReferences` runs them over the
 * whole tree, one check after another, as dtc's table does when no other check is involved.
 *
 * The check registry (src/dtc-checks/) is the normal way these run; this module serves callers that
 * need a resolved tree without the other checks (and documents the semantics in one place).
 */
import type { Diagnostic } from '../diagnostics.js';
import { cString, insertAtMarker } from './data.js';
import { deleteNode } from './build.js';
import { LabelIndex } from './lookup.js';
import type { Node, Property, Tree } from './model.js';
import { isValidPhandle, PhandleAllocator, type PhandleFormat } from './phandles.js';

export interface ResolveOptions {
  plugin: boolean;
  /** `-@`: labelled nodes survive /omit-if-no-ref/. */
  symbols: boolean;
  phandleFormat: PhandleFormat;
}

export interface ResolveFailure {
  check: 'explicit_phandles' | 'phandle_references' | 'path_references';
  node: Node;
  prop?: Property;
  message: string;
}

/** State shared by the per-node functions: lookups, the phandle counter, what was referenced. */
export class ResolveContext {
  readonly labels: LabelIndex;
  readonly phandles: PhandleAllocator;
  readonly failures: ResolveFailure[] = [];
  readonly referenced = new Set<Node>();

  constructor(
    readonly tree: Tree,
    readonly options: ResolveOptions,
  ) {
    this.labels = new LabelIndex(() => tree.root);
    this.labels.noteTree(tree.root);
    this.phandles = new PhandleAllocator(tree.root, options.phandleFormat);
  }

  nodeByPhandle(phandle: number): Node | undefined {
    if (!this.phandles.isUsed(phandle)) return undefined;
    let found: Node | undefined;
    const visit = (n: Node): boolean => {
      if (n.phandle === phandle) {
        found = n;
        return true;
      }
      for (const c of n.children) if (!c.deleted && visit(c)) return true;
      return false;
    };
    visit(this.tree.root);
    return found;
  }
}

function readPhandleProp(ctx: ResolveContext, node: Node, name: string): number {
  const prop = node.properties.find((p) => !p.deleted && p.name === name);
  if (!prop) return 0;
  const b = prop.value.bytes;
  if (b.length !== 4) {
    ctx.failures.push({ check: 'explicit_phandles', node, prop, message: `bad length (${b.length}) ${name} property` });
    return 0;
  }
  // a self-reference (`phandle = <&self>`) is resolved later by phandle_references
  if (prop.value.markers.some((m) => m.kind === 'ref-phandle')) {
    const ref = prop.value.markers.find((m) => m.kind === 'ref-phandle')!;
    const target = ctx.labels.byRef(ref.ref ?? '');
    if (target === node) return 0;
    ctx.failures.push({ check: 'explicit_phandles', node, prop, message: `${name} is a reference to another node` });
    return 0;
  }
  const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  if (!isValidPhandle(v)) {
    ctx.failures.push({ check: 'explicit_phandles', node, prop, message: `bad value (0x${v.toString(16)}) in ${name} property` });
    return 0;
  }
  return v;
}

export function explicitPhandles(ctx: ResolveContext, node: Node): void {
  let phandle = readPhandleProp(ctx, node, 'phandle');
  const linux = readPhandleProp(ctx, node, 'linux,phandle');
  if (!phandle && !linux) return;
  if (linux && phandle && phandle !== linux) {
    ctx.failures.push({ check: 'explicit_phandles', node, message: "mismatching 'phandle' and 'linux,phandle' properties" });
  }
  if (linux && !phandle) phandle = linux;
  const other = ctx.nodeByPhandle(phandle);
  if (other && other !== node) {
    ctx.failures.push({
      check: 'explicit_phandles',
      node,
      message: `duplicated phandle 0x${phandle.toString(16)} (seen before at ${other.path})`,
    });
    return;
  }
  ctx.phandles.claim(node, phandle);
}

export function phandleReferences(ctx: ResolveContext, node: Node): void {
  for (const prop of node.properties) {
    if (prop.deleted) continue;
    for (const m of prop.value.markers) {
      if (m.kind !== 'ref-phandle') continue;
      const target = ctx.labels.byRef(m.ref ?? '');
      const view = new DataView(prop.value.bytes.buffer, prop.value.bytes.byteOffset);
      if (!target) {
        if (!ctx.options.plugin) {
          ctx.failures.push({ check: 'phandle_references', node, message: `Reference to non-existent node or label "${m.ref}"\n` });
        } else view.setUint32(m.offset, 0xffffffff);
        continue;
      }
      view.setUint32(m.offset, ctx.phandles.phandleOf(target));
      ctx.referenced.add(target);
      target.referenced = true;
    }
  }
}

export function pathReferences(ctx: ResolveContext, node: Node): void {
  for (const prop of node.properties) {
    if (prop.deleted) continue;
    for (const m of [...prop.value.markers]) {
      if (m.kind !== 'ref-path') continue;
      const target = ctx.labels.byRef(m.ref ?? '');
      if (!target) {
        ctx.failures.push({ check: 'path_references', node, message: `Reference to non-existent node or label "${m.ref}"\n` });
        continue;
      }
      prop.value = insertAtMarker(prop.value, m, cString(target.path));
      ctx.referenced.add(target);
      target.referenced = true;
    }
  }
}

export function omitUnusedNodes(ctx: ResolveContext, node: Node): void {
  if (ctx.options.symbols && node.labels.length > 0) return;
  if (node.omitIfNoRef && !node.referenced) deleteNode(node);
}

/** Run the fixups over the tree in dtc's order. Failures are returned as error diagnostics. */
export function resolveReferences(tree: Tree, options: ResolveOptions): { diagnostics: Diagnostic[]; context: ResolveContext } {
  const ctx = new ResolveContext(tree, options);
  const each = (fn: (ctx: ResolveContext, node: Node) => void): void => {
    const visit = (n: Node): void => {
      fn(ctx, n);
      for (const c of n.children) if (!c.deleted) visit(c);
    };
    visit(tree.root);
  };
  each(explicitPhandles);
  if (ctx.failures.length === 0) {
    each(phandleReferences);
    each(pathReferences);
    if (ctx.failures.length === 0) each(omitUnusedNodes);
  }
  const diagnostics: Diagnostic[] = ctx.failures.map((f) => {
    const d: Diagnostic = { rule: `dtc/${f.check}`, severity: 'error', message: f.message, path: f.node.path };
    if (f.prop) d.property = f.prop.name;
    const span = f.prop?.span ?? f.node.span;
    if (span) d.span = span;
    return d;
  });
  return { diagnostics, context: ctx };
}
