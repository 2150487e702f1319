/**
 * The check table: every check of dtc 1.7.2, in dtc's `check_table` order (the order checks run
 * in, and so the order findings are reported and phandles are allocated).
 */
import type { CheckDefinition } from './types.js';
import { addressingChecks } from './rules/addressing.js';
import { busChecks } from './rules/buses.js';
import { chosenChecks } from './rules/chosen.js';
import { graphChecks } from './rules/graph.js';
import { interruptChecks } from './rules/interrupts.js';
import { propertyChecks } from './rules/properties.js';
import { PROVIDERS, providerChecksList } from './rules/providers.js';
import { referenceChecks } from './rules/references.js';
import { structureChecks } from './rules/structure.js';

const TABLE_ORDER: readonly string[] = [
  'duplicate_node_names', 'duplicate_property_names',
  'node_name_chars', 'node_name_format', 'property_name_chars',
  'name_is_string', 'name_properties', 'node_name_vs_property_name',
  'duplicate_label',
  'explicit_phandles',
  'phandle_references', 'path_references',
  'omit_unused_nodes',
  'address_cells_is_cell', 'size_cells_is_cell',
  'device_type_is_string', 'model_is_string', 'status_is_string', 'label_is_string',
  'compatible_is_string_list', 'names_is_string_list',
  'property_name_chars_strict',
  'node_name_chars_strict',
  'addr_size_cells', 'reg_format', 'ranges_format', 'dma_ranges_format',
  'unit_address_vs_reg',
  'unit_address_format',
  'pci_bridge', 'pci_device_reg', 'pci_device_bus_num',
  'simple_bus_bridge', 'simple_bus_reg',
  'i2c_bus_bridge', 'i2c_bus_reg',
  'spi_bus_bridge', 'spi_bus_reg',
  'avoid_default_addr_size', 'avoid_unnecessary_addr_size',
  'unique_unit_address', 'unique_unit_address_if_enabled',
  'obsolete_chosen_interrupt_controller',
  'chosen_node_is_root', 'chosen_node_bootargs', 'chosen_node_stdout_path',
  ...PROVIDERS.flatMap((p) => [`${p.stem}_property`, `${p.stem}_is_cell`]),
  'deprecated_gpio_property', 'gpios_property',
  'interrupts_property', 'interrupt_provider', 'interrupt_map',
  'alias_paths',
  'graph_nodes', 'graph_child_address', 'graph_port', 'graph_endpoint',
  'always_fail',
];

const allDefinitions: CheckDefinition[] = [
  ...structureChecks,
  ...referenceChecks,
  ...propertyChecks,
  ...addressingChecks,
  ...busChecks,
  ...chosenChecks,
  ...providerChecksList,
  ...interruptChecks,
  ...graphChecks,
];

export const checkByName: ReadonlyMap<string, CheckDefinition> = new Map(
  allDefinitions.map((d) => [d.meta.name, d]),
);

export const checkTable: readonly CheckDefinition[] = TABLE_ORDER.map((name) => {
  const def = checkByName.get(name);
  if (!def) throw new Error(`check table names unknown check ${name}`);
  return def;
});

if (checkTable.length !== allDefinitions.length) throw new Error('a check is defined but missing from the table');
for (const def of checkTable) {
  for (const p of def.meta.prereqs) {
    if (!checkByName.has(p)) throw new Error(`check ${def.meta.name} has unknown prerequisite ${p}`);
  }
}
