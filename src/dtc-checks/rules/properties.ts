/** Types of well-known properties: strings, string lists and single cells. */
import { cellCheck, defineFamily, requireStringList, stringCheck, stringListCheck } from '../define.js';
import { endsWith } from '../values.js';

export const propertyChecks = defineFamily('properties', [
  cellCheck(
    'address_cells_is_cell',
    '#address-cells',
    'The number of cells in a child address must be one cell; every `reg`/`ranges` check below depends on it.',
  ),
  cellCheck(
    'size_cells_is_cell',
    '#size-cells',
    'The number of cells in a child size must be one cell; every `reg`/`ranges` check below depends on it.',
  ),
  stringCheck(
    'device_type_is_string',
    'device_type',
    'warning',
    'Consumers compare `device_type` with strings such as "pci", "cpu" or "memory".',
  ),
  stringCheck('model_is_string', 'model', 'warning', '`model` is a human-readable string by definition.'),
  stringCheck(
    'status_is_string',
    'status',
    'warning',
    '`status` must be one of the strings "okay", "disabled", "reserved", "fail"; anything else is not understood.',
  ),
  stringCheck('label_is_string', 'label', 'warning', '`label` is a human-readable string by definition.'),
  stringListCheck(
    'compatible_is_string_list',
    'compatible',
    'Drivers and schemas are matched against `compatible` strings; a malformed list matches nothing.',
  ),
  {
    name: 'names_is_string_list',
    level: 'warning',
    description: 'Every `*-names` property is a list of NUL-terminated strings.',
    rationale: '`clock-names`, `reg-names`, … name the entries of their companion property by string.',
    node(ctx, node) {
      for (const prop of node.properties) {
        if (prop.deleted || !endsWith(prop.name, '-names')) continue;
        requireStringList(ctx, node, prop.name);
      }
    },
  },
]);
