/** Interrupt providers, `interrupts` with its `interrupt-parent` chain, and `interrupt-map`. */
import type { Node, Property } from '../../tree/model.js';
import { defineFamily } from '../define.js';
import { cellAt, getProp, isValidPhandle } from '../values.js';
import { cellBytes, isMultipleOf } from './addressing.js';

function isInterruptProvider(node: Node): boolean {
  return getProp(node, 'interrupt-controller') !== undefined || getProp(node, 'interrupt-map') !== undefined;
}

export const interruptChecks = defineFamily('interrupts', [
  {
    name: 'interrupts_property',
    mayAbort: true,
    needsBase: true,
    // dtc passes phandle_references as this check's data, not as a prerequisite
    level: 'warning',
    onlyWith: ['interrupts'],
    description:
      '`interrupts` has an interrupt parent (nearest `interrupt-parent` or provider ancestor) that is a provider, and a length that is a multiple of its `#interrupt-cells`.',
    rationale: 'Interrupt specifiers are only meaningful against their parent\'s `#interrupt-cells`.',
    node(ctx, node) {
      const irqProp = getProp(node, 'interrupts');
      if (!irqProp) return;
      const len = irqProp.value.bytes.length;
      if (len % 4 !== 0) ctx.failProp(node, irqProp, `size (${len}) is invalid, expected multiple of 4`);

      let irqNode: Node | undefined;
      let parentProp: Property | undefined;
      for (let parent: Node | undefined = node; parent && !parentProp; parent = parent.parent) {
        if (parent !== node && isInterruptProvider(parent)) {
          irqNode = parent;
          break;
        }
        parentProp = getProp(parent, 'interrupt-parent');
        if (!parentProp) continue;
        const phandle = ctx.cell(parent, parentProp);
        if (!isValidPhandle(phandle)) {
          if (ctx.plugin) return; // an external reference in an overlay
          ctx.failProp(parent, parentProp, 'Invalid phandle');
          break;
        }
        irqNode = ctx.nodeByPhandle(phandle);
        if (!irqNode) {
          ctx.failProp(parent, parentProp, 'Bad phandle');
          return;
        }
        if (!isInterruptProvider(irqNode)) ctx.fail(irqNode, 'Missing interrupt-controller or interrupt-map property');
        break;
      }
      if (!irqNode) {
        ctx.fail(node, 'Missing interrupt-parent');
        return;
      }
      const cellsProp = getProp(irqNode, '#interrupt-cells');
      if (!cellsProp) return; // interrupt_provider reports that
      const irqCells = ctx.cell(irqNode, cellsProp);
      const entry = cellBytes(irqCells);
      if (!isMultipleOf(len, entry)) {
        // dtc names the provider's #interrupt-cells on this node's path
        ctx.failProp(node, cellsProp, `size is (${len}), expected multiple of ${entry}`);
      }
    },
  },
  {
    name: 'interrupt_provider',
    needsBase: true,
    level: 'warning',
    onlyWith: ['interrupt-controller', 'interrupt-map', '#interrupt-cells'],
    prereqs: ['interrupts_extended_is_cell'],
    description: 'Interrupt providers (`interrupt-controller` or `interrupt-map`) have `#interrupt-cells`, and only they do.',
    rationale: 'Consumers size their specifiers by `#interrupt-cells`; on a non-provider it is a sign of a missing `interrupt-controller`.',
    node(ctx, node) {
      const provider = isInterruptProvider(node);
      const cells = getProp(node, '#interrupt-cells');
      if (provider && !cells) {
        ctx.fail(node, "Missing '#interrupt-cells' in interrupt provider");
        return;
      }
      if (!provider && cells) ctx.fail(node, "'#interrupt-cells' found, but node is not an interrupt provider");
    },
  },
  {
    name: 'interrupt_map',
    mayAbort: true,
    needsBase: true,
    level: 'warning',
    prereqs: ['phandle_references', 'addr_size_cells', 'interrupt_provider'],
    onlyWith: ['interrupt-map'],
    description:
      '`interrupt-map` entries are (child unit address, child specifier, parent phandle, parent unit address, parent specifier) sized by the cells of this node and of each parent; `interrupt-map-mask` matches the child part.',
    rationale: 'One mis-sized entry shifts every following one, routing interrupts to the wrong controller or line.',
    node(ctx, node) {
      const map = getProp(node, 'interrupt-map');
      if (!map) return;
      if (ctx.rawAddressCells(node) < 0) {
        ctx.fail(node, "Missing '#address-cells' in interrupt-map provider");
        return;
      }
      const ownCells = getProp(node, '#interrupt-cells');
      const childCells = ctx.addressCellsOf(node) + (ownCells ? ctx.cell(node, ownCells) : 0);
      const mask = getProp(node, 'interrupt-map-mask');
      if (mask && mask.value.bytes.length !== childCells * 4) {
        ctx.failProp(node, mask, `property size (${mask.value.bytes.length}) is invalid, expected ${childCells * 4}`);
      }
      const len = map.value.bytes.length;
      if (len % 4 !== 0) {
        ctx.failProp(node, map, `property size (${len}) is invalid, expected multiple of 4`);
        return;
      }
      const mapCells = len / 4;
      for (let cell = 0; cell < mapCells; ) {
        if (cell + childCells >= mapCells) {
          ctx.failProp(node, map, `property size (${len}) too small, expected > ${(cell + childCells) * 4}`);
          break;
        }
        cell += childCells;
        const phandle = cellAt(map.value, cell);
        if (!isValidPhandle(phandle)) {
          if (!ctx.plugin) ctx.failProp(node, map, `Cell ${cell} is not a phandle(${phandle | 0})`);
          break;
        }
        const provider = ctx.nodeByPhandle(phandle);
        if (!provider) {
          ctx.failProp(node, map, `Could not get phandle(${phandle | 0}) node for (cell ${cell})`);
          break;
        }
        const cellsProp = getProp(provider, '#interrupt-cells');
        if (!cellsProp) {
          ctx.fail(
            node,
            `Missing property '#interrupt-cells' in node ${ctx.pathOf(provider)} or bad phandle (referred from interrupt-map[${cell}])`,
          );
          break;
        }
        let parentCells = ctx.cell(provider, cellsProp);
        const addrProp = getProp(provider, '#address-cells');
        if (addrProp) parentCells += ctx.cell(provider, addrProp);
        cell += 1 + parentCells;
        if (cell > mapCells) ctx.failProp(node, map, `property size (${len}) mismatch, expected ${cell * 4}`);
      }
    },
  },
]);
