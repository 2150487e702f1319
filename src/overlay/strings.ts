/**
 * The strings block of a flattened tree, with the look-up rule dtc and libfdt share: a name is
 * found at the first offset where it (with its NUL) occurs, even as the tail of a longer name;
 * otherwise it is appended. Order of insertion is therefore part of the output bytes.
 */
import type { Node } from '../tree/model.js';

export class StringTable {
  private bytes: Uint8Array;
  private length = 0;
  /**
   * Every suffix of every string in the block, at its first offset: "name found at offset p" means
   * name + NUL starts at p, i.e. name is a suffix of the string containing p. O(1) look-ups instead
   * of dtc's and libfdt's linear scan, same answers.
   */
  private readonly suffixes = new Map<string, number>();

  constructor(initial?: Uint8Array) {
    this.bytes = new Uint8Array(Math.max(256, initial?.length ?? 0));
    if (initial) {
      this.bytes.set(initial);
      this.length = initial.length;
      let start = 0;
      for (let i = 0; i < initial.length; i++) {
        if (initial[i] !== 0) continue;
        this.index(Buffer.from(initial.subarray(start, i)).toString('latin1'), start);
        start = i + 1;
      }
      // A block not ending in NUL leaves a tail no name can match (a match needs the NUL).
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

  private index(name: string, offset: number): void {
    for (let k = 0; k <= name.length; k++) {
      const suffix = k === 0 ? name : name.slice(k);
      if (!this.suffixes.has(suffix)) this.suffixes.set(suffix, offset + k);
    }
  }

  /** Offset of `name`, appending it when absent. */
  offsetOf(name: string): number {
    const found = this.suffixes.get(name);
    if (found !== undefined) return found;
    const needle = Buffer.from(name + '\0', 'latin1');
    const offset = this.length;
    this.ensure(this.length + needle.length);
    this.bytes.set(needle, this.length);
    this.length += needle.length;
    this.index(name, offset);
    return offset;
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
