/**
 * Regular expressions from bindings (`pattern`, `patternProperties`), run by ajv.
 *
 * Binding patterns are written for Python's `re`; a hostile binding can carry one built for
 * catastrophic backtracking (`^(a+)+$`, `^(a|a)*$`, `^a*a*a*a*b$`). V8 ships a second,
 * linear-time engine (an automaton, no backtracking) behind `--enable-experimental-regexp-engine`:
 * with it, the `l` flag compiles a pattern for that engine, and refuses one the engine cannot
 * run (backreferences, lookarounds, counted repetitions above 16, the `i` and `u` flags). Every
 * pattern the engine accepts — all but three of the kernel's ~2,300 — is matched on it. The
 * rest run on the backtracking engine; those with nested quantifiers (`(x+)*`) are flagged and
 * matched only against short inputs, a guard rather than a promise (docs/security.md).
 */
import * as v8 from 'node:v8';

/** Inputs longer than this are not matched against a flagged pattern (they fail the match). */
export const GUARDED_INPUT_LIMIT = 256;

let linearEngineEnabled = false;

/**
 * Turns on V8's linear-time engine for the `l` flag. The flag is read when a pattern is
 * compiled, so setting it at run time (once, before the first binding pattern) is enough;
 * V8 flags are per process, so worker threads see it too.
 */
export function enableLinearRegExp(): void {
  if (linearEngineEnabled) return;
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  linearEngineEnabled = true;
}

export function pythonToJsRegex(pattern: string): string {
  return pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$');
}

/**
 * True when a quantified group contains a quantifier itself: `(x+)*`, `(?:a|b*)+`, `(\d{2,})+`.
 * A coarse, conservative test (it does not prove the pattern ambiguous).
 */
export function hasNestedQuantifier(pattern: string): boolean {
  // Per open group: whether its body so far holds a quantifier.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const inner = stack.pop() ?? false;
      const next = pattern[i + 1];
      const quantified = next === '*' || next === '+' || (next === '{' && /^\{\d*,\d*\}|^\{\d{2,}\}/.test(pattern.slice(i + 1)));
      if (inner && quantified) return true;
      if (stack.length && (inner || quantified)) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && stack.length) {
      // `(?` is a group prefix, not a quantifier.
      if (!(c === '+' && pattern[i - 1] === '?')) stack[stack.length - 1] = true;
    }
  }
  return false;
}

export interface RegExpLike {
  test(s: string): boolean;
}

/** The pattern compiled for V8's linear-time engine, or undefined when that engine cannot run it. */
function linearRegExp(source: string, flags: string): RegExp | undefined {
  enableLinearRegExp();
  try {
    return new RegExp(source, `${flags}l`);
  } catch {
    return undefined;
  }
}

/** True when a binding pattern is matched in linear time (see the file comment). */
export function isLinearPattern(pattern: string, flags = ''): boolean {
  return linearRegExp(pythonToJsRegex(pattern), flags) !== undefined;
}

/**
 * Whether a binding pattern needs the short-input guard: it cannot run on the linear engine and
 * has nested quantifiers. Valid patterns only (an invalid one throws from bindingRegExp).
 */
export function isGuardedPattern(pattern: string, flags = ''): boolean {
  return !isLinearPattern(pattern, flags) && hasNestedQuantifier(pattern);
}

/**
 * Group nesting allowed in a pattern for the backtracking engine: V8's compiler recurses per
 * group and dies (`RegExpCompiler Allocation failed`, uncatchable) near 10,000 levels.
 */
export const BACKTRACKING_GROUP_DEPTH = 100;

function groupDepth(pattern: string): number {
  let depth = 0;
  let deepest = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') deepest = Math.max(deepest, ++depth);
    else if (c === ')') depth--;
  }
  return deepest;
}

/** A binding pattern that cannot be used: invalid, or too deeply nested for V8 to compile safely. */
export class BindingPatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`pattern '${excerptOfPattern(pattern)}' is not usable: ${reason}`);
  }
}

/** A pattern as a message shows it: at most 80 characters. */
export function excerptOfPattern(pattern: string): string {
  return pattern.length <= 80 ? pattern : `${pattern.slice(0, 79)}…`;
}

/**
 * The `code.regExp` engine given to ajv: Python syntax translated, linear where V8 can, else
 * guarded. Throws BindingPatternError for a pattern that cannot be used.
 */
export function bindingRegExp(pattern: string, flags: string): RegExpLike {
  const source = pythonToJsRegex(pattern);
  const linear = linearRegExp(source, flags);
  if (linear) return linear;
  if (groupDepth(source) > BACKTRACKING_GROUP_DEPTH) throw new BindingPatternError(pattern, `groups nested more than ${BACKTRACKING_GROUP_DEPTH} deep`);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
    re.test(''); // V8 compiles on first use: a pattern too large to compile fails here, while ajv compiles the schema
  } catch (err) {
    // V8's message repeats the whole pattern; keep only the reason after it.
    const message = (err as Error).message;
    const end = message.lastIndexOf('/: ');
    throw new BindingPatternError(pattern, end < 0 ? message : message.slice(end + 3));
  }
  return hasNestedQuantifier(pattern) ? new BoundedRegExp(re) : re;
}

/** bindingRegExp for our own look-ups (select, property types): undefined for an unusable pattern, which ajv reports. */
export function compileBindingPattern(pattern: string): RegExpLike | undefined {
  try {
    return bindingRegExp(pattern, '');
  } catch {
    return undefined;
  }
}

/** A flagged pattern: matched only on short inputs. */
class BoundedRegExp implements RegExpLike {
  constructor(private readonly re: RegExp) {}
  test(s: string): boolean {
    return s.length <= GUARDED_INPUT_LIMIT && this.re.test(s);
  }
  // ajv keys its pattern cache by toString(): it must differ per pattern.
  toString(): string {
    return `bounded:${this.re.toString()}`;
  }
}
bindingRegExp.code = 'require("dtoverlay-check/schema-runtime").bindingRegExp';
