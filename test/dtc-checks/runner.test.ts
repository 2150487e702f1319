import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { checkTable, parseCheckFlag, runChecks, type CheckLevels } from '../../src/dtc-checks/index.js';
import { node, prop, raw, ref, root, tree, u32 } from './trees.js';

const lines = (t: ReturnType<typeof tree>, levels?: CheckLevels, force?: boolean) =>
  runChecks(t, { levels, force }).diagnostics.map((d) => `${d.rule} ${d.path ?? ''}${d.property ? `:${d.property}` : ''} ${d.message}`);

describe('check table', () => {
  it('has every check of dtc 1.7.2 in table order', () => {
    expect(checkTable).toHaveLength(89);
    expect(checkTable[0]!.meta.name).toBe('duplicate_node_names');
    expect(checkTable.at(-1)!.meta.name).toBe('always_fail');
    const levels = Object.fromEntries(checkTable.map((c) => [c.meta.name, c.meta.level]));
    expect(levels.unique_unit_address_if_enabled).toBe('off');
    expect(levels.deprecated_gpio_property).toBe('off');
    expect(levels.duplicate_label).toBe('error');
    expect(levels.unit_address_vs_reg).toBe('warning');
  });
});

describe('prerequisites', () => {
  it('reports a failed prerequisite without a position and skips the dependent', () => {
    const t = tree(root([node('a', [prop('#address-cells', raw(1, 2))])]));
    const out = lines(t);
    expect(out).toContain("dtc/address_cells_is_cell /a:#address-cells property is not a single cell");
    expect(out).toContain("dtc/addr_size_cells  Failed prerequisite 'address_cells_is_cell'");
    expect(out).toContain("dtc/reg_format  Failed prerequisite 'addr_size_cells'");
    // unit_address_format names pci_bridge and simple_bus_bridge, each failing through addr_size_cells
    expect(out.filter((l) => l.startsWith('dtc/unit_address_format'))).toEqual([
      "dtc/unit_address_format  Failed prerequisite 'pci_bridge'",
      "dtc/unit_address_format  Failed prerequisite 'simple_bus_bridge'",
    ]);
  });

  it('runs a disabled prerequisite silently', () => {
    const t = tree(root([node('a', [prop('#address-cells', raw(1, 2))])]));
    const levels = parseCheckFlag('no-address_cells_is_cell', false, {});
    // lowering a check lowers its dependents: addr_size_cells and everything after it
    expect(levels.addr_size_cells).toBe('off');
    expect(levels.reg_format).toBe('off');
    parseCheckFlag('reg_format', false, levels); // raising raises prerequisites again
    expect(levels.addr_size_cells).toBe('warning');
    expect(levels.address_cells_is_cell).toBe('warning');
  });

  it('stops evaluating checks after the first error-level failure (dtc short-circuit)', () => {
    const t = tree(root([node('a', [prop('x', u32(ref('nowhere')))]), node('b@1', [])]));
    const out = lines(t);
    // b@1 has no reg, but unit_address_vs_reg never runs: phandle_references failed first
    expect(out).toEqual(['dtc/phandle_references /a Reference to non-existent node or label "nowhere"']);
    const result = runChecks(tree(root([node('a', [prop('x', u32(ref('nowhere')))])])));
    expect(result.failed).toBe(true);
    expect(result.aborted).toBe(true);
    expect(result.summary).toBe('ERROR: Input tree has errors, aborting (use -f to force output)');
    const forced = runChecks(tree(root([node('a', [prop('x', u32(ref('nowhere')))])])), { force: true });
    expect(forced.aborted).toBe(false);
    expect(forced.summary).toBe('Warning: Input tree has errors, output forced');
  });
});

describe('-W / -E', () => {
  it('rejects unknown names like dtc', () => {
    expect(() => parseCheckFlag('no-bogus', false, {})).toThrow(DiagnosticError);
    expect(() => parseCheckFlag('bogus', true, {})).toThrow('Unrecognized check name "bogus"');
  });

  it('keeps the warn and error switches apart', () => {
    const levels: CheckLevels = {};
    parseCheckFlag('unit_address_vs_reg', true, levels);
    expect(levels.unit_address_vs_reg).toBe('warning+error');
    parseCheckFlag('no-unit_address_vs_reg', true, levels);
    expect(levels.unit_address_vs_reg).toBe('warning');
    parseCheckFlag('no_unit_address_vs_reg', false, levels);
    expect(levels.unit_address_vs_reg).toBe('off');
    // -Eno-… on an error check turns it off
    parseCheckFlag('no-duplicate_label', true, levels);
    expect(levels.duplicate_label).toBe('off');
  });

  it('reports an -E check as an error and fails the tree', () => {
    const t = tree(root([node('a@1', [])]));
    const levels = parseCheckFlag('unit_address_vs_reg', true, {});
    const result = runChecks(t, { levels });
    expect(result.diagnostics.map((d) => [d.rule, d.severity])).toEqual([['dtc/unit_address_vs_reg', 'error']]);
    expect(result.failed).toBe(true);
    expect(result.errors).toBe(1);
  });

  it('always_fail reports every node when enabled', () => {
    const t = tree(root([node('a', [node('b')])]));
    const levels = parseCheckFlag('always_fail', false, {});
    expect(lines(t, levels).filter((l) => l.startsWith('dtc/always_fail'))).toEqual([
      'dtc/always_fail / always_fail check',
      'dtc/always_fail /a always_fail check',
      'dtc/always_fail /a/b always_fail check',
    ]);
  });
});
