/**
 * The strings block of a flattened tree, with the look-up rule dtc and libfdt share: a name is
 * found at the first offset where it (with its NUL) occurs, even as the tail of a longer name;
 * otherwise it is appended. Order of insertion is therefore part of the output bytes.
 */
import type { Node } from '../tree/model.js';

export class StringTable {
  private bytes: Uint8Array;
  private length: number;
  private readonly cache = new Map<string, number>();

  constructor(initial?: Uint8Array) {
    this.bytes = new Uint8Array(Math.max(256, initial?.length ?? 0));
    this.length = 0;
    if (initial) {
      this.bytes.set(initial);
      this.length = initial.length;
    }
  }

  /** The table dtc writes for `root`: names in pre-order, properties before children. */
  static forTree(root: Node): StringTable {
    const table = new StringTable();
    const visit = (node: Node): void => {
      for (const prop of node.properties) if (!prop.deleted) table.offsetOf(prop.name);
      for (const child of node.children) if (!child.deleted) visit(child);
    };
    visit(root);
    return table;
  }

  /** Offset of `name`, appending it when absent. */
  offsetOf(name: string): number {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const needle = Buffer.from(name + '\0', 'latin1');
    let found = -1;
    const hay = this.bytes;
    const last = this.length - needle.length;
    outer: for (let i = 0; i <= last; i++) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      found = i;
      break;
    }
    if (found < 0) {
      found = this.length;
      this.ensure(this.length + needle.length);
      this.bytes.set(needle, this.length);
      this.length += needle.length;
    }
    this.cache.set(name, found);
    return found;
  }

  get block(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  clone(): StringTable {
    return new StringTable(this.block);
  }

  private ensure(size: number): void {
    if (size <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(size, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}
