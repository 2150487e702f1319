/**
 * From syntax to the live tree, with dtc's tree-building rules (dtc-parser.y actions and
 * livetree.c): each `{ … }` becomes a fresh node which is then merged into the tree — repeated
 * nodes merge, repeated properties replace the value in place, `/delete-…/` marks entries deleted
 * (a later definition revives them in their old place), labels are added newest first, and in a
 * `/plugin/` source references to unknown labels become `fragment@N` orphans.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { DtsSource, NodeBody, Ref } from '../dts/ast.js';
import { DataBuilder } from './data.js';
import { addLabel, deleteLabels, labelsWithDeleted } from './labels.js';
import { isRefRelative, LabelIndex, nodeByPath } from './lookup.js';
import { Node, Property, type MemoryReservation, type Tree } from './model.js';

export interface BuildResult {
  tree: Tree;
  /** Errors dtc reports while building (unknown labels, relative references in plugins). */
  diagnostics: Diagnostic[];
  /**
   * Findings beyond dtc's (which `compile` does not print): a `/delete-property/` or `/delete-node/`
   * in an overlay that deletes nothing of the overlay's own tree, so it was meant for the base.
   */
  pitfalls: Diagnostic[];
}

export function buildTree(source: DtsSource): BuildResult {
  return new TreeBuilder(source).build();
}

class TreeBuilder {
  private readonly diagnostics: Diagnostic[] = [];
  private root: Node = new Node('');
  private readonly labels = new LabelIndex(() => this.root);
  /** dtc's next_orphan_fragment (a static in dtc; one per compile here). */
  private nextFragment = 0;
  /** A plugin's /delete-…/ entries, until a merge finds what they delete in the overlay itself. */
  private readonly overlayDeletes = new Map<Property | Node, { what: string; name: string; span: Span }>();

  constructor(private readonly source: DtsSource) {}

  private error(message: string, span: Span): void {
    this.diagnostics.push({ rule: 'parse/semantic', severity: 'error', message, span });
  }

  build(): BuildResult {
    const { source } = this;
    const plugin = source.plugin;
    for (const item of source.items) {
      switch (item.kind) {
        case 'root': {
          const node = this.buildNode(item.body, '');
          if (item === source.items[0]) this.root = node;
          else this.mergeNodes(this.root, node);
          break;
        }
        case 'extend':
          this.extend(item.ref, item.label, item.body, item.first, plugin);
          break;
        case 'delete-node': {
          const target = this.labels.byRef(item.ref.text);
          if (target) deleteNode(target);
          else this.error(`Label or path ${item.ref.text} not found`, item.ref.span);
          break;
        }
        case 'omit-if-no-ref': {
          const target = this.labels.byRef(item.ref.text);
          if (target) target.omitIfNoRef = true;
          else this.error(`Label or path ${item.ref.text} not found`, item.ref.span);
          break;
        }
      }
    }
    const reservations: MemoryReservation[] = source.reservations.map((r) => {
      const labels: string[] = [];
      for (let i = r.labels.length - 1; i >= 0; i--) if (!labels.includes(r.labels[i]!)) labels.unshift(r.labels[i]!);
      return { address: r.address, size: r.size, labels, span: r.span };
    });
    const tree: Tree = { v1: true, plugin, reservations, root: this.root, bootCpuidPhys: guessBootCpuid(this.root) };
    const pitfalls: Diagnostic[] = [...this.overlayDeletes.values()].map(({ what, name, span }) => ({
      rule: 'overlay/delete-in-overlay',
      severity: 'warning',
      message: `${what} ${name} in an overlay deletes only from the overlay's own tree: fdtoverlay cannot delete anything from the base, so ${name} stays there`,
      span,
    }));
    return { tree, diagnostics: this.diagnostics, pitfalls };
  }

  private extend(ref: Ref, label: { name: string; span: Span } | undefined, body: NodeBody, first: boolean, plugin: boolean): void {
    const node = this.buildNode(body, undefined);
    if (first) {
      // dt_ref nodedef as the first item: only a plugin may start this way
      if (!plugin) this.error(`Label or path ${ref.text} not found`, body.span);
      else if (isRefRelative(ref.text)) this.error(`Label-relative reference ${ref.text} not supported in plugin`, body.span);
      this.root = new Node('');
      this.addOrphan(node, ref);
      return;
    }
    if (label) {
      const target = this.labels.byRef(ref.text);
      if (plugin && isRefRelative(ref.text)) this.error(`Label-relative reference ${ref.text} not supported in plugin`, label.span);
      if (target) {
        addLabel(target, label.name);
        this.labels.note(target, label.name);
        this.mergeNodes(target, node);
      } else this.error(`Label or path ${ref.text} not found`, ref.span);
      return;
    }
    if (ref.kind === 'path') {
      if (plugin) {
        if (isRefRelative(ref.text)) this.error(`Label-relative reference ${ref.text} not supported in plugin`, ref.span);
        this.addOrphan(node, ref);
      } else {
        const target = this.labels.byRef(ref.text);
        if (target) this.mergeNodes(target, node);
        else this.error(`Label or path ${ref.text} not found`, ref.span);
      }
      return;
    }
    const target = this.labels.byRef(ref.text);
    if (target) this.mergeNodes(target, node);
    else if (plugin) this.addOrphan(node, ref);
    else this.error(`Label or path ${ref.text} not found`, ref.span);
  }

  /** `add_orphan_node`: wrap the node as `fragment@N { target…; __overlay__ { … } }` under the root. */
  private addOrphan(node: Node, ref: Ref): void {
    const d = new DataBuilder();
    let prop: Property;
    if (ref.text[0] === '/') {
      d.addMarker('string', ref.text);
      for (let i = 0; i < ref.text.length; i++) d.appendByte(ref.text.charCodeAt(i));
      d.appendByte(0);
      prop = new Property('target-path', d.finish());
    } else {
      d.addMarker('ref-phandle', ref.text, ref.span);
      d.appendCell(0xffffffff);
      prop = new Property('target', d.finish());
    }
    node.name = '__overlay__';
    const fragment = new Node(`fragment@${this.nextFragment++}`);
    fragment.properties.push(prop);
    fragment.addChild(node);
    this.root.addChild(fragment);
  }

  /** `build_node` for one `{ … }` and everything in it (iteratively: nesting can be deep). */
  private buildNode(body: NodeBody, name: string | undefined): Node {
    const top = new Node(name ?? '', body.span);
    const work: { node: Node; body: NodeBody }[] = [{ node: top, body }];
    while (work.length > 0) {
      const { node, body: b } = work.pop()!;
      for (const item of b.props) {
        let prop: Property;
        if (item.kind === 'property') prop = new Property(item.name, item.value, item.span);
        else {
          prop = new Property(item.name);
          prop.deleted = true;
          if (this.source.plugin) this.overlayDeletes.set(prop, { what: '/delete-property/', name: item.name, span: item.span });
        }
        for (let i = item.labels.length - 1; i >= 0; i--) addLabel(prop, item.labels[i]!);
        node.properties.push(prop);
      }
      for (const item of b.children) {
        let child: Node;
        if (item.kind === 'node') {
          child = new Node(item.name, item.body.span);
          work.push({ node: child, body: item.body });
        } else {
          child = new Node(item.name, item.span);
          child.deleted = true;
          if (this.source.plugin) this.overlayDeletes.set(child, { what: '/delete-node/', name: item.name, span: item.span });
        }
        for (let i = item.labels.length - 1; i >= 0; i--) {
          addLabel(child, item.labels[i]!);
          this.labels.note(child, item.labels[i]!);
        }
        if (item.omitIfNoRef) child.omitIfNoRef = true;
        node.addChild(child);
      }
    }
    return top;
  }

  /**
   * `merge_nodes`: move everything of `fresh` into `old`. Nested merges are independent of one
   * another, so a work list replaces dtc's recursion.
   */
  private mergeNodes(oldTop: Node, freshTop: Node): void {
    const work: [Node, Node][] = [[oldTop, freshTop]];
    while (work.length > 0) {
      const [old, fresh] = work.pop()!;
      old.deleted = false;
      for (const l of labelsWithDeleted(fresh)) {
        addLabel(old, l);
        this.labels.note(old, l);
      }
      for (const np of fresh.properties) {
        if (np.deleted) {
          const victim = old.properties.find((p) => p.name === np.name);
          if (victim) {
            deleteProperty(victim);
            this.overlayDeletes.delete(np);
          }
          continue;
        }
        const op = old.properties.find((p) => p.name === np.name);
        if (op) {
          for (const l of labelsWithDeleted(np)) addLabel(op, l);
          op.value = np.value;
          op.deleted = false;
          op.spans.push(...np.spans);
        } else old.properties.push(np);
      }
      for (const nc of fresh.children) {
        if (nc.deleted) {
          const victim = old.children.find((c) => c.name === nc.name);
          if (victim) {
            deleteNode(victim);
            this.overlayDeletes.delete(nc);
          }
          continue;
        }
        const oc = old.children.find((c) => c.name === nc.name);
        if (oc) work.push([oc, nc]);
        else old.addChild(nc);
      }
      old.spans.push(...fresh.spans);
    }
  }
}

export function deleteProperty(prop: Property): void {
  prop.deleted = true;
  deleteLabels(prop);
}

/** `delete_node`: the node, its live subtree and properties, and their labels. */
export function deleteNode(top: Node): void {
  const work = [top];
  while (work.length > 0) {
    const node = work.pop()!;
    node.deleted = true;
    for (const c of node.children) if (!c.deleted) work.push(c);
    for (const p of node.properties) if (!p.deleted) deleteProperty(p);
    deleteLabels(node);
  }
}

/** `guess_boot_cpuid`: `reg` of the first child of /cpus when it is one cell. */
export function guessBootCpuid(root: Node): number {
  const cpus = nodeByPath(root, '/cpus');
  if (!cpus) return 0;
  const first = cpus.children[0];
  if (!first) return 0;
  const reg = first.properties.find((p) => !p.deleted && p.name === 'reg');
  if (!reg || reg.value.bytes.length !== 4) return 0;
  const b = reg.value.bytes;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}
