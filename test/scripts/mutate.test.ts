/** The mutation runner (scripts/mutate.ts): which changes a file offers, the seeded draw, the time budget and the counts. */
import { describe, expect, it } from 'vitest';
import { budgetMs, equivalentOf, mutantsOf, sample, tally } from '../../scripts/mutate.js';

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

describe('budget and counts', () => {
  it('gives each mutant run 3× the unmutated run plus 30 s', () => {
    expect(budgetMs(5_000)).toBe(45_000);
    expect(budgetMs(60_000)).toBe(210_000);
  });

  it('counts timeouts as kills apart, and leaves equivalent mutants out of the rate', () => {
    const hows = ['failed', 'failed', 'timeout', 'survived', 'equivalent'] as const;
    expect(tally(hows.map((how) => ({ how })))).toEqual({ mutants: 5, killed: 3, survived: 1, equivalent: 1, timeouts: 1, rate: '75.0%' });
    expect(tally([{ how: 'equivalent' }]).rate).toBe('-');
  });

  it('matches an equivalent entry by file, line text and change only', () => {
    const mutants = mutantsOf('src/f.ts', text);
    const boundary = mutants.find((m) => m.kind === 'boundary')!;
    const entry = { file: 'src/f.ts', line: 'return a + 1 < b && a !== 0x10;', original: '<', replacement: '<=', reason: 'r' };
    expect(equivalentOf(boundary, text, [entry])).toBe(entry);
    expect(equivalentOf(boundary, text, [{ ...entry, file: 'src/g.ts' }])).toBeUndefined();
    expect(equivalentOf(boundary, text, [{ ...entry, replacement: '>' }])).toBeUndefined();
    expect(equivalentOf(boundary, text.replace('a + 1 < b', 'a + 2 < b'), [entry])).toBeUndefined();
  });
});
