import { describe, expect, it } from 'vitest';
import { dedupeDiagnostics, relativeToCwd, sortDiagnostics } from '../../src/report/order.js';
import type { Diagnostic } from '../../src/diagnostics.js';

const at = (file: string, line: number, column = 1) => ({ file, line, column });

describe('de-duplication and order', () => {
  it('keeps one of identical findings from two stages, at the higher severity', () => {
    const d: Diagnostic = { rule: 'dtc/reg_format', severity: 'warning', message: 'm', path: '/a', span: at('a.dts', 3) };
    const out = dedupeDiagnostics([d, { ...d }, { ...d, severity: 'error' }, { ...d, path: '/b' }]);
    expect(out).toHaveLength(2);
    expect(out[0].severity).toBe('error');
  });

  it('sorts by file, line, column; findings without a position last', () => {
    const list: Diagnostic[] = [
      { rule: 'x/a', severity: 'error', message: 'no span' },
      { rule: 'x/b', severity: 'warning', message: '', span: at('b.dts', 1) },
      { rule: 'x/c', severity: 'warning', message: '', span: at('a.dts', 10, 5) },
      { rule: 'x/d', severity: 'warning', message: '', span: at('a.dts', 10, 2) },
      { rule: 'x/e', severity: 'warning', message: '', span: at('a.dts', 2) },
    ];
    expect(sortDiagnostics(list).map((d) => d.rule)).toEqual(['x/e', 'x/d', 'x/c', 'x/b', 'x/a']);
  });

  it('makes paths inside the working folder relative', () => {
    const out = relativeToCwd([{ rule: 'x/a', severity: 'error', message: '', span: at('/w/p/a.dts', 1), related: [{ message: 'r', span: at('/elsewhere/b.dts', 2) }] }], '/w');
    expect(out[0].span?.file).toBe('p/a.dts');
    expect(out[0].related?.[0].span.file).toBe('/elsewhere/b.dts');
  });
});
