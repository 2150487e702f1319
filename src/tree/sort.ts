/**
 * `-s`: dtc's sort_tree — memory reservations by address then size, and in every node (deleted
 * entries included, as dtc sorts its raw lists) properties and children by name (strcmp order).
 */
import type { Node, Tree } from './model.js';

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function sortTree(tree: Tree): void {
  tree.reservations.sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : a.size < b.size ? -1 : a.size > b.size ? 1 : 0,
  );
  sortNode(tree.root);
}

function sortNode(top: Node): void {
  const work = [top];
  while (work.length > 0) {
    const node = work.pop()!;
    node.properties.sort(byName);
    node.children.sort(byName);
    for (const c of node.children) work.push(c);
  }
}
