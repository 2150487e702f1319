import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { preprocess } from '../../src/preprocess/index.js';
import { fixtureIncludeDirs, fixtures, repoRoot } from './helpers.js';

const includeDirs = fixtureIncludeDirs.map((d) => path.join(repoRoot, d));

/** Offset of the n-th occurrence (0-based) of `needle` in `text`. */
function offsetOf(text: string, needle: string, n = 0): number {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" #${n} not in output`);
  }
  return at;
}

describe('position map', () => {
  const file = path.join(fixtures, 'macro-arg-position.dts');
  // Line 5: "\tprop = CELL(0x1,   0x2);"  line 6: "\tother = OUTER(0x55);"
  const result = preprocess(file, { includeDirs });
  const { text, map } = result;

  it('maps a token from a macro argument to its original column', () => {
    const pos = map.lookup(offsetOf(text, '0x2'));
    expect(pos).toMatchObject({ file, line: 5, column: 21 });
    expect(map.lookup(offsetOf(text, '0x1'))).toMatchObject({ file, line: 5, column: 14 });
  });

  it('maps characters inside an argument token to their own columns', () => {
    expect(map.lookup(offsetOf(text, '0x2') + 2)).toMatchObject({ line: 5, column: 23 });
  });

  it('maps macro body tokens to the invocation, naming the macro', () => {
    const pos = map.lookup(offsetOf(text, '<0x1'));
    expect(pos).toMatchObject({ file, line: 5, column: 9, macro: 'CELL' });
    expect(pos.via?.[0]).toMatchObject({ kind: 'macro', name: 'CELL', file, line: 5, column: 9 });
  });

  it('keeps argument positions through nested expansions', () => {
    expect(map.lookup(offsetOf(text, '0x55'))).toMatchObject({ file, line: 6, column: 16 });
    // `7` is written in OUTER's body (then passed as CELL's argument): it maps to OUTER's use.
    const seven = map.lookup(offsetOf(text, '7'));
    expect(seven).toMatchObject({ file, line: 6, column: 10, macro: 'OUTER' });
    expect(seven.via).toEqual([{ kind: 'macro', name: 'OUTER', file, line: 6, column: 10 }]);
    // `<` comes from CELL's body; CELL was invoked inside OUTER's body (line 3), innermost first.
    const open = map.lookup(offsetOf(text, '<0x55'));
    expect(open).toMatchObject({ file, line: 6, column: 10, macro: 'OUTER' });
    expect(open.via).toEqual([
      { kind: 'macro', name: 'CELL', file, line: 3, column: 18 },
      { kind: 'macro', name: 'OUTER', file, line: 6, column: 10 },
    ]);
  });

  it('maps plain source tokens exactly, and every offset of the text', () => {
    expect(map.lookup(offsetOf(text, 'prop'))).toMatchObject({ file, line: 5, column: 2 });
    expect(map.lookup(offsetOf(text, 'other') + 3)).toMatchObject({ file, line: 6, column: 5 });
    for (let i = 0; i < text.length; i++) {
      const p = map.lookup(i);
      expect(p.line).toBeGreaterThan(0);
      expect(p.column).toBeGreaterThan(0);
    }
  });

  it('records the include chain for text from included files', () => {
    const main = path.join(fixtures, 'includes.dts');
    const r = preprocess(main, { includeDirs });
    const pos = r.map.lookup(offsetOf(r.text, 'sibling'));
    expect(pos.file).toBe(path.join(fixtures, 'inc/sibling.dtsi'));
    expect(pos.line).toBe(1);
    expect(pos.via).toEqual([
      { kind: 'include', file: path.join(fixtures, 'inc/board.dtsi'), line: 3, column: 1 },
      { kind: 'include', file: main, line: 4, column: 1 },
    ]);
    // A macro from a header used in the main file maps to the use, with the header in `via`.
    const clk = r.map.lookup(offsetOf(r.text, '(1 + 1)>;\n}'.slice(0, 7), 1));
    expect(clk).toMatchObject({ file: main, line: 12, macro: 'EXAMPLE_CLK_B' });
    expect(clk.via?.[0]).toMatchObject({ kind: 'macro', name: 'EXAMPLE_CLK_B', line: 12 });
  });

  it('honours #line for the presumed file and line', () => {
    const r = preprocess(path.join(fixtures, 'line-directive.dts'), { includeDirs });
    expect(r.map.lookup(offsetOf(r.text, 'c ='))).toMatchObject({ file: 'renamed.dts', line: 101, column: 1 });
  });
});
