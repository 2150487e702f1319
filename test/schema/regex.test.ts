/**
 * Binding patterns (src/schema/regex.ts): matched on V8's linear-time engine, so patterns built for
 * catastrophic backtracking finish at once; patterns V8 cannot compile safely are errors, not crashes.
 */
import { describe, expect, it } from 'vitest';
import { BindingPatternError, bindingRegExp, isGuardedPattern, isLinearPattern } from '../../src/schema/regex.js';

describe('binding patterns on the linear-time engine', () => {
  // Each of these takes seconds on V8's backtracking engine at 31 characters, and hours at 100.
  const catastrophic = ['^(a+)+$', '^(a|a)*$', '^(a|aa)+$', '^a*a*a*a*a*a*a*a*a*a*b$', '^(\\w+\\s?)*$'];

  it.each(catastrophic)('%s: 30 to 1,000 characters that fail the match, well under 2 s', (pattern) => {
    const re = bindingRegExp(pattern, '');
    expect(isLinearPattern(pattern)).toBe(true);
    const start = performance.now();
    for (const n of [30, 31, 51, 100, 1000]) expect(re.test(`${'a'.repeat(n)}!`)).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
    // No length bound any more: a long matching value still matches.
    if (pattern !== '^a*a*a*a*a*a*a*a*a*a*b$') expect(re.test('a'.repeat(1000))).toBe(true);
  });

  it('translates Python syntax and keeps named groups and backreferences working', () => {
    expect(bindingRegExp('^(?P<x>a)(?P=x)\\Z', '').test('aa')).toBe(true);
    expect(bindingRegExp('^[a-z]+@[0-9a-f]+$', '').test('uart@1000')).toBe(true);
  });

  it('guards only what the linear engine cannot run: nested quantifiers with a backreference or lookaround', () => {
    expect(isGuardedPattern('^(a+)+$')).toBe(false);
    expect(isGuardedPattern('^(?!x)(a+)+$')).toBe(true);
    const guarded = bindingRegExp('^(?!x)(a+)+$', '');
    expect(guarded.test('aaaa')).toBe(true);
    expect(guarded.test(`${'a'.repeat(300)}!`)).toBe(false);
    expect(isGuardedPattern('^(?!gpio@)[^@]+@[0-9]+$')).toBe(false);
  });

  it('an invalid pattern, or one nested too deeply for V8 to compile, is a BindingPatternError with a short message', () => {
    expect(() => bindingRegExp('([', '')).toThrow(BindingPatternError);
    expect(() => bindingRegExp('([', '')).toThrow("pattern '([' is not usable: Unterminated character class");
    // 10,000 nested groups with a backreference (so not for the linear engine): V8's compiler
    // dies on this with "RegExpCompiler Allocation failed", which no catch can stop.
    const deep = `${'(a'.repeat(10_000)}${')'.repeat(10_000)}\\1`;
    const error = (() => {
      try {
        bindingRegExp(deep, '');
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BindingPatternError);
    expect(error!.message).toMatch(/^pattern '\(a\(a.{70,}…' is not usable: groups nested more than 100 deep$/);
    expect(() => bindingRegExp('('.repeat(10_000), '')).toThrow(BindingPatternError);
  });
});
