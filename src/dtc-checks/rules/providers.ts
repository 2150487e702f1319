/**
 * Phandle-plus-arguments properties (`clocks = <&cc 12>, <&cc 13>`): each entry starts with a
 * phandle, and the provider's `#…-cells` says how many argument cells follow.
 */
import type { Node, Property } from '../../tree/model.js';
import type { CheckContext } from '../context.js';
import { cellCheck, defineFamily, type CheckSpec } from '../define.js';
import { cellAt, endsWith, getProp, isValidPhandle } from '../values.js';

interface Provider {
  /** Check name stem: `clocks` gives `clocks_property` and `clocks_is_cell`. */
  stem: string;
  propName: string;
  cellsName: string;
  /** The provider may omit the cells property (then 0 arguments). */
  optional?: boolean;
}

/** dtc's provider table, in check_table order. */
export const PROVIDERS: readonly Provider[] = [
  { stem: 'clocks', propName: 'clocks', cellsName: '#clock-cells' },
  { stem: 'cooling_device', propName: 'cooling-device', cellsName: '#cooling-cells' },
  { stem: 'dmas', propName: 'dmas', cellsName: '#dma-cells' },
  { stem: 'hwlocks', propName: 'hwlocks', cellsName: '#hwlock-cells' },
  { stem: 'interrupts_extended', propName: 'interrupts-extended', cellsName: '#interrupt-cells' },
  { stem: 'io_channels', propName: 'io-channels', cellsName: '#io-channel-cells' },
  { stem: 'iommus', propName: 'iommus', cellsName: '#iommu-cells' },
  { stem: 'mboxes', propName: 'mboxes', cellsName: '#mbox-cells' },
  { stem: 'msi_parent', propName: 'msi-parent', cellsName: '#msi-cells', optional: true },
  { stem: 'mux_controls', propName: 'mux-controls', cellsName: '#mux-control-cells' },
  { stem: 'phys', propName: 'phys', cellsName: '#phy-cells' },
  { stem: 'power_domains', propName: 'power-domains', cellsName: '#power-domain-cells' },
  { stem: 'pwms', propName: 'pwms', cellsName: '#pwm-cells' },
  { stem: 'resets', propName: 'resets', cellsName: '#reset-cells' },
  { stem: 'sound_dai', propName: 'sound-dai', cellsName: '#sound-dai-cells' },
  { stem: 'thermal_sensors', propName: 'thermal-sensors', cellsName: '#thermal-sensor-cells' },
];

/** Walk the (phandle, args…) entries of `prop`, reporting the first thing that does not fit. */
export function checkPhandleArgs(
  ctx: CheckContext,
  node: Node,
  prop: Property,
  cellsName: string,
  optional: boolean,
): void {
  const len = prop.value.bytes.length;
  if (len % 4 !== 0) {
    ctx.failProp(node, prop, `property size (${len}) is invalid, expected multiple of 4`);
    return;
  }
  const cells = len / 4;
  let cellSize = 0;
  for (let cell = 0; cell < cells; ) {
    const phandle = cellAt(prop.value, cell);
    if (!isValidPhandle(phandle)) {
      // 0 / -1 skip optional entries; in an overlay they are unresolved external references
      if (ctx.plugin) break;
      cellSize = 0;
      cell += 1;
      continue;
    }
    if (prop.value.markers.length > 0) {
      const isRef = prop.value.markers.some((m) => m.kind === 'ref-phandle' && m.offset === cell * 4);
      if (!isRef) ctx.failProp(node, prop, `cell ${cell} is not a phandle reference`);
    }
    const provider = ctx.nodeByPhandle(phandle);
    if (!provider) {
      ctx.failProp(node, prop, `Could not get phandle node for (cell ${cell})`);
      break;
    }
    const cellsProp = getProp(provider, cellsName);
    if (cellsProp) {
      cellSize = ctx.cell(provider, cellsProp);
    } else if (optional) {
      cellSize = 0;
    } else {
      ctx.fail(
        node,
        `Missing property '${cellsName}' in node ${ctx.pathOf(provider)} or bad phandle (referred from ${prop.name}[${cell}])`,
      );
      break;
    }
    // dtc computes this in 32-bit unsigned arithmetic
    const expected = Math.imul((cell + cellSize + 1) >>> 0, 4) >>> 0;
    if (expected <= cell || len < expected) {
      ctx.failProp(node, prop, `property size (${len}) too small for cell size ${cellSize}`);
      break;
    }
    const next = (cell + cellSize + 1) >>> 0;
    if (next <= cell) break; // dtc would loop forever here
    cell = next;
  }
}

function providerChecks(p: Provider): CheckSpec[] {
  const isCell = `${p.stem}_is_cell`;
  return [
    {
      name: `${p.stem}_property`,
      level: 'warning',
      prereqs: [isCell, 'phandle_references'],
      onlyWith: [p.propName],
      needsBase: true,
      description: `Each entry of \`${p.propName}\` is a phandle to a node with \`${p.cellsName}\`${p.optional ? ' (0 when absent)' : ''}, followed by that many cells.`,
      rationale: `A \`${p.propName}\` entry that does not match its provider's \`${p.cellsName}\` shifts every later entry, so the consumer gets the wrong resource.`,
      node(ctx, node) {
        const prop = getProp(node, p.propName);
        if (prop) checkPhandleArgs(ctx, node, prop, p.cellsName, p.optional ?? false);
      },
    },
    cellCheck(isCell, p.cellsName, `\`${p.propName}\` entries are sized by \`${p.cellsName}\`, which must be one cell.`),
  ];
}

/** `*-gpios`, `gpios`, `*-gpio`, `gpio`, but not `*,nr-gpios`. */
export function isGpioProperty(name: string): boolean {
  if (endsWith(name, ',nr-gpios')) return false;
  return endsWith(name, '-gpios') || name === 'gpios' || endsWith(name, '-gpio') || name === 'gpio';
}

export const providerChecksList = defineFamily('providers', [
  ...PROVIDERS.flatMap(providerChecks),
  {
    name: 'deprecated_gpio_property',
    level: 'off',
    description: 'No property named `gpio` or `*-gpio`.',
    rationale: 'The GPIO binding deprecated the singular names in favour of `gpios` / `*-gpios`.',
    node(ctx, node) {
      for (const prop of node.properties) {
        if (!prop.deleted && isGpioProperty(prop.name) && endsWith(prop.name, 'gpio')) {
          ctx.failProp(node, prop, "'[*-]gpio' is deprecated, use '[*-]gpios' instead");
        }
      }
    },
  },
  {
    name: 'gpios_property',
    needsBase: true,
    level: 'warning',
    prereqs: ['phandle_references'],
    description: 'Each entry of a `*-gpios` property is a phandle to a node with `#gpio-cells`, followed by that many cells (GPIO hogs excepted).',
    rationale: 'A GPIO specifier of the wrong length makes the consumer drive the wrong line.',
    node(ctx, node) {
      if (getProp(node, 'gpio-hog')) return;
      for (const prop of node.properties) {
        if (!prop.deleted && isGpioProperty(prop.name)) checkPhandleArgs(ctx, node, prop, '#gpio-cells', false);
      }
    },
  },
]);
