/**
 * Binding patterns (src/schema/regex.ts): matched on V8's linear-time engine, so patterns built for
 * catastrophic backtracking finish at once; patterns V8 cannot compile safely are errors, not crashes.
 */
import { describe, expect, it } from 'vitest';
import { BindingPatternError, bindingRegExp, isGuardedPattern, isLinearPattern, pythonToJsRegex } from '../../src/schema/regex.js';

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

describe('binding patterns answered without an engine, and remembered answers', () => {
  // Each pattern's answers must be the engine's: RegExp of the translated pattern is the oracle.
  const patterns = [
    '-microvolt$', '.*-supply$', '^pinctrl-', '^acme,.*', '^#address-cells$', 'gpio', '.*-names', '^a\\.b\\-c$', 'x\\$', '^\\$x',
    '(?<!ti,[xy]-plate)-ohms$', '^pinctrl-[0-9]+$', '^(?!opp).*-hz$', '^[a-z]+@[0-9a-f]+$', 'a.*', '\\.*x', 'a\\\\$',
    '(?:^#.*)|(?:^acme,.*)|(?:^zte,.*)|(?:^[a-zA-Z0-9#_][a-zA-Z0-9#+\\-._@]{0,63}$)|(?:^[a-z]+@[0-9a-f]+$)',
    '^foo$|^bar,.*|.*-baz$|qux|^(a|b)x$', '(?:^x.*)|(?:^(y)\\1$)', '^a$|^b$', '(?:^(?!x)(a+)+$)|(?:^aa.*)',
  ];
  const inputs = ['', 'regulator-min-microvolt', 'vdd-supply', 'pinctrl-0', 'pinctrl-names', 'acme,thing', 'acme', '#address-cells', 'a.b-c', 'x$', '$x',
    'ti,x-plate-ohms', 'foo-ohms', 'opp-hz', 'max-hz', 'uart@1000', 'a', 'xx', 'a\\', 'zte,phone', '#foo', 'a'.repeat(70), 'foo', 'bar,1', 'a-baz', 'xquxy', 'ax', 'yy',
    'b', 'aaa', 'a'.repeat(300), 'aa!', 'line\nbreak-supply', 'caf\u00e9-supply'];

  it.each(patterns)('%s: the same answers as the engine', (pattern) => {
    const re = bindingRegExp(pattern, '');
    const oracle = new RegExp(pythonToJsRegex(pattern));
    const guarded = isGuardedPattern(pattern);
    for (const input of inputs) {
      const expected = guarded && input.length > 256 ? false : oracle.test(input);
      // twice: the second answer may come from memory
      expect([re.test(input), re.test(input)], `${pattern} on ${JSON.stringify(input)}`).toEqual([expected, expected]);
    }
  });

  it('one matcher per pattern and flags, named apart for ajv', () => {
    expect(bindingRegExp('-bits$', '')).toBe(bindingRegExp('-bits$', ''));
    expect(String(bindingRegExp('-bits$', ''))).not.toBe(String(bindingRegExp('-bps$', '')));
    expect(String(bindingRegExp('^a$|^b$|c+', ''))).not.toBe(String(bindingRegExp('^a$|^b$|c*', '')));
  });

  it('an alternation of literals with an unusable rest is an error naming the whole pattern', () => {
    expect(() => bindingRegExp('^a.*|^b.*|([', '')).toThrow(BindingPatternError);
    expect(() => bindingRegExp('^a.*|^b.*|([', '')).toThrow("pattern '^a.*|^b.*|([' is not usable");
  });
});
