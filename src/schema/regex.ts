/**
 * Regular expressions from bindings (`pattern`, `patternProperties`), run by ajv.
 *
 * Binding patterns are written for Python's `re`. JavaScript's engine is a backtracking one too,
 * and no linear-time engine ships with Node (re2 is a native add-on, which would break the
 * single-file bundle), so patterns with nested quantifiers — the shape behind catastrophic
 * backtracking, like `(a+)+` — are found when the schema set is loaded and reported, and their
 * matches are bounded to short inputs (property names and string values in a device tree are
 * short; a pathological input would be a long one).
 */

/** Inputs longer than this are not matched against a flagged pattern (they fail the match). */
export const GUARDED_INPUT_LIMIT = 256;

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

/** Patterns flagged while compiling (for the load report). */
export const flaggedPatterns = new Set<string>();

/** The `code.regExp` engine given to ajv: Python syntax translated, risky patterns bounded. */
export function bindingRegExp(pattern: string, flags: string): RegExpLike {
  const re = new RegExp(pythonToJsRegex(pattern), flags);
  re.test(''); // V8 compiles on first use: a pattern too large to compile fails here, while ajv compiles the schema
  if (!hasNestedQuantifier(pattern)) return re;
  flaggedPatterns.add(pattern);
  return new BoundedRegExp(re);
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
