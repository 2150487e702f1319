/** `#address-cells` / `#size-cells`, `reg`, `ranges`, `dma-ranges` and unit addresses. */
import type { Node } from '../../tree/model.js';
import type { CheckContext } from '../context.js';
import { defineFamily, type CheckSpec } from '../define.js';
import { cStringEquals, getProp } from '../values.js';

/** dtc's is_multiple_of, on C ints. */
export function isMultipleOf(multiple: number, divisor: number): boolean {
  return divisor === 0 ? multiple === 0 : multiple % divisor === 0;
}

/** `(cells) * sizeof(cell_t)` truncated to a C int, as dtc computes entry lengths. */
export function cellBytes(cells: number): number {
  return Math.imul(cells, 4) | 0;
}

export function unitName(node: Node): string {
  return node.unitAddress ?? '';
}

function isDisabled(node: Node): boolean {
  const status = getProp(node, 'status');
  return status !== undefined && cStringEquals(status.value, 'disabled');
}

function rangesFormat(name: 'ranges_format' | 'dma_ranges_format', propName: string): CheckSpec {
  return {
    name,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    onlyWith: [propName],
    needsBase: true,
    description: `\`${propName}\` is empty only when parent and child address/size cells agree, and otherwise a whole number of (child address, parent address, size) entries; the root has none.`,
    rationale: `A malformed \`${propName}\` makes address translation through this node wrong or impossible.`,
    node(ctx, node) {
      const prop = getProp(node, propName);
      if (!prop) return;
      const parent = node.parent;
      if (!parent) {
        ctx.failProp(node, prop, `Root node has a "${propName}" property`);
        return;
      }
      const pAddr = ctx.addressCellsOf(parent);
      const pSize = ctx.sizeCellsOf(parent);
      const cAddr = ctx.addressCellsOf(node);
      const cSize = ctx.sizeCellsOf(node);
      const len = prop.value.bytes.length;
      if (len === 0) {
        if (pAddr !== cAddr) {
          ctx.failProp(
            node,
            prop,
            `empty "${propName}" property but its #address-cells (${cAddr}) differs from ${ctx.pathOf(parent)} (${pAddr})`,
          );
        }
        if (pSize !== cSize) {
          ctx.failProp(
            node,
            prop,
            `empty "${propName}" property but its #size-cells (${cSize}) differs from ${ctx.pathOf(parent)} (${pSize})`,
          );
        }
      } else if (!isMultipleOf(len, cellBytes(pAddr + cAddr + cSize))) {
        ctx.failProp(
          node,
          prop,
          `"${propName}" property has invalid length (${len} bytes) (parent #address-cells == ${pAddr}, child #address-cells == ${cAddr}, #size-cells == ${cSize})`,
        );
      }
    },
  };
}

function uniqueUnitAddress(ctx: CheckContext, node: Node, skipDisabled: boolean): void {
  if (ctx.rawAddressCells(node) < 0 || ctx.rawSizeCells(node) < 0) return;
  const children: Node[] = [];
  const units: string[] = [];
  const skip: boolean[] = [];
  for (const c of node.children) {
    if (c.deleted) continue;
    children.push(c);
    units.push(unitName(c));
    skip.push(skipDisabled && isDisabled(c));
  }
  for (let i = 0; i < children.length; i++) {
    const addrA = units[i]!;
    if (!addrA || skip[i]) continue;
    // dtc compares each child with every earlier one and reports the earlier
    for (let j = 0; j < i; j++) {
      if (!skip[j] && units[j] === addrA) {
        ctx.fail(children[j], `duplicate unit-address (also used in node ${ctx.pathOf(children[i]!)})`);
      }
    }
  }
}

export const addressingChecks = defineFamily('addressing', [
  {
    name: 'addr_size_cells',
    mayAbort: true,
    silent: true,
    level: 'warning',
    prereqs: ['address_cells_is_cell', 'size_cells_is_cell'],
    description: 'Records each node\'s `#address-cells` / `#size-cells` (defaults 2 and 1) for the checks that follow.',
    rationale: 'Every `reg`, `ranges` and unit-address check needs the parent\'s cell counts.',
    node(ctx, node) {
      const a = getProp(node, '#address-cells');
      const s = getProp(node, '#size-cells');
      // stored as C ints, like dtc's node->addr_cells
      ctx.setCells(node, a ? ctx.cell(node, a) | 0 : -1, s ? ctx.cell(node, s) | 0 : -1);
    },
  },
  {
    name: 'reg_format',
    needsBase: true,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    onlyWith: ['reg'],
    description: '`reg` is not on the root, not empty, and a whole number of (address, size) entries of the parent\'s cell counts.',
    rationale: 'A `reg` that does not divide into entries is read wrongly by every consumer.',
    node(ctx, node) {
      const prop = getProp(node, 'reg');
      if (!prop) return;
      const parent = node.parent;
      if (!parent) {
        ctx.fail(node, 'Root node has a "reg" property');
        return;
      }
      const len = prop.value.bytes.length;
      if (len === 0) ctx.failProp(node, prop, 'property is empty');
      const addr = ctx.addressCellsOf(parent);
      const size = ctx.sizeCellsOf(parent);
      if (!isMultipleOf(len, cellBytes(addr + size))) {
        ctx.failProp(
          node,
          prop,
          `property has invalid length (${len} bytes) (#address-cells == ${addr}, #size-cells == ${size})`,
        );
      }
    },
  },
  rangesFormat('ranges_format', 'ranges'),
  rangesFormat('dma_ranges_format', 'dma-ranges'),
  {
    name: 'unit_address_vs_reg',
    needsBase: true,
    level: 'warning',
    description: 'A node has a unit address exactly when it has `reg` or a non-empty `ranges` (overlay fragments excepted).',
    rationale: 'The unit address is the first address of `reg`; one without the other is almost always a mistake.',
    node(ctx, node) {
      if (node.getChild('__overlay__')) return;
      let prop = getProp(node, 'reg');
      if (!prop) {
        prop = getProp(node, 'ranges');
        if (prop && prop.value.bytes.length === 0) prop = undefined;
      }
      const unit = unitName(node);
      if (prop) {
        if (!unit) ctx.fail(node, 'node has a reg or ranges property, but no unit name', prop);
      } else if (unit) {
        ctx.fail(node, 'node has a unit name, but no reg or ranges property');
      }
    },
  },
  {
    name: 'unit_address_format',
    needsBase: true,
    level: 'warning',
    prereqs: ['node_name_format', 'pci_bridge', 'simple_bus_bridge'],
    description: 'Outside known buses, a unit address has no `0x` prefix and no leading zeros.',
    rationale: 'Unit addresses are lowercase hex without padding, so that the same device always has the same path.',
    node(ctx, node) {
      if (node.parent && ctx.bus.has(node.parent)) return;
      let unit = unitName(node);
      if (!unit) return;
      if (unit.startsWith('0x')) {
        ctx.fail(node, 'unit name should not have leading "0x"');
        unit = unit.slice(2);
      }
      if (unit[0] === '0' && /^[0-9a-fA-F]$/.test(unit[1] ?? '')) ctx.fail(node, 'unit name should not have leading 0s');
    },
  },
  {
    name: 'avoid_default_addr_size',
    needsBase: true,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    onlyWith: ['reg', 'ranges'],
    description: 'A node with `reg` or `ranges` has a parent that states `#address-cells` and `#size-cells`.',
    rationale: 'The defaults (2 and 1) are rarely what was meant and differ between consumers.',
    node(ctx, node) {
      const parent = node.parent;
      if (!parent) return;
      if (!getProp(node, 'reg') && !getProp(node, 'ranges')) return;
      if (ctx.rawAddressCells(parent) === -1) ctx.fail(node, 'Relying on default #address-cells value');
      if (ctx.rawSizeCells(parent) === -1) ctx.fail(node, 'Relying on default #size-cells value');
    },
  },
  {
    name: 'avoid_unnecessary_addr_size',
    needsBase: true,
    level: 'warning',
    onlyWith: ['#address-cells'], // both cell counts must be given
    prereqs: ['avoid_default_addr_size'],
    description: '`#address-cells`/`#size-cells` appear only on nodes with `ranges`, `dma-ranges` or children with `reg`.',
    rationale: 'Cell counts that nothing uses are noise, and usually a sign of a misplaced child.',
    node(ctx, node) {
      if (!node.parent || ctx.rawAddressCells(node) < 0 || ctx.rawSizeCells(node) < 0) return;
      // dtc tests the child list itself, which still holds deleted nodes
      if (getProp(node, 'ranges') || getProp(node, 'dma-ranges') || node.children.length === 0) return;
      if (!node.children.some((c) => !c.deleted && getProp(c, 'reg'))) {
        ctx.fail(
          node,
          'unnecessary #address-cells/#size-cells without "ranges", "dma-ranges" or child "reg" property',
        );
      }
    },
  },
  {
    name: 'unique_unit_address',
    needsBase: true,
    level: 'warning',
    onlyWith: ['#address-cells'], // both cell counts must be given
    prereqs: ['avoid_default_addr_size'],
    description: 'No two children of an addressed node share a unit address.',
    rationale: 'Two devices at one address collide (or one of them is described twice).',
    node: (ctx, node) => uniqueUnitAddress(ctx, node, false),
  },
  {
    name: 'unique_unit_address_if_enabled',
    needsBase: true,
    level: 'off',
    onlyWith: ['#address-cells'], // both cell counts must be given
    prereqs: ['avoid_default_addr_size'],
    description: 'Like unique_unit_address, ignoring children with `status = "disabled"`.',
    rationale: 'Alternative descriptions of one device are often kept side by side with only one enabled.',
    node: (ctx, node) => uniqueUnitAddress(ctx, node, true),
  },
]);
