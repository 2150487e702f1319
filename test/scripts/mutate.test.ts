/** The mutation runner's planting (scripts/mutate.ts): which changes a file offers, and the seeded draw. */
import { describe, expect, it } from 'vitest';
import { mutantsOf, sample } from '../../scripts/mutate.js';

const text = [
  "import { x } from './x.js';",
  'type Width = 4 | 8;',
  'export function f(a: number, b: number): boolean {',
  '  check(a);',
  "  console.warn('not mutated');",
  '  return a + 1 < b && a !== 0x10;',
  '}',
].join('\n');

describe('mutantsOf', () => {
  const mutants = mutantsOf('src/f.ts', text);
  const applied = mutants.map((m) => `${m.kind} ${m.line}:${m.column} ${text.slice(0, m.start) + m.replacement + text.slice(m.end)}`.split('\n')[m.line - 1]!);

  it('offers operators, boundaries, literals ±1 and dropped calls, never in types, imports or console calls', () => {
    expect(mutants.map((m) => `${m.kind} ${m.line}:${m.column} ${m.original}→${m.replacement}`)).toEqual([
      'call 4:3 check(a);→;',
      'operator 6:12 +→-',
      'literal 6:14 1→2',
      'literal 6:14 1→0',
      'boundary 6:16 <→<=',
      'operator 6:20 &&→||',
      'operator 6:25 !==→===',
      'literal 6:29 0x10→0x11',
      'literal 6:29 0x10→0xf',
    ]);
    expect(applied).toContain('  return a + 1 < b && a !== 0x11;');
    expect(applied[0]).toBe('  ;');
  });

  it('draws the same mutants for the same seed, at most max, in source order', () => {
    const once = sample(mutants, 4, 7);
    expect(once).toHaveLength(4);
    expect(sample(mutants, 4, 7)).toEqual(once);
    expect(once.map((m) => m.start)).toEqual([...once.map((m) => m.start)].sort((a, b) => a - b));
    expect(sample(mutants, 100, 7)).toHaveLength(mutants.length);
  });
});
