/**
 * Cheap necessary conditions for `select` schemas, so that the ~230 schemas dt-validate applies
 * to every node are not all run on every node. A select that requires `compatible` to contain
 * one of some strings is indexed by those strings, one whose first compatible must be one of some
 * strings by those, one whose compatibles must match a pattern is tested with it; any other
 * select is guarded by the properties it requires (all of `required`, and all of one branch's
 * `required` when an `anyOf` lists only such branches). A candidate still runs its real select:
 * this only skips schemas that could not match.
 */
import { isObject, type Json } from './json.js';
import { compileBindingPattern, type RegExpLike } from './regex.js';

export interface SelectIndex {
  /** compatible string → indexes (into `always`) of schemas selectable only through it. */
  byCompatible: Map<string, number[]>;
  /** First compatible string → indexes of schemas selectable only with it first. */
  byFirstCompatible: Map<string, number[]>;
  /** Schemas selectable only when a compatible (the first one, or any) matches a pattern. */
  byCompatiblePattern: { index: number; re: RegExpLike; firstOnly: boolean }[];
  /** Selects on the node name alone (made from `$nodename`): node name → indexes, for `const` names. */
  byNodeName: Map<string, number[]>;
  /** Selects on a node-name pattern, and one alternation of them all to reject most nodes in one test. */
  byNodePattern: { index: number; pattern: string; re: RegExpLike }[];
  anyNodePattern: RegExpLike | undefined;
  /** Other schemas: index, the properties their select requires, and lists of which it requires one in full. */
  generic: { index: number; required: string[]; anyOf?: string[][] }[];
}

/**
 * The const or pattern of a select that only says `$nodename: {items: [{const|pattern}]}` (as the
 * fix-ups make it), with or without `required: [$nodename]`: every node that is checked has one.
 */
function nodeNameSelect(select: Json): { const?: string; pattern?: string } | undefined {
  if (!isObject(select)) return undefined;
  if (select.required !== undefined && (!Array.isArray(select.required) || select.required.length !== 1 || select.required[0] !== '$nodename')) return undefined;
  if (Object.keys(select).some((k) => k !== 'required' && k !== 'properties')) return undefined;
  const props = select.properties;
  if (!isObject(props) || Object.keys(props).length !== 1 || !isObject(props.$nodename)) return undefined;
  const nodename = props.$nodename;
  if (Object.keys(nodename).some((k) => !['items', 'type', 'minItems', 'maxItems'].includes(k))) return undefined;
  if (!Array.isArray(nodename.items) || nodename.items.length !== 1 || !isObject(nodename.items[0])) return undefined;
  const item = nodename.items[0];
  const keys = Object.keys(item);
  if (keys.length !== 1) return undefined;
  if (typeof item.const === 'string') return { const: item.const };
  if (typeof item.pattern === 'string') return { pattern: item.pattern };
  return undefined;
}

/** The strings of `compatible: {contains: {enum|const}}` when that is all the select says of compatible. */
function containsStrings(select: Json): string[] | undefined {
  if (!isObject(select) || !Array.isArray(select.required) || !select.required.includes('compatible')) return undefined;
  const compatible = isObject(select.properties) ? select.properties.compatible : undefined;
  if (!isObject(compatible) || Object.keys(compatible).length !== 1 || !isObject(compatible.contains)) return undefined;
  const contains = compatible.contains;
  const keys = Object.keys(contains);
  if (keys.length !== 1) return undefined;
  if (typeof contains.const === 'string') return [contains.const];
  if (Array.isArray(contains.enum) && contains.enum.every((e) => typeof e === 'string')) return contains.enum as string[];
  return undefined;
}

/** The strings a `{const}` or `{enum}` of strings allows, or undefined. */
function constStrings(schema: Json | undefined): string[] | undefined {
  if (!isObject(schema)) return undefined;
  const keys = Object.keys(schema);
  if (keys.length !== 1) return undefined;
  if (typeof schema.const === 'string') return [schema.const];
  if (Array.isArray(schema.enum) && schema.enum.every((e) => typeof e === 'string')) return schema.enum as string[];
  return undefined;
}

/** The pattern of a `{pattern}` schema, or undefined. */
function onlyPattern(schema: Json | undefined): string | undefined {
  return isObject(schema) && Object.keys(schema).length === 1 && typeof schema.pattern === 'string' ? schema.pattern : undefined;
}

/**
 * What a select that requires `compatible` says of its first item: `items: [X, …]` (a tuple; with
 * `minItems` at least 1 the first item exists), X a const/enum of strings or a pattern.
 */
function firstCompatible(select: Json): { strings?: string[]; pattern?: string } | undefined {
  if (!isObject(select) || !Array.isArray(select.required) || !select.required.includes('compatible')) return undefined;
  const compatible = isObject(select.properties) ? select.properties.compatible : undefined;
  if (!isObject(compatible) || !Array.isArray(compatible.items) || compatible.items.length === 0) return undefined;
  if (typeof compatible.minItems !== 'number' || compatible.minItems < 1) return undefined;
  const first = compatible.items[0];
  const strings = constStrings(first);
  if (strings) return { strings };
  const pattern = onlyPattern(first);
  return pattern !== undefined ? { pattern } : undefined;
}

/** The pattern of `compatible: {contains: {pattern}}` in a select that requires `compatible`. */
function containsPattern(select: Json): string | undefined {
  if (!isObject(select) || !Array.isArray(select.required) || !select.required.includes('compatible')) return undefined;
  const compatible = isObject(select.properties) ? select.properties.compatible : undefined;
  if (!isObject(compatible) || !isObject(compatible.contains)) return undefined;
  return onlyPattern(compatible.contains);
}

/** For a select with `anyOf` whose every branch has `required`: those lists (one must hold in full). */
function anyOfRequired(select: Json): string[][] | undefined {
  if (!isObject(select) || !Array.isArray(select.anyOf) || select.anyOf.length === 0) return undefined;
  const lists: string[][] = [];
  for (const branch of select.anyOf) {
    if (!isObject(branch) || !Array.isArray(branch.required)) return undefined;
    lists.push(branch.required.filter((r): r is string => typeof r === 'string'));
  }
  return lists;
}

export function buildSelectIndex(always: string[], selectOf: (id: string) => Json | undefined): SelectIndex {
  const byCompatible = new Map<string, number[]>();
  const byFirstCompatible = new Map<string, number[]>();
  const byCompatiblePattern: SelectIndex['byCompatiblePattern'] = [];
  const byNodeName = new Map<string, number[]>();
  const byNodePattern: SelectIndex['byNodePattern'] = [];
  const generic: SelectIndex['generic'] = [];
  always.forEach((id, index) => {
    const select = selectOf(id);
    const byName = nodeNameSelect(select ?? true);
    if (byName?.const !== undefined) {
      byNodeName.set(byName.const, [...(byNodeName.get(byName.const) ?? []), index]);
      return;
    }
    const re = byName?.pattern !== undefined ? compileBindingPattern(byName.pattern) : undefined;
    if (re) {
      byNodePattern.push({ index, pattern: byName!.pattern!, re });
      return;
    }
    // A pattern not compilable here is left to ajv below (which reports it).
    const strings = containsStrings(select ?? true);
    if (strings) {
      for (const s of new Set(strings)) {
        const list = byCompatible.get(s);
        if (list) list.push(index);
        else byCompatible.set(s, [index]);
      }
      return;
    }
    const first = firstCompatible(select ?? true);
    if (first?.strings) {
      for (const s of new Set(first.strings)) {
        const list = byFirstCompatible.get(s);
        if (list) list.push(index);
        else byFirstCompatible.set(s, [index]);
      }
      return;
    }
    const compatiblePattern = first?.pattern ?? containsPattern(select ?? true);
    const compatibleRe = compatiblePattern !== undefined ? compileBindingPattern(compatiblePattern) : undefined;
    if (compatibleRe) {
      byCompatiblePattern.push({ index, re: compatibleRe, firstOnly: first?.pattern !== undefined });
      return;
    }
    const required = isObject(select) && Array.isArray(select.required) ? select.required.filter((r): r is string => typeof r === 'string') : [];
    const anyOf = anyOfRequired(select ?? true);
    generic.push({ index, required, ...(anyOf ? { anyOf } : {}) });
  });
  const anyNodePattern = byNodePattern.length ? compileBindingPattern(byNodePattern.map((p) => `(?:${p.pattern})`).join('|')) : undefined;
  return { byCompatible, byFirstCompatible, byCompatiblePattern, byNodeName, byNodePattern, anyNodePattern, generic };
}

/**
 * Indexes (in `always` order) of the schemas whose select may match a node with these keys and
 * compatibles. Asked once per node: its loops are indexed (V8's baseline tiers, which a one-shot
 * run uses, allocate an object per step of a for…of).
 */
export function selectCandidates(index: SelectIndex, node: Record<string, unknown>, compatibles: unknown, nodeName: string): number[] {
  const out: number[] = [];
  let added = false;
  const addAll = (list: number[]): void => {
    for (let k = 0; k < list.length; k++) if (!out.includes(list[k]!)) out.push(list[k]!);
  };
  const named = index.byNodeName.get(nodeName);
  if (named) {
    addAll(named);
    added = true;
  }
  const patterns = index.byNodePattern;
  if (patterns.length && (!index.anyNodePattern || index.anyNodePattern.test(nodeName))) {
    for (let k = 0; k < patterns.length; k++) {
      if (patterns[k]!.re.test(nodeName)) {
        out.push(patterns[k]!.index);
        added = true;
      }
    }
  }
  const generic = index.generic;
  for (let k = 0; k < generic.length; k++) {
    const g = generic[k]!;
    if (hasAll(node, g.required) && (!g.anyOf || g.anyOf.some((list) => hasAll(node, list)))) out.push(g.index);
  }
  if (!Array.isArray(compatibles)) {
    // `items`, `contains` and `pattern` say nothing of a value that is no list: its select decides
    if (compatibles !== undefined) {
      for (const list of [...index.byCompatible.values(), ...index.byFirstCompatible.values()]) addAll(list);
      addAll(index.byCompatiblePattern.map((p) => p.index));
      added = true;
    }
    return added ? out.sort((a, b) => a - b) : out;
  }
  for (let k = 0; k < compatibles.length; k++) {
    const c: unknown = compatibles[k];
    const list = typeof c === 'string' ? index.byCompatible.get(c) : undefined;
    if (!list) continue;
    addAll(list);
    added = true;
  }
  const first: unknown = compatibles[0];
  const firstList = typeof first === 'string' ? index.byFirstCompatible.get(first) : undefined;
  if (firstList) {
    addAll(firstList);
    added = true;
  }
  const compatiblePatterns = index.byCompatiblePattern;
  for (let k = 0; k < compatiblePatterns.length; k++) {
    const p = compatiblePatterns[k]!;
    const tested = p.firstOnly ? Math.min(1, compatibles.length) : compatibles.length;
    for (let m = 0; m < tested; m++) {
      const c: unknown = compatibles[m];
      // `pattern` says nothing of a value that is no string
      if (typeof c !== 'string' || p.re.test(c)) {
        out.push(p.index);
        added = true;
        break;
      }
    }
  }
  // Keep `always` order (generic entries are already in it).
  return added ? out.sort((a, b) => a - b) : out;
}

function hasAll(node: Record<string, unknown>, names: string[]): boolean {
  for (let k = 0; k < names.length; k++) if (!(names[k]! in node)) return false;
  return true;
}
