/** Bus bridges (PCI, simple-bus, I2C, SPI) and the unit addresses of their children. */
import { defineFamily } from '../define.js';
import { cellAt, cStringEquals, getProp, hasString, hex } from '../values.js';
import { unitName } from './addressing.js';

const I2C_OWN_SLAVE_ADDRESS = 1 << 30;
const I2C_TEN_BIT_ADDRESS = 2 ** 31;
const U64 = (1n << 64n) - 1n;

export const busChecks = defineFamily('buses', [
  {
    name: 'pci_bridge',
    needsBase: true,
    level: 'warning',
    prereqs: ['device_type_is_string', 'addr_size_cells'],
    onlyWith: ['device_type'],
    description:
      'A node with `device_type = "pci"` is named pci/pcie, has `ranges`, 3 address and 2 size cells, and a sane `bus-range`.',
    rationale: 'PCI addressing is fixed by the PCI bus binding; anything else cannot be translated.',
    node(ctx, node) {
      const type = getProp(node, 'device_type');
      if (!type || !cStringEquals(type.value, 'pci')) return;
      ctx.bus.set(node, 'pci');
      if (node.baseName !== 'pci' && node.baseName !== 'pcie') ctx.fail(node, 'node name is not "pci" or "pcie"');
      if (!getProp(node, 'ranges')) ctx.fail(node, 'missing ranges for PCI bridge (or not a bridge)');
      if (ctx.addressCellsOf(node) !== 3) ctx.fail(node, 'incorrect #address-cells for PCI bridge');
      if (ctx.sizeCellsOf(node) !== 2) ctx.fail(node, 'incorrect #size-cells for PCI bridge');
      const busRange = getProp(node, 'bus-range');
      if (!busRange) return;
      if (busRange.value.bytes.length !== 8) {
        ctx.failProp(node, busRange, 'value must be 2 cells');
        return;
      }
      const first = cellAt(busRange.value, 0);
      const last = cellAt(busRange.value, 1);
      if (first > last) ctx.failProp(node, busRange, '1st cell must be less than or equal to 2nd cell');
      if (last > 0xff) ctx.failProp(node, busRange, 'maximum bus number must be less than 256');
    },
  },
  {
    name: 'pci_device_reg',
    needsBase: true,
    level: 'warning',
    prereqs: ['reg_format', 'pci_bridge'],
    onlyWith: ['reg'],
    description: 'A PCI device\'s `reg` is a configuration-space address and its unit address is `dev` or `dev,func`.',
    rationale: 'The unit address of a PCI function is derived from its device and function numbers.',
    node(ctx, node) {
      if (!node.parent || ctx.bus.get(node.parent) !== 'pci') return;
      const reg = getProp(node, 'reg');
      if (!reg) return;
      if (cellAt(reg.value, 1) || cellAt(reg.value, 2)) {
        ctx.failProp(node, reg, 'PCI reg config space address cells 2 and 3 must be 0');
      }
      const hi = cellAt(reg.value, 0);
      const dev = (hi & 0xf800) >>> 11;
      const func = (hi & 0x700) >>> 8;
      if (hi & 0xff000000) ctx.failProp(node, reg, 'PCI reg address is not configuration space');
      if (hi & 0xff) ctx.failProp(node, reg, 'PCI reg config space address register number must be 0');
      const unit = unitName(node);
      if (func === 0 && unit === hex(dev)) return;
      const expected = `${hex(dev)},${hex(func)}`;
      if (unit === expected) return;
      ctx.fail(node, `PCI unit address format error, expected "${expected}"`, reg);
    },
  },
  {
    name: 'pci_device_bus_num',
    needsBase: true,
    level: 'warning',
    prereqs: ['reg_format', 'pci_bridge'],
    onlyWith: ['reg'],
    description: 'The bus number in a PCI device\'s `reg` lies within the bridge\'s `bus-range` (0 when absent).',
    rationale: 'A device on a bus the bridge does not forward to is unreachable.',
    node(ctx, node) {
      const parent = node.parent;
      if (!parent || ctx.bus.get(parent) !== 'pci') return;
      const reg = getProp(node, 'reg');
      if (!reg) return;
      const busNum = (cellAt(reg.value, 0) & 0x00ff0000) >>> 16;
      const busRange = getProp(parent, 'bus-range');
      const min = busRange ? cellAt(busRange.value, 0) : 0;
      const max = busRange ? cellAt(busRange.value, 1) : 0;
      if (busNum < min || busNum > max) {
        // dtc names the bridge's bus-range property here, on the device's path
        ctx.failProp(node, busRange, `PCI bus number ${busNum} out of range, expected (${min | 0} - ${max | 0})`);
      }
    },
  },
  {
    name: 'simple_bus_bridge',
    silent: true,
    level: 'warning',
    prereqs: ['addr_size_cells', 'compatible_is_string_list'],
    onlyWith: ['compatible'],
    description: 'Marks nodes compatible with "simple-bus" so their children\'s unit addresses are checked.',
    rationale: 'Children of a simple-bus are memory-mapped; their unit address must be their `reg` address.',
    node(ctx, node) {
      const compatible = getProp(node, 'compatible');
      if (compatible && hasString(compatible.value, 'simple-bus')) ctx.bus.set(node, 'simple-bus');
    },
  },
  {
    name: 'simple_bus_reg',
    needsBase: true,
    level: 'warning',
    prereqs: ['reg_format', 'simple_bus_bridge'],
    description: 'A child of a simple-bus has `reg` or `ranges`, and its unit address is that address in lowercase hex.',
    rationale: 'The kernel and the schemas identify memory-mapped devices by a unit address equal to their base address.',
    node(ctx, node) {
      const parent = node.parent;
      if (!parent || ctx.bus.get(parent) !== 'simple-bus') return;
      let source = getProp(node, 'reg');
      let value = source?.value;
      let first = 0;
      if (!value) {
        const ranges = getProp(node, 'ranges');
        if (ranges && ranges.value.bytes.length) {
          source = ranges;
          value = ranges.value;
          first = ctx.addressCellsOf(node); // skip the child address
        }
      }
      if (!value || value.bytes.length === 0) {
        if (parent.parent && ctx.bus.get(node) !== 'simple-bus') ctx.fail(node, 'missing or empty reg/ranges property');
        return;
      }
      let reg = 0n;
      for (let i = 0; i < ctx.addressCellsOf(parent); i++) {
        reg = ((reg << 32n) | BigInt(cellAt(value, first + i))) & U64;
      }
      const expected = hex(reg);
      if (unitName(node) !== expected) ctx.fail(node, `simple-bus unit address format error, expected "${expected}"`, source);
    },
  },
  {
    name: 'i2c_bus_bridge',
    needsBase: true,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    description: 'Nodes named i2c, i2c-bus or i2c-arb are I2C buses; with children they have 1 address and 0 size cells.',
    rationale: 'I2C children are addressed by one cell with no size.',
    node(ctx, node) {
      const base = node.baseName;
      // dtc also looks for an `i2c-bus` child of an `i2c` node, but compares with the parent's
      // name length, so that test never matches: every `i2c` node is a bus.
      if (base !== 'i2c-bus' && base !== 'i2c-arb' && base !== 'i2c') return;
      ctx.bus.set(node, 'i2c');
      if (node.children.length === 0) return;
      if (ctx.addressCellsOf(node) !== 1) ctx.fail(node, 'incorrect #address-cells for I2C bus');
      if (ctx.sizeCellsOf(node) !== 0) ctx.fail(node, 'incorrect #size-cells for I2C bus');
    },
  },
  {
    name: 'i2c_bus_reg',
    needsBase: true,
    level: 'warning',
    prereqs: ['reg_format', 'i2c_bus_bridge'],
    description: 'An I2C child has `reg`, its unit address is the address in hex, and each address fits 7 bits (10 with I2C_TEN_BIT_ADDRESS).',
    rationale: 'An address that does not fit the bus cannot be put on the wire.',
    node(ctx, node) {
      if (!node.parent || ctx.bus.get(node.parent) !== 'i2c') return;
      const reg = getProp(node, 'reg');
      if (!reg || reg.value.bytes.length === 0) {
        ctx.fail(node, 'missing or empty reg property');
        return;
      }
      const first = (cellAt(reg.value, 0) & ~I2C_OWN_SLAVE_ADDRESS) >>> 0;
      const expected = hex(first);
      if (unitName(node) !== expected) ctx.fail(node, `I2C bus unit address format error, expected "${expected}"`, reg);
      for (let i = 0, len = reg.value.bytes.length; len > 0; i++, len -= 4) {
        const addr = (cellAt(reg.value, i) & ~I2C_OWN_SLAVE_ADDRESS) >>> 0;
        if (addr >= I2C_TEN_BIT_ADDRESS) {
          if (addr - I2C_TEN_BIT_ADDRESS > 0x3ff) {
            ctx.failProp(node, reg, `I2C address must be less than 10-bits, got "0x${hex(addr)}"`);
          }
        } else if (addr > 0x7f) {
          ctx.failProp(
            node,
            reg,
            `I2C address must be less than 7-bits, got "0x${hex(addr)}". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property`,
          );
        }
      }
    },
  },
  {
    name: 'spi_bus_bridge',
    needsBase: true,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    description:
      'Nodes named spi, or with 1/0 cells and a child using `spi-*` properties, are SPI buses: named spi, with 1 address cell (0 for `spi-slave`) and 0 size cells.',
    rationale: 'SPI children are addressed by chip select, one cell with no size.',
    node(ctx, node) {
      if (node.baseName === 'spi') {
        ctx.bus.set(node, 'spi');
      } else {
        // recognise SPI controllers that are not named spi by their children's properties
        if (ctx.addressCellsOf(node) !== 1 || ctx.sizeCellsOf(node) !== 0) return;
        if (node.children.some((c) => !c.deleted && c.properties.some((p) => !p.deleted && p.name.startsWith('spi-')))) {
          ctx.bus.set(node, 'spi');
        }
        if (ctx.bus.get(node) === 'spi' && getProp(node, 'reg')) {
          ctx.fail(node, "node name for SPI buses should be 'spi'");
        }
      }
      if (ctx.bus.get(node) !== 'spi' || node.children.length === 0) return;
      const addrCells = getProp(node, 'spi-slave') ? 0 : 1;
      if (ctx.addressCellsOf(node) !== addrCells) ctx.fail(node, 'incorrect #address-cells for SPI bus');
      if (ctx.sizeCellsOf(node) !== 0) ctx.fail(node, 'incorrect #size-cells for SPI bus');
    },
  },
  {
    name: 'spi_bus_reg',
    needsBase: true,
    level: 'warning',
    prereqs: ['reg_format', 'spi_bus_bridge'],
    description: 'A child of an SPI controller (not in slave mode) has `reg`, and its unit address is the chip select in hex.',
    rationale: 'The unit address of an SPI device is its chip select.',
    node(ctx, node) {
      const parent = node.parent;
      if (!parent || ctx.bus.get(parent) !== 'spi') return;
      if (getProp(parent, 'spi-slave')) return;
      const reg = getProp(node, 'reg');
      if (!reg || reg.value.bytes.length === 0) {
        ctx.fail(node, 'missing or empty reg property');
        return;
      }
      const expected = hex(cellAt(reg.value, 0));
      if (unitName(node) !== expected) ctx.fail(node, `SPI bus unit address format error, expected "${expected}"`, reg);
    },
  },
]);
