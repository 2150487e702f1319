/**
 * Pre-order walks over live nodes without recursion: dtc accepts nodes nested 3330 deep, which
 * is deeper than JavaScript recursion over several helpers comfortably goes.
 */
import type { Node } from './model.js';

/** Visit every live node in pre-order (dtc's for_each_child recursion), with its path. */
export function walkLive(root: Node, visit: (node: Node, path: string) => void): void {
  const stack: { node: Node; path: string }[] = [{ node: root, path: '/' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    visit(node, path);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const c = node.children[i]!;
      if (!c.deleted) stack.push({ node: c, path: path === '/' ? `/${c.name}` : `${path}/${c.name}` });
    }
  }
}

/** Visit every node (deleted ones too) in pre-order, without paths. */
export function walkAll(root: Node, visit: (node: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}
