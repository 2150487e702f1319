/**
 * The checks that change the tree: explicit phandles are recorded, `&label` / `&{/path}` references
 * are resolved (allocating phandles on demand, in traversal order, which fixes the output bytes),
 * and `/omit-if-no-ref/` nodes nobody referenced are deleted.
 */
import type { Data, Marker, Node, Property } from '../../tree/model.js';
import type { CheckContext } from '../context.js';
import { defineFamily } from '../define.js';
import { getProp, hex, isValidPhandle } from '../values.js';

const encoder = new TextEncoder();

/**
 * Path markers whose path is already in the value. dtc resolves once per compile; a second
 * runChecks on the same tree (e.g. `check` after `compile`) must not insert the path again.
 */
const insertedPaths = new WeakSet<Marker>();

/** Value of a `phandle` / `linux,phandle` property, or 0 when it gives none (reporting why). */
function explicitPhandle(ctx: CheckContext, node: Node, propName: string): number {
  const prop = getProp(node, propName);
  if (!prop) return 0;
  const len = prop.value.bytes.length;
  if (len !== 4) {
    ctx.failProp(node, prop, `bad length (${len}) ${prop.name} property`);
    return 0;
  }
  const ref = prop.value.markers.find((m) => m.kind === 'ref-phandle');
  if (ref) {
    // `phandle = <&self>` asks for a phandle to be allocated; pointing at another node is nonsense
    if (ctx.nodeByRef(ref.ref ?? '') !== node) ctx.fail(node, `${prop.name} is a reference to another node`);
    return 0;
  }
  const phandle = ctx.cell(node, prop);
  if (!isValidPhandle(phandle)) {
    ctx.failProp(node, prop, `bad value (0x${hex(phandle)}) in ${prop.name} property`);
    return 0;
  }
  return phandle;
}

function writeCell(ctx: CheckContext, prop: Property, offset: number, value: number): void {
  const bytes = ctx.writableBytes(prop);
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

/** Insert `inserted` at marker `index`'s offset; later markers move along (data_insert_at_marker). */
function insertAtMarker(value: Data, index: number, inserted: Uint8Array): Data {
  const at = value.markers[index]!.offset;
  const bytes = new Uint8Array(value.bytes.length + inserted.length);
  bytes.set(value.bytes.subarray(0, at), 0);
  bytes.set(inserted, at);
  bytes.set(value.bytes.subarray(at), at + inserted.length);
  const markers = value.markers.map((m, i) => (i > index ? { ...m, offset: m.offset + inserted.length } : m));
  return { bytes, markers };
}

/** Live properties, including those added while iterating (dtc walks a linked list). */
function forEachLiveProperty(node: Node, visit: (p: Property) => void): void {
  for (let i = 0; i < node.properties.length; i++) {
    const p = node.properties[i]!;
    if (!p.deleted) visit(p);
  }
}

export const referenceChecks = defineFamily('references', [
  {
    name: 'explicit_phandles',
    level: 'error',
    onlyWith: ['phandle', 'linux,phandle'],
    fixup: true,
    description:
      '`phandle` / `linux,phandle` properties are one valid cell, agree with each other, are unique, and become the node\'s phandle.',
    rationale:
      'A phandle is how one node points at another; two nodes with the same phandle, or 0 / 0xffffffff, make every reference to them ambiguous.',
    node(ctx, node) {
      let phandle = explicitPhandle(ctx, node, 'phandle');
      const linuxPhandle = explicitPhandle(ctx, node, 'linux,phandle');
      if (!phandle && !linuxPhandle) return;
      if (linuxPhandle && phandle && phandle !== linuxPhandle) {
        ctx.fail(node, "mismatching 'phandle' and 'linux,phandle' properties");
      }
      if (linuxPhandle && !phandle) phandle = linuxPhandle;
      const other = ctx.nodeByPhandle(phandle);
      if (other && other !== node) {
        ctx.fail(node, `duplicated phandle 0x${hex(phandle)} (seen before at ${ctx.pathOf(other)})`);
        return;
      }
      ctx.setPhandle(node, phandle);
    },
  },
  {
    name: 'phandle_references',
    level: 'error',
    prereqs: ['duplicate_node_names', 'explicit_phandles'],
    fixup: true,
    description:
      'Every `<&label>` / `<&{/path}>` cell names an existing node; it is replaced by that node\'s phandle, allocated on first use.',
    rationale:
      'An unresolved reference would leave a meaningless cell in the blob. In an overlay (`/plugin/`) it is left as 0xffffffff for `__fixups__` instead.',
    node(ctx, node) {
      forEachLiveProperty(node, (prop) => {
        for (const m of prop.value.markers) {
          if (m.kind !== 'ref-phandle') continue;
          const ref = m.ref ?? '';
          const target = ctx.nodeByRef(ref);
          if (!target) {
            if (!ctx.plugin) ctx.fail(node, `Reference to non-existent node or label "${ref}"`);
            else writeCell(ctx, prop, m.offset, 0xffffffff);
            continue;
          }
          writeCell(ctx, prop, m.offset, ctx.phandleOf(target));
          target.referenced = true;
        }
      });
    },
  },
  {
    name: 'path_references',
    level: 'error',
    prereqs: ['duplicate_node_names'],
    fixup: true,
    description: 'Every `&label` / `&{/path}` used as a string names an existing node; its full path is inserted.',
    rationale: 'A path reference to a missing node cannot be turned into a path string.',
    node(ctx, node) {
      forEachLiveProperty(node, (prop) => {
        for (let i = 0; i < prop.value.markers.length; i++) {
          const m = prop.value.markers[i]!;
          if (m.kind !== 'ref-path') continue;
          const ref = m.ref ?? '';
          const target = ctx.nodeByRef(ref);
          if (!target) {
            ctx.fail(node, `Reference to non-existent node or label "${ref}"`);
            continue;
          }
          if (!insertedPaths.has(m)) {
            prop.value = insertAtMarker(prop.value, i, encoder.encode(`${ctx.pathOf(target)}\0`));
            insertedPaths.add(m);
          }
          target.referenced = true;
        }
      });
    },
  },
  {
    name: 'omit_unused_nodes',
    silent: true,
    level: 'error',
    prereqs: ['phandle_references', 'path_references'],
    fixup: true,
    deletesNodes: true,
    description: 'Deletes `/omit-if-no-ref/` nodes that no reference points at (kept under `-@` when labelled).',
    rationale: 'Lets shared .dtsi files describe optional nodes that only appear in boards that use them.',
    node(ctx, node) {
      if (ctx.symbols && node.labels.length > 0) return;
      if (node.omitIfNoRef && !node.referenced) ctx.deleteNode(node);
    },
  },
]);
