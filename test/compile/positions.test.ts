/**
 * Errors point at the exact source (`compile --diagnostics=gcc`): `file:line:col`, a caret excerpt,
 * and through `--cpp` the original column inside a macro argument (not the column in the
 * preprocessed text).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';
import { compileWith } from './support.js';

const dir = path.join(repoRoot, 'fixtures/dts');

describe('error positions', () => {
  it('gives file:line:col and a caret under the offending text', async () => {
    const r = await compileWith(['--diagnostics=gcc'], 'bad-division-by-zero.dts', dir);
    expect(r.exitCode).toBe(1);
    expect(r.messages[0]!.split('\n')).toEqual([
      'bad-division-by-zero.dts:4:11: error: Division by zero',
      '    4 | \tprop = <(4 / (2 - 2))>;',
      '      | \t         ^~~~~~~~~~~',
    ]);
  });

  it('points into a macro argument at its column in the original file (--cpp)', async () => {
    const r = await compileWith(['--cpp', '--diagnostics', 'gcc'], 'bad-literal-in-macro-argument.dts', path.join(dir, 'cpp'));
    expect(r.exitCode).toBe(1);
    expect(r.output).toBeUndefined();
    expect(r.messages[0]!.split('\n')).toEqual([
      "bad-literal-in-macro-argument.dts:5:19: error: Bad integer literal '08'",
      '    5 | \tprop = <CELLS(1, 08)>;',
      '      | \t                 ^~',
    ]);
    expect(r.diagnostics[0]!.span).toMatchObject({ file: 'bad-literal-in-macro-argument.dts', line: 5, column: 19 });
  });
});
