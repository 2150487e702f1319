import { describe, expect, it } from 'vitest';
import { formatDtcDiagnostic, runChecks } from '../../src/dtc-checks/index.js';
import { at, node, prop, ref, root, tree, u32 } from './trees.js';

describe('formatDtcDiagnostic', () => {
  it('prints property findings with a one-line span', () => {
    const t = tree(root([node('a', [prop('device_type', u32(1), { span: at(4, 2, 29) })], { span: at(3, 4, 5, 6) })]));
    const [d] = runChecks(t).diagnostics;
    expect(formatDtcDiagnostic(d!)).toBe(
      't.dts:4.2-29: Warning (device_type_is_string): /a:device_type: property is not a string\n',
    );
  });

  it('prints node findings with a multi-line span and the other definitions', () => {
    const n = node('n@1', [], { span: at(6, 7, 4, 8), spans: [at(12, 10, 4, 13)] });
    const [d] = runChecks(tree(root([n]))).diagnostics;
    expect(formatDtcDiagnostic(d!)).toBe(
      't.dts:6.7-8.4: Warning (unit_address_vs_reg): /n@1: node has a unit name, but no reg or ranges property\n' +
        '  also defined at t.dts:12.10-13.4\n',
    );
  });

  it('names the output file when there is no position', () => {
    const t = tree(root([node('a', [prop('#address-cells', u32(1, 2))])]));
    const d = runChecks(t).diagnostics.find((x) => x.message.startsWith('Failed prerequisite'))!;
    expect(formatDtcDiagnostic(d)).toBe("<stdout>: Warning (addr_size_cells): Failed prerequisite 'address_cells_is_cell'\n");
    expect(formatDtcDiagnostic(d, { outname: 'out.dtb' })).toBe(
      "out.dtb: Warning (addr_size_cells): Failed prerequisite 'address_cells_is_cell'\n",
    );
  });

  it('keeps dtc\'s extra newline after a missing reference, and ERROR for errors', () => {
    const t = tree(root([node('a', [prop('x', u32(ref('nope')))], { span: at(3, 3, 3, 8) })]));
    const [d] = runChecks(t).diagnostics;
    expect(formatDtcDiagnostic(d!)).toBe(
      't.dts:3.3-8.3: ERROR (phandle_references): /a: Reference to non-existent node or label "nope"\n\n',
    );
  });

  it('prints a zero-width position as line.column', () => {
    const t = tree(root([node('a@1', [], { span: { file: 'x.dts', line: 2, column: 5 } })]));
    const [d] = runChecks(t).diagnostics;
    expect(formatDtcDiagnostic(d!).startsWith('x.dts:2.5: Warning')).toBe(true);
  });
});
