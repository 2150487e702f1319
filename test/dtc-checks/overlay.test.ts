import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/dtc-checks/index.js';
import { parseDts } from '../../src/dts/parser.js';
import { FileSourceHost } from '../../src/dts/source.js';
import { buildTree } from '../../src/tree/build.js';
import { repoRoot } from '../support/shared.js';

function load(file: string) {
  const text = fs.readFileSync(path.join(repoRoot, 'fixtures/checks', file), 'latin1');
  const parsed = parseDts(text, file, { host: new FileSourceHost({}) });
  return buildTree(parsed.source!).tree;
}

const summary = (ds: { rule: string; path?: string; property?: string; message: string }[]) =>
  ds.map((d) => `${d.rule} ${d.path ?? ''}${d.property ? `:${d.property}` : ''}`);

describe('checks on a standalone overlay', () => {
  it('reports what dtc reports by default (compile mode)', () => {
    const result = runChecks(load('standalone-overlay.dtso'));
    expect(summary(result.diagnostics)).toEqual([
      'dtc/property_name_chars /fragment@1/__overlay__/sensor@10:bad@name',
    ]);
    expect(result.failed).toBe(true);
  });

  it('keeps findings outside fragments and intrinsic ones inside', () => {
    const result = runChecks(load('standalone-overlay.dtso'), { standaloneOverlay: true });
    expect(summary(result.diagnostics)).toEqual([
      'dtc/property_name_chars /fragment@1/__overlay__/sensor@10:bad@name',
    ]);
  });

  it('drops base-dependent findings inside fragments with standaloneOverlay', () => {
    const levels = { property_name_chars: 'off' } as const;
    const dtcLike = runChecks(load('standalone-overlay.dtso'), { levels });
    // what dtc 1.7.2 -Eno-property_name_chars prints: all of it is about the unknown base
    expect(summary(dtcLike.diagnostics)).toEqual([
      'dtc/reg_format /fragment@1/__overlay__/sensor@10:reg',
      'dtc/unit_address_vs_reg /fragment@0/__overlay__/ports/port@0',
      'dtc/pci_device_reg ',
      'dtc/pci_device_bus_num ',
      'dtc/simple_bus_reg ',
      'dtc/i2c_bus_reg ',
      'dtc/spi_bus_reg ',
      'dtc/avoid_default_addr_size /fragment@1/__overlay__/sensor@10',
      'dtc/avoid_default_addr_size /fragment@1/__overlay__/sensor@10',
      'dtc/avoid_unnecessary_addr_size ',
      'dtc/unique_unit_address ',
      'dtc/chosen_node_is_root /fragment@2/__overlay__/chosen',
    ]);
    const judged = runChecks(load('standalone-overlay.dtso'), { levels, standaloneOverlay: true });
    expect(judged.diagnostics).toEqual([]);
    expect(judged.suppressed).toBe(12);
  });
});
