/**
 * dtc's parser gives up ("memory exhausted") when bison's stack reaches 10000 entries: nodes
 * nested 3331 deep, fewer with labels, or ~9989 children of one node. We accept exactly what dtc
 * accepts (same bytes at the limit) and stop at the same token past it — never a crash.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceDtc } from '../support/reference.js';
import { compileWith } from './support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-limits-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const shapes: Record<string, (n: number) => string> = {
  nested: (n) => Array.from({ length: n }, (_, i) => `n${i} {`).join('') + '};'.repeat(n),
  'nested with labels': (n) => Array.from({ length: n }, (_, i) => `l${i}: n${i} {`).join('') + '};'.repeat(n),
  siblings: (n) => Array.from({ length: n }, (_, i) => `n${i} { };`).join(''),
  'nested in an extension': (n) =>
    `${shapes.nested!(n)}};\n&{/} { x: y {${shapes.nested!(n)}};`,
  'nested, with a property innermost': (n) =>
    Array.from({ length: n }, (_, i) => `n${i} {`).join('') + 'p = a: <b: 1 c:> d:, e: "x", [00];' + '};'.repeat(n),
  'nested parentheses': (n) => `p = <${'('.repeat(n)}1${')'.repeat(n)}>;`,
  'chained conditionals': (n) => `p = <(${'1 ? 2 : '.repeat(n)}3)>;`,
  'right-nested binary operators': (n) => `p = <(${'1 + (2 * '.repeat(n)}3${')'.repeat(n)})>;`,
};

const CASES: [string, number][] = [
  ['nested', 3330],
  ['nested', 3331],
  ['nested with labels', 2498],
  ['siblings', 9988],
  ['siblings', 9989],
  ['nested in an extension', 3328],
  ['nested in an extension', 3329],
  ['nested, with a property innermost', 3329],
  ['nested, with a property innermost', 3330],
  ['nested parentheses', 9987],
  ['nested parentheses', 9988],
  ['chained conditionals', 2496],
  ['chained conditionals', 2497],
  ['right-nested binary operators', 3328],
  ['right-nested binary operators', 4000],
];

describe('parser stack limits (as dtc)', () => {
  for (const [shape, n] of CASES) {
    it(`${shape}, ${n}`, async () => {
      const file = `${shape.replace(/ /g, '-')}-${n}.dts`;
      fs.writeFileSync(path.join(dir, file), `/dts-v1/;\n/ {${shapes[shape]!(n)}};\n`);
      const ref = referenceDtc(['-q', '-@', '-o', '-', file], { cwd: dir });
      const ours = await compileWith(['-q', '-@'], file, dir);
      expect(ours.exitCode).toBe(ref.status);
      if (ref.status === 0) expect(Buffer.from(ours.output!).toString('latin1')).toBe(ref.stdout);
      else {
        // "Error: FILE:L.C-C memory exhausted", "FATAL ERROR: Unable to parse input tree"
        expect(ours.stderr).toBe(ref.stderr);
      }
    }, 60_000);
  }
});
