/** A report with one finding of each kind, for the formatter tests (sources under fixtures/). */
import type { Report } from '../../src/report/types.js';
import { summarize } from '../../src/report/types.js';
import type { Diagnostic } from '../../src/diagnostics.js';

export const sampleDiagnostics: Diagnostic[] = [
  {
    rule: 'overlay/phandle-args',
    severity: 'error',
    message: 'iommus: 2 cells, but apps_smmu has #iommu-cells = <2>',
    path: '/soc@0/remoteproc@30000000',
    property: 'iommus',
    span: { file: 'fixtures/check/bad-iommus-arity.dtso', line: 6, column: 2, endLine: 6, endColumn: 30 },
    related: [{ message: 'provider defined here', span: { file: 'fixtures/example/lemans-mini.dts', line: 77, column: 3 } }],
  },
  {
    rule: 'dtc/unit_address_vs_reg',
    severity: 'warning',
    message: 'node has a unit name, but no reg or ranges property',
    path: '/soc@0/thing@1',
    span: { file: 'fixtures/example/lemans-mini.dts', line: 9, column: 1 },
  },
  { rule: 'pas/context-bank-budget', severity: 'info', message: 'a note, with "quotes", <tags> & commas: 100%' },
];

export function sampleReport(diagnostics: Diagnostic[] = sampleDiagnostics): Report {
  return {
    tool: { name: 'dtoverlay-check', version: '0.1.0' },
    command: 'check',
    inputs: ['fixtures/example/lemans-mini.dts', 'fixtures/check/bad-iommus-arity.dtso'],
    stages: [
      { name: 'compile', status: 'ran', ms: 12 },
      { name: 'pas', status: 'skipped', note: 'engine not in this build' },
    ],
    diagnostics,
    summary: summarize(diagnostics),
  };
}
