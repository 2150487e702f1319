/**
 * What can be checked of an overlay with no base to apply it to: the shape libfdt's
 * fdt_overlay_apply relies on. Each fragment with an `__overlay__` has a `target` (one cell) or a
 * `target-path` (a string); every `__fixups__` entry ("path:property:offset") names a property of
 * the overlay with a whole cell at that offset; every `__local_fixups__` offset lies inside its
 * property. libfdt reports any of these as FDT_ERR_BADOVERLAY when the overlay is applied.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Tree } from '../tree/model.js';
import { findChild, findNodeByPath, findProperty, readCell } from './lookup.js';

const SPECIAL = new Set(['__fixups__', '__local_fixups__', '__symbols__']);

function problem(message: string, at: { path?: string; property?: string; span?: Span }): Diagnostic {
  const d: Diagnostic = { rule: 'overlay/structure', severity: 'error', message };
  if (at.path) d.path = at.path;
  if (at.property) d.property = at.property;
  if (at.span) d.span = at.span;
  return d;
}

export function checkOverlayStructure(tree: Tree): Diagnostic[] {
  const out: Diagnostic[] = [];
  const live = (n: Node) => n.children.filter((c) => !c.deleted);
  for (const fragment of live(tree.root)) {
    if (SPECIAL.has(fragment.name) || !findChild(fragment, '__overlay__')) continue;
    const target = findProperty(fragment, 'target');
    const targetPath = findProperty(fragment, 'target-path');
    if (target && target.value.bytes.length !== 4) {
      out.push(problem(`${fragment.name}: target is ${target.value.bytes.length} bytes, not one phandle cell`, { path: fragment.path, property: 'target', span: target.span }));
    } else if (!target && !targetPath) {
      out.push(problem(`${fragment.name} has an __overlay__ but neither target nor target-path: fdtoverlay cannot place it (FDT_ERR_BADOVERLAY)`, { path: fragment.path, span: fragment.span }));
    } else if (!target && targetPath) {
      const bytes = targetPath.value.bytes;
      if (bytes.length < 2 || bytes[bytes.length - 1] !== 0 || bytes[0] !== 0x2f) {
        out.push(problem(`${fragment.name}: target-path is not an absolute path string`, { path: fragment.path, property: 'target-path', span: targetPath.span }));
      }
    }
  }
  const fixups = findChild(tree.root, '__fixups__');
  if (fixups) {
    for (const prop of fixups.properties) {
      if (prop.deleted || prop.name === 'name') continue;
      const text = new TextDecoder().decode(prop.value.bytes);
      const entries = text.split('\0');
      if (entries.pop() !== '') {
        out.push(problem(`__fixups__/${prop.name} is not a list of strings`, { path: fixups.path, property: prop.name, span: prop.span }));
        continue;
      }
      for (const entry of entries) {
        const bad = fixupProblem(tree, entry);
        if (bad) out.push(problem(`__fixups__/${prop.name}: '${entry}' ${bad}`, { path: fixups.path, property: prop.name, span: prop.span }));
      }
    }
  }
  const local = findChild(tree.root, '__local_fixups__');
  if (local) out.push(...localFixupProblems(local, tree.root));
  return out;
}

/** libfdt's overlay_fixup_phandle: "path:property:offset", the cell inside the property. */
function fixupProblem(tree: Tree, entry: string): string | undefined {
  const m = /^(\/[^:]*):([^:]+):(\d+)$/.exec(entry);
  if (!m) return 'is not path:property:offset';
  const node = findNodeByPath(tree, m[1]);
  if (!node) return `names ${m[1]}, which is not in the overlay`;
  const prop = findProperty(node, m[2]);
  if (!prop) return `names property ${m[2]}, which ${m[1]} does not have`;
  const offset = Number(m[3]);
  if (offset % 4 || offset + 4 > prop.value.bytes.length) return `points at byte ${offset} of ${m[2]} (${prop.value.bytes.length} bytes): not a whole cell inside it`;
  return undefined;
}

/** __local_fixups__ mirrors the overlay's nodes; each property lists byte offsets of local phandles. */
function localFixupProblems(fixups: Node, mirror: Node): Diagnostic[] {
  const out: Diagnostic[] = [];
  const work: [Node, Node][] = [[fixups, mirror]];
  while (work.length) {
    const [f, node] = work.pop()!;
    for (const prop of f.properties) {
      if (prop.deleted || prop.name === 'name') continue;
      const target = findProperty(node, prop.name);
      const bytes = prop.value.bytes;
      if (!target) {
        out.push(problem(`__local_fixups__ names ${node.path || '/'}:${prop.name}, which the overlay does not have`, { path: f.path, property: prop.name, span: prop.span }));
        continue;
      }
      for (let i = 0; i + 4 <= bytes.length; i += 4) {
        const offset = readCell(bytes, i);
        if (offset % 4 || offset + 4 > target.value.bytes.length) {
          out.push(problem(`__local_fixups__: offset ${offset} of ${node.path || '/'}:${prop.name} (${target.value.bytes.length} bytes) is not a whole cell inside it`, { path: f.path, property: prop.name, span: prop.span }));
        }
      }
    }
    for (const child of f.children) {
      if (child.deleted) continue;
      const twin = findChild(node, child.name);
      if (!twin) out.push(problem(`__local_fixups__ names ${node.path === '/' ? '' : node.path}/${child.name}, which is not in the overlay`, { path: child.path, span: child.span }));
      else work.push([child, twin]);
    }
  }
  return out;
}
