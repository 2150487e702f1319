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
    readonly reason: string,
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
  const key = `${flags}/${pattern}`;
  let re = interned.get(key);
  if (!re) {
    re = literalMatcher(pattern, flags, key) ?? alternationMatcher(pattern, flags, key) ?? new MemoRegExp(engineRegExp(pattern, flags), key);
    interned.set(key, re);
  }
  return re;
}

/** One matcher per pattern and flags in a process: the validators of every chunk share it (and its answers). */
const interned = new Map<string, RegExpLike>();

/**
 * Source text that is only a literal: characters without meaning outside a class, and `\\`
 * before ASCII punctuation but `_` (an identity escape without the `u` flag: `\\-`, `\\.`, `\\,`).
 * Not classes, quantifiers, groups or `\\d`-style escapes.
 */
const LITERAL_SOURCE = /^(?:[^\\^$.|?*+()[\]{}]|\\[!-/:-@[-^`{-~])+$/;

/** The literal a pattern's source text stands for, when it is only one (see LITERAL_SOURCE). */
function literalText(source: string): string | undefined {
  return LITERAL_SOURCE.test(source) ? source.replace(/\\(.)/g, '$1') : undefined;
}

type LiteralHow = 'is' | 'starts' | 'ends' | 'contains';

/**
 * What a pattern (JavaScript syntax, no flags) says when all it says is "is", "starts with",
 * "ends with" or "contains" a literal: without the `m` flag `$` matches only at the end, and an
 * unanchored `.*` beside the literal may match nothing, so the string method says the same.
 */
function literalForm(source: string): { literal: string; how: LiteralHow } | undefined {
  const start = source.startsWith('^');
  if (start) source = source.slice(1);
  else if (source.startsWith('.*')) source = source.slice(2);
  // `$` after an escaping backslash is a literal dollar: leave such patterns to the engine
  const end = source.endsWith('$') && !source.endsWith('\\$');
  if (end) source = source.slice(0, -1);
  else if (source.endsWith('.*') && !source.endsWith('\\.*')) source = source.slice(0, -2);
  const literal = literalText(source);
  if (literal === undefined) return undefined;
  return { literal, how: start && end ? 'is' : start ? 'starts' : end ? 'ends' : 'contains' };
}

/**
 * Patterns that are a literal form — most of the patterns a node's every property is tested
 * against (property-units.yaml's `-microvolt$`, dt-core's `.*-supply$`) — answered with string
 * methods, exactly. Only for patterns without flags.
 */
function literalMatcher(pattern: string, flags: string, key: string): RegExpLike | undefined {
  if (flags !== '') return undefined;
  const form = literalForm(pythonToJsRegex(pattern));
  return form ? new SingleLiteral(form.literal, form.how, key) : undefined;
}

class SingleLiteral implements RegExpLike {
  constructor(
    private readonly literal: string,
    private readonly how: LiteralHow,
    private readonly key: string,
  ) {}

  test(input: string): boolean {
    // RegExp.prototype.test converts its argument to a string: so does this
    const s = typeof input === 'string' ? input : String(input);
    switch (this.how) {
      case 'is':
        return s === this.literal;
      case 'starts':
        return s.startsWith(this.literal);
      case 'ends':
        return s.endsWith(this.literal);
      default:
        return s.includes(this.literal);
    }
  }

  // ajv keys its pattern cache by toString(): it must differ per pattern and flags.
  toString(): string {
    return `literal:${this.key}`;
  }
}

/**
 * What matters to a pattern's structure (JavaScript syntax): an escape, a whole class (where `(`,
 * `)` and `|` mean themselves; `[]` is an empty class), a parenthesis, a bar. Scanning with it
 * looks at these few hundred tokens, not at each of a 15 KB pattern's characters. A pattern
 * where it finds something other than the engine would (an unterminated class) is invalid, and
 * its callers leave it to the engine, which reports it.
 */
const STRUCTURE = /\\[\s\S]|\[(?:\\[\s\S]|[^\]\\])*\]|[()|]/g;

/** The top-level alternatives of a pattern (JavaScript syntax), or undefined when it has one. */
function topLevelAlternatives(source: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const tokens = new RegExp(STRUCTURE.source, 'g');
  for (let m = tokens.exec(source); m; m = tokens.exec(source)) {
    const t = m[0];
    if (t === '(') depth++;
    else if (t === ')') depth--;
    else if (t === '|' && depth === 0) {
      out.push(source.slice(start, m.index));
      start = m.index + 1;
    }
  }
  out.push(source.slice(start));
  return out.length > 1 ? out : undefined;
}

/** `x` for `(?:x)` when that group is the whole alternative, else the alternative. */
function unwrapGroup(alternative: string): string {
  if (!alternative.startsWith('(?:') || !alternative.endsWith(')')) return alternative;
  const inner = alternative.slice(3, -1);
  // the group must close at the very end: the inner text's parentheses balance by themselves
  let depth = 0;
  const tokens = new RegExp(STRUCTURE.source, 'g');
  for (let m = tokens.exec(inner); m; m = tokens.exec(inner)) {
    if (m[0] === '(') depth++;
    else if (m[0] === ')' && --depth < 0) return alternative;
  }
  return depth === 0 ? inner : alternative;
}

/**
 * An alternation whose alternatives are mostly literal forms, as compile.ts's merge of
 * vendor-prefixes.yaml's ~960 `^acme,.*` entries makes one: the literal alternatives answered by
 * set look-ups, the others by the engine as one smaller alternation. Such a pattern cannot run on
 * the linear engine (one alternative has `{0,63}`), and compiling its 15 KB for the backtracking
 * engine costs tens of milliseconds in every process. An alternation matches where any
 * alternative matches; taking out alternatives without groups leaves the groups of the others, and
 * their numbers, as they were. The whole pattern is still checked as before: syntax, nesting, and
 * the short-input guard when the rest needs it.
 */
function alternationMatcher(pattern: string, flags: string, key: string): RegExpLike | undefined {
  if (flags !== '') return undefined;
  const source = pythonToJsRegex(pattern);
  const alternatives = topLevelAlternatives(source);
  if (!alternatives) return undefined;
  const forms: { literal: string; how: LiteralHow }[] = [];
  const rest: string[] = [];
  for (const alternative of alternatives) {
    const form = literalForm(unwrapGroup(alternative));
    if (form) forms.push(form);
    else rest.push(alternative);
  }
  if (forms.length < 2) return undefined;
  try {
    new RegExp(source, flags); // syntax only: V8 compiles on first use
  } catch {
    return undefined; // engineRegExp reports it, as for any pattern
  }
  if (groupDepth(source) > BACKTRACKING_GROUP_DEPTH) return undefined;
  let others: RegExpLike | undefined;
  if (rest.length) {
    try {
      others = engineRegExp(rest.map((a) => `(?:${a})`).join('|'), flags);
    } catch (err) {
      throw err instanceof BindingPatternError ? new BindingPatternError(pattern, err.reason) : err;
    }
  }
  return new MemoRegExp(new LiteralAlternation(forms, others, others instanceof BoundedRegExp), key);
}

/** Literal forms and the engine's answer for the other alternatives: true when any of them matches. */
class LiteralAlternation implements RegExpLike {
  private readonly is = new Set<string>();
  /** Literals by length, for prefixes and suffixes: one set look-up per length. */
  private readonly starts: { length: number; set: Set<string> }[] = [];
  private readonly ends: { length: number; set: Set<string> }[] = [];
  private readonly contains: string[] = [];

  constructor(
    forms: { literal: string; how: LiteralHow }[],
    private readonly others: RegExpLike | undefined,
    /** The whole pattern is guarded (see BoundedRegExp): longer inputs fail. */
    private readonly guarded: boolean,
  ) {
    for (const { literal, how } of forms) {
      if (how === 'is') this.is.add(literal);
      else if (how === 'contains') this.contains.push(literal);
      else {
        const byLength = how === 'starts' ? this.starts : this.ends;
        let entry = byLength.find((e) => e.length === literal.length);
        if (!entry) byLength.push((entry = { length: literal.length, set: new Set() }));
        entry.set.add(literal);
      }
    }
  }

  test(input: string): boolean {
    // RegExp.prototype.test converts its argument to a string: so does this
    const s = typeof input === 'string' ? input : String(input);
    if (this.guarded && s.length > GUARDED_INPUT_LIMIT) return false;
    if (this.is.has(s)) return true;
    for (let k = 0; k < this.starts.length; k++) {
      const { length, set } = this.starts[k]!;
      if (length <= s.length && set.has(s.slice(0, length))) return true;
    }
    for (let k = 0; k < this.ends.length; k++) {
      const { length, set } = this.ends[k]!;
      if (length <= s.length && set.has(s.slice(s.length - length))) return true;
    }
    for (let k = 0; k < this.contains.length; k++) if (s.includes(this.contains[k]!)) return true;
    return this.others !== undefined && this.others.test(s);
  }
}

/** Inputs up to this length have their answers remembered (property and node names, compatibles). */
export const MEMO_INPUT_LIMIT = 256;
/** Answers remembered per pattern, at most. */
export const MEMO_ENTRIES = 1 << 14;

/**
 * A binding pattern that remembers its answers. The validators test the same few hundred property
 * names against the same patterns on every node (property-units.yaml's 30 suffixes, dt-core's
 * name patterns, every property of every node): V8's linear engine is an automaton run by an
 * interpreter, about 20 times slower than the backtracking engine, and a Map look-up is far
 * cheaper than either. `test` without the `g` or `y` flag has no state, so a remembered answer is
 * the answer.
 */
class MemoRegExp implements RegExpLike {
  private readonly answers = new Map<string, boolean>();

  constructor(
    private readonly re: RegExpLike,
    private readonly key: string,
  ) {}

  test(s: string): boolean {
    const known = this.answers.get(s);
    if (known !== undefined) return known;
    const answer = this.re.test(s);
    if (typeof s === 'string' && s.length <= MEMO_INPUT_LIMIT && this.answers.size < MEMO_ENTRIES) this.answers.set(s, answer);
    return answer;
  }

  // ajv keys its pattern cache by toString(): it must differ per pattern and flags.
  toString(): string {
    return `memo:${this.key}`;
  }
}

/** The engine behind a binding pattern: linear where V8 can, else guarded backtracking. */
function engineRegExp(pattern: string, flags: string): RegExpLike {
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
