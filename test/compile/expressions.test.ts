/**
 * Integer expressions against dtc on a few hundred seeded random expressions: C precedence and
 * associativity, unsigned 64-bit wrap-around, shifts, comparisons, conditionals, unary operators.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDtc } from '../support/reference.js';
import { compileWith } from './support.js';
import { seededRandom } from '../support/random.js';


const BINARY = ['+', '-', '*', '/', '%', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||'];
const LEAVES = ['0', '1', '2', '3', '7', '31', '32', '63', '64', '0x80000000', '0xffffffff', '0xffffffffffffffff', "'a'", '010'];

function expression(next: () => number, depth: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  if (depth <= 0 || next() < 0.25) return pick(LEAVES);
  const r = next();
  if (r < 0.15) return `${pick(['-', '~', '!'])}${expression(next, depth - 1)}`;
  if (r < 0.25) return `(${expression(next, depth - 1)} ? ${expression(next, depth - 1)} : ${expression(next, depth - 1)})`;
  if (r < 0.4) return `(${expression(next, depth - 1)})`;
  // divisors of 0 would be errors; keep those out of this suite (the fixtures test them)
  let right = expression(next, depth - 1);
  const op = pick(BINARY);
  if (op === '/' || op === '%') right = `(${right} | 1)`;
  return `${expression(next, depth - 1)} ${op} ${right}`;
}

describe('integer expressions vs dtc', () => {
  it('evaluates 400 random expressions exactly as dtc (32- and 64-bit cells)', async () => {
    const next = seededRandom(20261130);
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) lines.push(`\te${i} = <(${expression(next, 4)})>;`);
    for (let i = 0; i < 200; i++) lines.push(`\tw${i} = /bits/ 64 <(${expression(next, 4)})>;`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-expr-'));
    try {
      fs.writeFileSync(path.join(dir, 'expr.dts'), `/dts-v1/;\n\n/ {\n${lines.join('\n')}\n};\n`);
      const ref = referenceDtc(['-q', '-O', 'dts', '-o', '-', 'expr.dts'], { cwd: dir });
      const ours = await compileWith(['-q', '-O', 'dts'], 'expr.dts', dir);
      expect(ref.status, ref.stderr).toBe(0);
      expect(ours.exitCode, ours.messages.join('\n')).toBe(0);
      expect(Buffer.from(ours.output!).toString('latin1')).toBe(ref.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
