import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { preprocess } from '../../src/preprocess/index.js';
import { CPP, hasCpp } from './helpers.js';
import { execFile } from 'node:child_process';

// Seeded random programs (macro soups and #if expressions) compared with GNU cpp: the output must
// be byte-identical, or both must reject the input.
if (!hasCpp) console.log('random differential: skipped, /usr/bin/cpp is not installed');

function generator(seed: number): { int: (n: number) => number; pick: <X>(a: readonly X[]) => X } {
  let s = seed;
  const int = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  return { int, pick: (a) => a[int(a.length)]! };
}

const NAMES = ['A', 'B', 'C', 'F', 'G', 'H', 'x', 'y'];
const ATOMS = ['1', '2', '0x10', '+', '-', '<', '>', '#', '##', ',', '(', ')', '(', ')', '"s"', "'c'", '.', '/', '=', 'foo', ' ', ''];

function macroProgram(seed: number): string {
  const { int, pick } = generator(seed);
  const body = (params: string[]): string => {
    let s = '';
    for (let n = int(7); n > 0; n--) {
      const r = int(10);
      s += (int(3) ? ' ' : '') + (r < 3 && params.length ? pick(params) : r < 6 ? pick(NAMES) : pick(ATOMS));
    }
    return s;
  };
  let src = '';
  for (let d = 0; d < 4; d++) {
    const name = pick(NAMES);
    if (int(2)) {
      const params = int(2) ? ['a'] : ['a', 'b'];
      const variadic = int(4) === 0;
      src += `#define ${name}(${params.join(', ')}${variadic ? ', ...' : ''}) ${body(variadic ? [...params, '__VA_ARGS__'] : params)}\n`;
    } else {
      src += `#define ${name} ${body([])}\n`;
    }
  }
  for (let l = 0; l < 4; l++) {
    let line = '';
    for (let n = 3 + int(8); n > 0; n--) line += (int(2) ? ' ' : '') + (int(2) ? pick(NAMES) : pick([...ATOMS, '\n']));
    src += `${line}\n`;
  }
  return src;
}

const OPERANDS = ['0', '1', '2', '7', '-1', '0u', '1u', '0x7fffffffffffffff', '0xffffffffffffffff', '63', '64', "'a'", "'\\377'", '010', '0b11', 'A', 'UNDEF', 'defined A', 'defined(UNDEF)', '3ULL'];
const BINARY = ['+', '-', '*', '/', '%', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||'];

function ifProgram(seed: number): string {
  const { int, pick } = generator(seed);
  const expr = (depth: number): string => {
    const r = int(10);
    if (depth > 3 || r < 3) return pick(OPERANDS);
    if (r < 4) return `${pick(['-', '~', '!', '+'])}${expr(depth + 1)}`;
    if (r < 5) return `(${expr(depth + 1)})`;
    if (r < 6) return `${expr(depth + 1)} ? ${expr(depth + 1)} : ${expr(depth + 1)}`;
    return `${expr(depth + 1)} ${pick(BINARY)} ${expr(depth + 1)}`;
  };
  let src = '#define A 5\n';
  for (let k = 0; k < 5; k++) src += `#if ${expr(0)}\ny${k}\n#else\nn${k}\n#endif\n`;
  return src;
}

function cppOutput(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(CPP, ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-P', file], (err, stdout) => resolve(err ? null : stdout));
  });
}

function oursOutput(file: string): string | null {
  try {
    return preprocess(file, { includeDirs: [] }).text;
  } catch (e) {
    if (e instanceof DiagnosticError) return null;
    throw e;
  }
}

describe.skipIf(!hasCpp)('random programs: byte-identical to GNU cpp', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-random-'));
  const programs: [string, string][] = [];
  for (let i = 1; i <= 150; i++) programs.push([`macros-${i}`, macroProgram(i)]);
  for (let i = 1; i <= 60; i++) programs.push([`if-${i}`, ifProgram(i)]);

  it.each(programs)('%s', async (name, text) => {
    const file = path.join(dir, `${name}.dts`);
    writeFileSync(file, text);
    const reference = await cppOutput(file);
    expect(oursOutput(file), text).toBe(reference);
  });
});
