/**
 * Checks on a base with an overlay applied: a finding caused by a value the overlay set names the
 * overlay's line as well as the node's own definition.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDtcDiagnostic, runChecks } from '../../src/dtc-checks/index.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { loadTree } from '../../src/overlay/inputs.js';
import { repoRoot } from '../support/shared.js';

const dir = path.join(repoRoot, 'fixtures/checks/merged');
const options = { cpp: false, includeDirs: [], defines: [] };

describe('checks on a merged tree', () => {
  it('points at the overlay line that set the value', async () => {
    const base = await loadTree(path.join(dir, 'base.dts'), options);
    const overlay = await loadTree(path.join(dir, 'overlay.dtso'), options);
    expect(runChecks(base.tree).diagnostics).toEqual([]);
    const merged = applyOverlays(base.tree, [{ tree: overlay.tree, name: 'overlay.dtso' }]);
    const [finding, ...rest] = runChecks(merged.tree).diagnostics;
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'dtc/simple_bus_reg',
      path: '/soc/serial@1000',
      message: 'simple-bus unit address format error, expected "2000"',
      span: { file: path.join(dir, 'base.dts'), line: 12 },
    });
    expect(finding!.related).toEqual([
      { message: "'reg' set here", span: expect.objectContaining({ file: path.join(dir, 'overlay.dtso'), line: 6 }) },
    ]);
    // dtc's own format is unchanged by the extra information
    expect(formatDtcDiagnostic(finding!)).toMatch(/base\.dts:12\.23-14\.5: Warning \(simple_bus_reg\): \/soc\/serial@1000: .*\n$/);
  });
});
