/**
 * Finding nodes the way dtc's livetree.c does (get_node_by_ref / _path / _label / _phandle):
 * the first match in pre-order over live nodes. dtc walks the tree for every lookup; here a
 * label and a phandle index narrow the candidates, and pre-order decides only between several.
 */
import type { Node } from './model.js';

/** dtc's is_ref_relative: a label reference with a path after it (`&{lbl/sub}`). */
export function isRefRelative(ref: string): boolean {
  return ref[0] !== '/' && ref.indexOf('/', 1) >= 0;
}

/** Live and attached under `root` (no deleted node on the way up). */
export function isLiveUnder(node: Node, root: Node): boolean {
  let n: Node | undefined = node;
  while (n) {
    if (n.deleted) return false;
    if (n === root) return true;
    n = n.parent;
  }
  return false;
}

/** Pre-order comparison of two nodes of one tree (child order includes deleted siblings). */
export function comparePreorder(a: Node, b: Node): number {
  const chain = (n: Node): number[] => {
    const out: number[] = [];
    let c: Node = n;
    while (c.parent) {
      out.push(c.parent.children.indexOf(c));
      c = c.parent;
    }
    return out.reverse();
  };
  const ca = chain(a);
  const cb = chain(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

/** `get_node_by_path` below `from`: components separated by '/', leading slashes skipped. */
export function nodeByPath(from: Node, path: string): Node | undefined {
  let node = from;
  let rest = path;
  for (;;) {
    if (rest === '') return node.deleted ? undefined : node;
    let start = 0;
    while (rest.charCodeAt(start) === 47) start++;
    if (start > 0) rest = rest.slice(start);
    const slash = rest.indexOf('/');
    const component = slash < 0 ? rest : rest.slice(0, slash);
    let found: Node | undefined;
    for (const c of node.children) {
      if (!c.deleted && c.name === component) {
        found = c;
        break;
      }
    }
    if (!found) return undefined;
    if (slash < 0) return found;
    node = found;
    rest = rest.slice(slash + 1);
  }
}

/** Labels of nodes, kept as they are added; lookups check that the label is still live. */
export class LabelIndex {
  private readonly byLabel = new Map<string, Node[]>();

  constructor(private readonly root: () => Node) {}

  note(node: Node, label: string): void {
    const list = this.byLabel.get(label);
    if (!list) this.byLabel.set(label, [node]);
    else if (!list.includes(node)) list.push(node);
  }

  /** `get_node_by_label`. */
  find(label: string): Node | undefined {
    const list = this.byLabel.get(label);
    if (!list) return undefined;
    const root = this.root();
    let best: Node | undefined;
    for (const n of list) {
      if (!n.labels.includes(label) || !isLiveUnder(n, root)) continue;
      if (!best || comparePreorder(n, best) < 0) best = n;
    }
    return best;
  }

  /** `get_node_by_ref`: '/', `/path`, `label` or `label/sub/path`. */
  byRef(ref: string): Node | undefined {
    const root = this.root();
    if (ref === '/') return root;
    if (ref[0] === '/') return nodeByPath(root, ref);
    const slash = ref.indexOf('/');
    const target = this.find(slash < 0 ? ref : ref.slice(0, slash));
    if (!target) return undefined;
    return slash < 0 ? target : nodeByPath(target, ref.slice(slash + 1));
  }

  /** Index every label of a whole (sub)tree, e.g. a tree read from elsewhere. */
  noteTree(top: Node): void {
    const work = [top];
    while (work.length > 0) {
      const node = work.pop()!;
      for (const l of node.labels) this.note(node, l);
      for (const c of node.children) work.push(c);
    }
  }
}
