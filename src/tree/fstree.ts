/**
 * `-I fs`: a tree read from a folder laid out like /proc/device-tree, as dtc's fstree.c reads it —
 * each folder a node, each regular file a property whose value is the file's bytes. Entries come in
 * the order readdir(3) gives them, as in dtc (on ext4: hash order, not sorted; the bundled dtc, on
 * our WASI host, gets the same order). Symbolic links are followed, as stat() does; the node-depth
 * limit stops a link loop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticError } from '../diagnostics.js';
import { assignPhandles } from './phandles.js';
import { limitError, type Limits } from '../limits.js';
import { readdirAsListed, strerror } from '../os-fs.js';
import { guessBootCpuid } from './build.js';
import { Node, Property, type Tree } from './model.js';

export interface FsTreeResult {
  tree: Tree;
  /** dtc's "WARNING: Cannot open …" lines for files it could not read (without newline). */
  warnings: string[];
}

export function readFsTree(dir: string, limits: Pick<Limits, 'node-depth' | 'input-bytes'>): FsTreeResult {
  const warnings: string[] = [];
  let total = 0;
  const read = (folder: string, depth: number): Node => {
    if (depth > limits['node-depth']) {
      throw limitError('node-depth', `${folder} is nested ${depth} folders deep, which`, limits['node-depth']);
    }
    let entries: string[];
    try {
      entries = readdirAsListed(folder).map((e) => e.name);
    } catch (err) {
      throw new DiagnosticError({ rule: 'input/read', severity: 'error', message: `Couldn't opendir() "${folder}": ${strerror(err)}` });
    }
    const node = new Node('');
    for (const name of entries) {
      const entry = path.join(folder, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(entry);
      } catch (err) {
        throw new DiagnosticError({ rule: 'input/read', severity: 'error', message: `stat(${entry}): ${strerror(err)}` });
      }
      if (st.isFile()) {
        total += st.size;
        if (total > limits['input-bytes']) throw limitError('input-bytes', `the files below ${dir} add up to ${total} bytes, which`, limits['input-bytes']);
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(entry);
        } catch (err) {
          warnings.push(`WARNING: Cannot open ${entry}: ${strerror(err)}`);
          continue;
        }
        node.properties.push(new Property(name, { bytes: new Uint8Array(bytes), markers: [] }));
      } else if (st.isDirectory()) {
        const child = read(entry, depth + 1);
        child.name = name;
        node.addChild(child);
      }
    }
    return node;
  };
  const root = read(dir, 1);
  assignPhandles(root);
  return { tree: { v1: true, plugin: false, reservations: [], root, bootCpuidPhys: guessBootCpuid(root) }, warnings };
}
