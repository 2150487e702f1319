/**
 * What a check sees while it runs: the tree, lookups that behave like dtc's livetree.c
 * (first match in pre-order over live nodes), per-node facts that earlier checks record
 * (bus type, #address-cells/#size-cells), and `fail`/`failProp` to report.
 *
 * Lookups are indexed instead of walking the tree per reference (dtc does walk); the indexes
 * are kept in step with the tree changes the fixup checks make.
 */
import type { Data, Marker, Node, Property, Tree } from '../tree/model.js';
import { Property as PropertyClass } from '../tree/model.js';
import type { CheckFailure } from './types.js';
import { cellAt } from './values.js';
import { deleteNode } from '../tree/build.js';

/** Bus kinds dtc's bridge checks record on a node (`node->bus`). */
export type BusKind = 'pci' | 'simple-bus' | 'i2c' | 'spi' | 'graph-port' | 'graph-ports';

/** Where dtc 1.7.2 would hit an assertion (and abort) on malformed input. */
export class DtcAssertion extends Error {
  constructor(
    readonly node: Node,
    readonly prop: Property,
  ) {
    super(`${prop.name} is not a single cell`);
    this.name = 'DtcAssertion';
  }
}

export interface LabelOwner {
  node: Node;
  prop?: Property;
  marker?: Marker;
}

interface TreeIndex {
  order: Node[];
  byName: Map<string, Node[]>;
  /** Names whose list must be recomputed (properties of that name were added). */
  stale: Set<string>;
  /** Pre-order position of each node, built when first needed. */
  position?: Map<Node, number>;
}

export type PhandleFormat = 'legacy' | 'epapr' | 'both';

export interface ContextOptions {
  plugin: boolean;
  /** `-@`: nodes with labels are kept by omit_unused_nodes. */
  symbols: boolean;
  phandleFormat: PhandleFormat;
}

export class CheckContext {
  readonly tree: Tree;
  readonly root: Node;
  readonly plugin: boolean;
  readonly symbols: boolean;
  readonly phandleFormat: PhandleFormat;

  /** Set by the bridge checks; read by the unit-address checks of the children. */
  readonly bus = new Map<Node, BusKind>();
  private readonly addressCells = new Map<Node, number>();
  private readonly sizeCells = new Map<Node, number>();

  /** dtc's static counter in get_node_phandle: the next phandle to try. */
  private nextPhandle = 1;

  /** The counter after the checks; dtc keeps using it for `-@` (__symbols__ allocates too). */
  get phandleCounter(): number {
    return this.nextPhandle;
  }
  private phandleIndex: Map<number, Node> | undefined;
  private labelIndex: Map<string, Node> | undefined;
  private valueLabelIndex: { props: Map<string, LabelOwner>; marks: Map<string, LabelOwner> } | undefined;

  private readonly paths = new Map<Node, string>();
  /** Nodes deleted by omit_unused_nodes: unlike nodes deleted in the source, they keep their path. */
  private readonly deletedByChecks = new WeakSet<Node>();
  private treeIndex: TreeIndex | undefined;
  private readonly ownedValues = new WeakSet<Data>();

  /** Receives each failure of the running check (set by the runner). */
  report: (failure: CheckFailure) => void = () => undefined;

  constructor(tree: Tree, options: ContextOptions) {
    this.tree = tree;
    this.root = tree.root;
    this.plugin = options.plugin;
    this.symbols = options.symbols;
    this.phandleFormat = options.phandleFormat;
  }

  /**
   * A property read as one cell where dtc uses `propval_cell`, which asserts the length: dtc 1.7.2
   * aborts there, so the check phase stops with a DtcAssertion (see runner.ts).
   */
  cell(owner: Node, prop: Property): number {
    if (prop.value.bytes.length !== 4) throw new DtcAssertion(owner, prop);
    return cellAt(prop.value, 0);
  }

  fail(node: Node | undefined, message: string, because?: Property): void {
    this.report({ node, message, because });
  }

  failProp(node: Node, prop: Property | undefined, message: string): void {
    this.report({ node, prop, message });
  }

  /** Live nodes in pre-order (recomputed after a fixup changed the tree). */
  liveNodes(): Node[] {
    return this.index().order;
  }

  /** Live nodes in pre-order that have a live property named one of `names`. */
  nodesWithProperty(names: readonly string[]): Node[] {
    const index = this.index();
    for (const name of names) {
      if (index.stale.delete(name)) index.byName.set(name, index.order.filter((n) => getLiveProp(n, name)));
    }
    if (names.length === 1) return index.byName.get(names[0]!) ?? [];
    if (!index.position) {
      index.position = new Map();
      index.order.forEach((n, i) => index.position!.set(n, i));
    }
    const position = index.position;
    const set = new Set<Node>();
    for (const name of names) for (const n of index.byName.get(name) ?? []) set.add(n);
    return [...set].sort((a, b) => position.get(a)! - position.get(b)!);
  }

  private index(): TreeIndex {
    if (!this.treeIndex) {
      const order: Node[] = [];
      const byName = new Map<string, Node[]>();
      forEachLiveNode(this.root, (n) => {
        order.push(n);
        for (const p of n.properties) {
          if (p.deleted) continue;
          const list = byName.get(p.name);
          if (!list) byName.set(p.name, [n]);
          else if (list[list.length - 1] !== n) list.push(n);
        }
      });
      this.treeIndex = { order, byName, stale: new Set() };
    }
    return this.treeIndex;
  }

  /** A fixup added or removed nodes or properties: forget the node order and the property index. */
  treeChanged(): void {
    this.treeIndex = undefined;
  }

  /**
   * The node's full path as dtc computed it before the checks (fill_fullpaths): nodes that were
   * already deleted then have none, and dtc prints "(null)". Nodes deleted by a check keep theirs.
   */
  pathOf(node: Node): string {
    let path = this.paths.get(node);
    if (path === undefined) {
      const parent = node.parent;
      if (!parent) path = '/';
      else if (node.deleted && !this.deletedByChecks.has(node)) path = '(null)';
      else {
        const above = this.pathOf(parent);
        path = above === '(null)' ? above : above === '/' ? `/${node.name}` : `${above}/${node.name}`;
      }
      this.paths.set(node, path);
    }
    return path;
  }

  /** The value bytes of `prop`, copied once so that filling references never writes into shared data. */
  writableBytes(prop: Property): Uint8Array {
    if (!this.ownedValues.has(prop.value)) {
      prop.value = { bytes: prop.value.bytes.slice(), markers: prop.value.markers };
      this.ownedValues.add(prop.value);
    }
    return prop.value.bytes;
  }

  // ---- #address-cells / #size-cells as recorded by addr_size_cells ----

  /** The raw recorded value: -1 when the property is absent, 0 before addr_size_cells ran. */
  rawAddressCells(node: Node): number {
    return this.addressCells.get(node) ?? 0;
  }

  rawSizeCells(node: Node): number {
    return this.sizeCells.get(node) ?? 0;
  }

  setCells(node: Node, address: number, size: number): void {
    this.addressCells.set(node, address);
    this.sizeCells.set(node, size);
  }

  /** `node_addr_cells`: the recorded value, or 2 when absent. */
  addressCellsOf(node: Node): number {
    const v = this.rawAddressCells(node);
    return v === -1 ? 2 : v;
  }

  /** `node_size_cells`: the recorded value, or 1 when absent. */
  sizeCellsOf(node: Node): number {
    const v = this.rawSizeCells(node);
    return v === -1 ? 1 : v;
  }

  // ---- lookups ----

  /** `get_node_by_label`: first live node in pre-order carrying the label. */
  nodeByLabel(label: string): Node | undefined {
    if (!this.labelIndex) {
      const index = new Map<string, Node>();
      forEachLiveNode(this.root, (n) => {
        for (const l of n.labels) if (!index.has(l)) index.set(l, n);
      });
      this.labelIndex = index;
    }
    return this.labelIndex.get(label);
  }

  /**
   * Where a label is defined, searched as dtc's duplicate_label does: node labels first, then
   * property labels, then labels inside values; each the first in pre-order.
   */
  labelOwner(label: string): LabelOwner | undefined {
    const node = this.nodeByLabel(label);
    if (node) return { node };
    if (!this.valueLabelIndex) {
      const props = new Map<string, LabelOwner>();
      const marks = new Map<string, LabelOwner>();
      forEachLiveNode(this.root, (n) => {
        for (const prop of n.properties) {
          if (prop.deleted) continue;
          for (const l of prop.labels) if (!props.has(l)) props.set(l, { node: n, prop });
          for (const marker of prop.value.markers) {
            if (marker.kind === 'label' && marker.ref !== undefined && !marks.has(marker.ref)) {
              marks.set(marker.ref, { node: n, prop, marker });
            }
          }
        }
      });
      this.valueLabelIndex = { props, marks };
    }
    return this.valueLabelIndex.props.get(label) ?? this.valueLabelIndex.marks.get(label);
  }

  /** `get_node_by_path`, relative to `from` (the root by default). */
  nodeByPath(path: string, from: Node = this.root): Node | undefined {
    let node = from;
    let rest = path;
    for (;;) {
      if (rest === '') return node.deleted ? undefined : node;
      let start = 0;
      while (rest[start] === '/') start++;
      rest = rest.slice(start);
      const slash = rest.indexOf('/');
      const component = slash < 0 ? rest : rest.slice(0, slash);
      const child = node.children.find((c) => !c.deleted && c.name === component);
      if (!child) return undefined;
      if (slash < 0) return child;
      node = child;
      rest = rest.slice(slash + 1);
    }
  }

  /** `get_node_by_ref`: `/path`, `label` or `label/sub/path`. */
  nodeByRef(ref: string): Node | undefined {
    if (ref === '/') return this.root;
    if (ref.startsWith('/')) return this.nodeByPath(ref);
    const slash = ref.indexOf('/');
    const label = slash < 0 ? ref : ref.slice(0, slash);
    const target = this.nodeByLabel(label);
    if (!target) return undefined;
    return slash < 0 ? target : this.nodeByPath(ref.slice(slash + 1), target);
  }

  /** `get_node_by_phandle`: first live node in pre-order with that phandle. */
  nodeByPhandle(phandle: number): Node | undefined {
    if (phandle === 0 || phandle === 0xffffffff) return undefined;
    return this.phandles().get(phandle);
  }

  private phandles(): Map<number, Node> {
    if (!this.phandleIndex) {
      const index = new Map<number, Node>();
      forEachLiveNode(this.root, (n) => {
        if (n.phandle !== 0 && !index.has(n.phandle)) index.set(n.phandle, n);
      });
      this.phandleIndex = index;
    }
    return this.phandleIndex;
  }

  /** Give `node` a phandle (explicit_phandles); keeps the index exact. */
  setPhandle(node: Node, phandle: number): void {
    node.phandle = phandle;
    const index = this.phandleIndex;
    if (index && !index.has(phandle)) index.set(phandle, node);
    else this.phandleIndex = undefined;
  }

  /**
   * `get_node_phandle`: the node's phandle, allocating the lowest free one from a counter that
   * only grows, and adding `linux,phandle` / `phandle` properties as the format asks.
   */
  phandleOf(node: Node): number {
    if (node.phandle !== 0 && node.phandle !== 0xffffffff) return node.phandle;
    const index = this.phandles();
    while (index.has(this.nextPhandle)) this.nextPhandle++;
    const phandle = this.nextPhandle;
    node.phandle = phandle;
    index.set(phandle, node);
    if (this.phandleFormat !== 'epapr') addPhandleProperty(node, 'linux,phandle', phandle);
    if (this.phandleFormat !== 'legacy') addPhandleProperty(node, 'phandle', phandle);
    // the node order is unchanged; only these two names' lists are stale
    this.treeIndex?.byName.delete('phandle');
    this.treeIndex?.byName.delete('linux,phandle');
    this.treeIndex?.stale.add('phandle').add('linux,phandle');
    return phandle;
  }

  /** `delete_node`: the node, its subtree and properties are marked deleted, their labels dropped. */
  deleteNode(node: Node): void {
    forEachLiveNode(node, (n) => this.deletedByChecks.add(n));
    deleteNode(node);
    this.treeChanged();
    this.phandleIndex = undefined;
    this.labelIndex = undefined;
    this.valueLabelIndex = undefined;
  }
}

function addPhandleProperty(node: Node, name: string, phandle: number): void {
  if (node.properties.some((p) => !p.deleted && p.name === name)) return;
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, phandle);
  const marker: Marker = { kind: 'u32', offset: 0 };
  node.properties.push(new PropertyClass(name, { bytes, markers: [marker] }));
}

function getLiveProp(node: Node, name: string): boolean {
  return node.properties.some((p) => !p.deleted && p.name === name);
}

/** Pre-order over live nodes, as dtc's for_each_child recursion. */
export function forEachLiveNode(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const c of node.children) if (!c.deleted) forEachLiveNode(c, visit);
}
