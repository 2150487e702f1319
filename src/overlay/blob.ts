/** Overlay inputs and outputs as blobs: reading keeps libfdt's slack bytes, writing packs like fdtoverlay. */
import { blobOffsetOf, readDtb } from '../dtb/read.js';
import type { Node, Tree } from '../tree/model.js';
import { blobStrings, stalePadding, writePackedFdt } from './flat.js';
import type { AppliedTree } from './apply.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';

/**
 * readDtb, plus the non-zero alignment slack of each property (a blob written by fdtoverlay may
 * carry some), so that applying to it again reproduces fdtoverlay's bytes.
 */
export function readBlobForOverlay(bytes: Uint8Array, file?: string, limits: Limits = DEFAULT_LIMITS): Tree {
  const tree = readDtb(bytes, { ...(file !== undefined ? { file } : {}), maxDepth: limits['node-depth'], maxReservations: limits['memreserve-entries'] });
  const visit = (node: Node): void => {
    for (const prop of node.properties) {
      const offset = blobOffsetOf(prop);
      const len = prop.value.bytes.length;
      const slack = (4 - (len % 4)) % 4;
      if (offset === undefined || slack === 0) continue;
      const start = offset + 12 + len;
      const padding = bytes.subarray(start, start + slack);
      if (padding.some((b) => b !== 0)) stalePadding.set(prop, padding.slice());
    }
    node.children.forEach(visit);
  };
  visit(tree.root);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offStrings = view.getUint32(12);
  const version = view.getUint32(20);
  // size_dt_strings exists from version 3; dtc-era blobs are 16/17, older ones keep dtc's order.
  if (version >= 3) blobStrings.set(tree, bytes.slice(offStrings, offStrings + view.getUint32(32)));
  return tree;
}

/** The merged blob exactly as fdtoverlay writes it. */
export function appliedBlob(applied: AppliedTree): Uint8Array {
  return writePackedFdt(applied.tree, applied.strings.clone());
}
