/**
 * The semantic difference of two device trees: nodes added or removed, properties added, removed
 * or changed, with values decoded as dtc prints them (`<&apps_smmu 0x3000 0x00>`, strings, bytes).
 * Bookkeeping that changes whenever anything does is left out: `phandle`/`linux,phandle` values
 * and the `__fixups__`/`__local_fixups__` nodes.
 */
import type { Span } from '../diagnostics.js';
import { formatPropertyValue } from '../output/dts.js';
import type { Node, Property, Tree } from '../tree/model.js';

export interface PropertyChange {
  path: string;
  property: string;
  change: 'added' | 'removed' | 'changed';
  /** DTS text of the value (`<&apps_smmu 0x3000 0x00>`; empty string for an empty property). */
  before?: string;
  after?: string;
  /** Where the new value was set (the after tree), or where the removed one was (the before tree). */
  span?: Span;
}

export interface TreeDiff {
  nodesAdded: string[];
  nodesRemoved: string[];
  properties: PropertyChange[];
}

const IGNORED_PROPERTIES = new Set(['phandle', 'linux,phandle']);
const IGNORED_NODES = new Set(['__fixups__', '__local_fixups__']);

export function valueText(prop: Property): string {
  const text = formatPropertyValue(prop);
  return text === ';' ? '' : text.slice(3, -1);
}

function liveProps(node: Node): Map<string, Property> {
  const out = new Map<string, Property>();
  for (const p of node.properties) if (!p.deleted && !IGNORED_PROPERTIES.has(p.name)) out.set(p.name, p);
  return out;
}

function liveChildren(node: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const c of node.children) if (!c.deleted && !(node.parent === undefined && IGNORED_NODES.has(c.name))) out.set(c.name, c);
  return out;
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export function diffTrees(before: Tree, after: Tree): TreeDiff {
  const diff: TreeDiff = { nodesAdded: [], nodesRemoved: [], properties: [] };
  const walk = (a: Node | undefined, b: Node | undefined, path: string) => {
    const pa = a ? liveProps(a) : new Map<string, Property>();
    const pb = b ? liveProps(b) : new Map<string, Property>();
    for (const [name, prop] of pb) {
      const old = pa.get(name);
      const afterText = valueText(prop);
      if (!old) diff.properties.push({ path, property: name, change: 'added', after: afterText, ...(prop.span ? { span: prop.span } : {}) });
      else {
        const beforeText = valueText(old);
        if (beforeText !== afterText) diff.properties.push({ path, property: name, change: 'changed', before: beforeText, after: afterText, ...(prop.span ? { span: prop.span } : {}) });
      }
    }
    for (const [name, prop] of pa) {
      if (!pb.has(name)) diff.properties.push({ path, property: name, change: 'removed', before: valueText(prop), ...(prop.span ? { span: prop.span } : {}) });
    }
    const ca = a ? liveChildren(a) : new Map<string, Node>();
    const cb = b ? liveChildren(b) : new Map<string, Node>();
    for (const [name, child] of cb) {
      const p = childPath(path, name);
      if (!ca.has(name)) diff.nodesAdded.push(p);
      walk(ca.get(name), child, p);
    }
    for (const [name, child] of ca) {
      if (cb.has(name)) continue;
      const p = childPath(path, name);
      diff.nodesRemoved.push(p);
      walk(child, undefined, p);
    }
  };
  walk(before.root, after.root, '/');
  return diff;
}

export function isEmptyDiff(diff: TreeDiff): boolean {
  return !diff.nodesAdded.length && !diff.nodesRemoved.length && !diff.properties.length;
}

/** `+`/`-`/`~` lines, one per node or property change, grouped by node (a whole added node, then its properties). */
export function formatDiffText(diff: TreeDiff, where: (span: Span) => string = (s) => `${s.file}:${s.line}`): string {
  const entries: { key: string; text: string }[] = [];
  const added = new Set(diff.nodesAdded);
  const removed = new Set(diff.nodesRemoved);
  for (const p of diff.nodesRemoved) entries.push({ key: `${p}\u0000`, text: `- ${p}` });
  for (const p of diff.nodesAdded) entries.push({ key: `${p}\u0000`, text: `+ ${p}` });
  for (const c of diff.properties) {
    // Properties of a node added or removed as a whole are listed under it, indented.
    const inWholeNode = added.has(c.path) || removed.has(c.path);
    const at = c.span ? `  (${where(c.span)})` : '';
    const assign = (v: string | undefined) => (v ? ` = ${v}` : '');
    let text: string;
    if (c.change === 'added') text = `${inWholeNode ? '    ' : '+ '}${c.path}:${c.property}${assign(c.after)}${at}`;
    else if (c.change === 'removed') text = `${inWholeNode ? '    ' : '- '}${c.path}:${c.property}${assign(c.before)}`;
    else text = `~ ${c.path}:${c.property}: ${c.before || '(empty)'} -> ${c.after || '(empty)'}${at}`;
    entries.push({ key: `${c.path}\u0000${c.property}`, text });
  }
  entries.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return entries.length ? entries.map((e) => e.text).join('\n') + '\n' : '';
}
