/** What every request about one open file starts from: its text, its last runs, and the trees they built. */
import type { TargetRun } from '../workspace/workspace.js';
import type { Node, Tree } from '../tree/model.js';
import { labelIndex, type TextOf } from './text.js';

export interface FileContext {
  file: string;
  text: string;
  lines: string[];
  /** The last runs that checked the file (empty before the first one ends). */
  runs: TargetRun[];
  textOf: TextOf;
  isFile: (f: string) => boolean;
  /** The workspace's binding set, when it validates against bindings. */
  schemaSet?: () => Promise<import('../schema/index.js').SchemaSet | undefined>;
}

/** The trees to look labels up in, most telling first: merged trees, then each input as compiled. */
export function treesOf(runs: TargetRun[]): Tree[] {
  const trees: Tree[] = [];
  for (const { run } of runs) if (run.merged) trees.push(run.merged);
  for (const { run } of runs) for (const input of run.inputs) if (input.tree) trees.push(input.tree);
  return trees;
}

/** The base trees (what `&label` in an overlay refers to). */
export function basesOf(runs: TargetRun[]): Tree[] {
  return runs.flatMap(({ run }) => (run.inputs[0]?.tree ? [run.inputs[0].tree] : []));
}

const indexes = new WeakMap<Tree, Map<string, Node>>();

export function labelsOf(tree: Tree): Map<string, Node> {
  let index = indexes.get(tree);
  if (!index) indexes.set(tree, (index = labelIndex(tree.root)));
  return index;
}

export function findLabel(runs: TargetRun[], label: string): { node: Node; tree: Tree } | undefined {
  for (const tree of treesOf(runs)) {
    const node = labelsOf(tree).get(label);
    if (node) return { node, tree };
  }
  return undefined;
}
