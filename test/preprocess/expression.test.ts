import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { preprocess } from '../../src/preprocess/index.js';
import { hasCpp, runCpp } from './helpers.js';

/** [expression, expected truth]. Values follow GNU cpp (intmax_t/uintmax_t, 64-bit). */
const CASES: ReadonlyArray<readonly [string, boolean]> = [
  ['1 + 2 * 3 == 7', true],
  ['(1 + 2) * 3 == 9', true],
  ['-7 / 2 == -3 && -7 % 2 == -1', true],
  ['-1 < 0', true],
  ['-1 < 0u', false],
  ['0u - 1 == 18446744073709551615', true],
  ['9223372036854775807 + 1 < 0', true],
  ['0xffffffffffffffff == -1', true],
  ['0xffffffffffffffff > 0', true],
  ['1 << 63 < 0', true],
  ['(1u << 63) >> 63 == 1', true],
  ['-1 >> 1 == -1', true],
  ['1 << 64 == 0', true],
  ['~0u == 18446744073709551615u', true],
  ["'a' == 97 && 'ab' == 24930 && '\\0' == 0 && '\\x7f' == 127 && '\\101' == 65", true],
  ["'\\xff' == -1", true],
  ['1 ? 2 : 3', true],
  ['0 ? 1 : 0', false],
  ['(0 ? 1u : -1) > 0', true],
  ['0 ? 1u : -1 > 0', false],
  ['1 || 1 / 0', true],
  ['0 && 1 / 0', false],
  ['1 ? 1 : 1 / 0', true],
  ['defined X && !defined(Y)', true],
  ['UNDEFINED_NAME == 0', true],
  ['X_VALUE == 5 && X_FN(3) == 9', true],
  ['(2, 0)', false],
  ['!!7 == 1 && -(-1) == 1 && +3 == 3', true],
  ['5 & 3 == 1', false],
  ['(5 & 3) == 1 && (5 | 3) == 7 && (5 ^ 3) == 6', true],
  ['07 == 7 && 010 == 8 && 0b11 == 3 && 0X1f == 31', true],
  ['10ULL == 10 && 10lu == 10 && 3LL == 3u', true],
  ['1 <= 1 && 1 >= 1 && 2 > 1 && 1 != 2', true],
];

function source(): string {
  let text = '#define X\n#define X_VALUE 5\n#define X_FN(a) ((a) * (a))\n';
  CASES.forEach(([expr], i) => {
    text += `#if ${expr}\ncase${i}=1\n#else\ncase${i}=0\n#endif\n`;
  });
  return text;
}

describe('#if expressions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-expr-'));
  const file = path.join(dir, 'expressions.dts');
  writeFileSync(file, source());
  const ours = preprocess(file, { includeDirs: [] }).text;

  it.each(CASES.map(([expr, value], i) => [expr, value, i] as const))('%s → %s', (_expr, value, i) => {
    expect(ours).toContain(`case${i}=${value ? 1 : 0}\n`);
  });

  it.skipIf(!hasCpp)('agrees with GNU cpp on every case', async () => {
    expect(ours).toBe(await runCpp(file, [], dir));
  });

  const errors: ReadonlyArray<readonly [string, string]> = [
    ['1 / 0', 'division by zero in #if'],
    ['1 % (2 - 2)', 'division by zero in #if'],
    ['', '#if with no expression'],
    ['(1', "missing ')' in expression"],
    ['1)', "missing '(' in expression"],
    ['1 2', 'missing binary operator before token "2"'],
    ['"s"', 'token ""s"" is not valid in preprocessor expressions'],
    ['1.0', 'floating constant in preprocessor expression'],
    ['defined', 'operator "defined" requires an identifier'],
    ['1 ? 2', "'?' without following ':'"],
    ['09', 'invalid digit "9" in octal constant'],
    ['1 = 1', 'token "=" is not valid in preprocessor expressions'],
  ];
  it.each(errors)('#if %s fails: %s', (expr, message) => {
    const f = path.join(dir, 'bad.dts');
    writeFileSync(f, `\n#if ${expr}\n#endif\n`);
    try {
      preprocess(f, { includeDirs: [] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      expect((e as DiagnosticError).diagnostic).toMatchObject({ rule: 'cpp/if', message, span: { file: f, line: 2 } });
    }
  });
});
