/**
 * Cheap necessary conditions for `select` schemas, so that the ~230 schemas dt-validate applies
 * to every node are not all run on every node. A select that requires `compatible` to contain
 * one of some strings is indexed by those strings; any other select is guarded by the
 * properties it requires. A candidate still runs its real select: this only skips schemas that
 * could not match.
 */
import { isObject, type Json } from './json.js';

export interface SelectIndex {
  /** compatible string → indexes (into `always`) of schemas selectable only through it. */
  byCompatible: Map<string, number[]>;
  /** Other schemas: index and the properties their select requires. */
  generic: { index: number; required: string[] }[];
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
  const generic: SelectIndex['generic'] = [];
  always.forEach((id, index) => {
    const select = selectOf(id);
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
  return { byCompatible, generic };
}

/** Indexes (in `always` order) of the schemas whose select may match a node with these keys and compatibles. */
export function selectCandidates(index: SelectIndex, node: Record<string, unknown>, compatibles: unknown): number[] {
  const out: number[] = [];
  for (const g of index.generic) if (g.required.every((r) => r in node)) out.push(g.index);
  if (Array.isArray(compatibles)) {
    for (const c of compatibles) {
      const list = typeof c === 'string' ? index.byCompatible.get(c) : undefined;
      if (list) out.push(...list);
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}
