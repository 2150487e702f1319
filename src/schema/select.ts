/**
 * Cheap necessary conditions for `select` schemas, so that the ~230 schemas dt-validate applies
 * to every node are not all run on every node. A select that requires `compatible` to contain
 * one of some strings is indexed by those strings; any other select is guarded by the
 * properties it requires. A candidate still runs its real select: this only skips schemas that
 * could not match.
 */
import { isObject, type Json } from './json.js';
import { compileBindingPattern, type RegExpLike } from './regex.js';

export interface SelectIndex {
  /** compatible string → indexes (into `always`) of schemas selectable only through it. */
  byCompatible: Map<string, number[]>;
  /** Selects on the node name alone (made from `$nodename`): node name → indexes, for `const` names. */
  byNodeName: Map<string, number[]>;
  /** Selects on a node-name pattern, and one alternation of them all to reject most nodes in one test. */
  byNodePattern: { index: number; pattern: string; re: RegExpLike }[];
  anyNodePattern: RegExpLike | undefined;
  /** Other schemas: index and the properties their select requires. */
  generic: { index: number; required: string[] }[];
}

/** The const or pattern of a select that only says `$nodename: {items: [{const|pattern}]}` (as the fix-ups make it). */
function nodeNameSelect(select: Json): { const?: string; pattern?: string } | undefined {
  if (!isObject(select) || !Array.isArray(select.required) || select.required.length !== 1 || select.required[0] !== '$nodename') return undefined;
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

export function buildSelectIndex(always: string[], selectOf: (id: string) => Json | undefined): SelectIndex {
  const byCompatible = new Map<string, number[]>();
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
    const required = isObject(select) && Array.isArray(select.required) ? select.required.filter((r): r is string => typeof r === 'string') : [];
    generic.push({ index, required });
  });
  const anyNodePattern = byNodePattern.length ? compileBindingPattern(byNodePattern.map((p) => `(?:${p.pattern})`).join('|')) : undefined;
  return { byCompatible, byNodeName, byNodePattern, anyNodePattern, generic };
}

/** Indexes (in `always` order) of the schemas whose select may match a node with these keys and compatibles. */
export function selectCandidates(index: SelectIndex, node: Record<string, unknown>, compatibles: unknown, nodeName: string): number[] {
  const out: number[] = [];
  let added = false;
  const named = index.byNodeName.get(nodeName);
  if (named) {
    out.push(...named);
    added = true;
  }
  if (index.byNodePattern.length && (!index.anyNodePattern || index.anyNodePattern.test(nodeName))) {
    for (const p of index.byNodePattern) {
      if (p.re.test(nodeName)) {
        out.push(p.index);
        added = true;
      }
    }
  }
  for (const g of index.generic) {
    let ok = true;
    for (const r of g.required) {
      if (!(r in node)) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(g.index);
  }
  if (!Array.isArray(compatibles)) return added ? out.sort((a, b) => a - b) : out;
  for (const c of compatibles) {
    const list = typeof c === 'string' ? index.byCompatible.get(c) : undefined;
    if (!list) continue;
    for (const i of list) if (!out.includes(i)) out.push(i);
    added = true;
  }
  // Keep `always` order (generic entries are already in it).
  return added ? out.sort((a, b) => a - b) : out;
}
