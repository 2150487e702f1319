/**
 * The property type table dt-validate extracts from all processed schemas (`extract_types` /
 * `get_prop_types` in dt-schema's validator.py): for each property name (or pattern), the types
 * bindings give it and, for matrices and phandle-arrays, the range of their dimensions. A blob
 * carries no types; this table is how its bytes are decoded.
 */
import { isObject, isStringSchema, type Json, type JsonObject } from './json.js';
import { compileBindingPattern, type RegExpLike } from './regex.js';

/** [[outer min, outer max], [inner min, inner max]] */
export type Dim = [[number, number], [number, number]];

export interface PropType {
  type: string | null;
  ids: string[];
  dim?: Dim;
  /** Set for patternProperties entries. */
  pattern?: boolean;
}

export interface PropTypeTable {
  props: Record<string, PropType[]>;
  /** patternProperties with a type; only each pattern's first entry is consulted. */
  patternProps: Record<string, PropType[]>;
}

const TYPE_RE = /(address|flag|u?int(8|16|32|64)(-(array|matrix))?|string(-array)?|phandle(-array)?)/;

function arrayRange(schema: Json): [number, number] {
  if (Array.isArray(schema)) {
    if (schema.length !== 1) return [0, 0];
    schema = schema[0]!;
  }
  if (!isObject(schema)) return [1, 0];
  if (Array.isArray(schema.items)) {
    const max = schema.items.length;
    return [typeof schema.minItems === 'number' ? schema.minItems : max, max];
  }
  const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : typeof schema.minItems === 'number' ? schema.minItems : 0;
  return [min, max];
}

function mergeDim(a: Dim, b: Dim): Dim {
  const out: [number, number][] = [];
  for (let i = 0; i < 2; i++) {
    const max = Math.max(a[i]![1], b[i]![1]);
    const min = max === 1 ? 1 : Math.min(a[i]![0], b[i]![0]);
    out.push([min, max]);
  }
  return out as Dim;
}

function isNodeLike(schema: JsonObject): boolean {
  return schema.type === 'object' || 'properties' in schema || 'patternProperties' in schema || 'additionalProperties' in schema;
}

function extractPropType(table: Record<string, PropType[]>, schema: JsonObject, propname: string, sub: Json, isPattern: boolean): void {
  if (propname.startsWith('$')) return;
  const id = schema.$id as string;
  if (!isObject(sub)) {
    if (sub === true && !(propname in table)) table[propname] = [{ type: null, ids: [id], ...(isPattern ? { pattern: true } : {}) }];
    return;
  }

  let propType: string | null = null;
  const ref = typeof sub.$ref === 'string' ? sub.$ref : undefined;
  if (ref !== undefined) {
    if (ref.startsWith('#/')) {
      if (table[propname]?.some((p) => p.ids.includes(id))) return;
      let target: Json | undefined = schema;
      for (const part of ref.split('/').slice(1)) target = isObject(target) ? target[part] : undefined;
      if (target !== undefined) extractPropType(table, schema, propname, target, isPattern);
    } else if (ref.includes('/properties/')) {
      propType = ref.split('/').pop()!;
      if (propType === propname) propType = null;
    }
  }
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    const list = sub[k];
    if (Array.isArray(list)) for (const v of list) extractPropType(table, schema, propname, v, isPattern);
  }
  const entries = (table[propname] ??= []);

  if (isNodeLike(sub)) propType = 'node';
  else {
    const match = ref !== undefined ? TYPE_RE.exec(ref) : null;
    if (match) propType = match[0];
    else if (sub.type === 'boolean') propType = 'flag';
    else if ('items' in sub) {
      const items = sub.items!;
      if ((Array.isArray(items) && isStringSchema(items[0])) || (isObject(items) && isStringSchema(items))) {
        propType = 'string-array';
      } else {
        // dt-schema guards this with a 1x1-matrix test that can never be true, so it always lands here.
        if (/-microvolt$/.test(propname)) propType = 'int32-matrix';
        else if (/(^(?!opp)).*-hz$/.test(propname)) propType = 'uint32-matrix';
        else propType = null;
      }
    } else if (ref !== undefined && /\.yaml#?$/.test(ref)) propType = 'node';
  }

  const entry: PropType = { type: propType, ids: [id], ...(isPattern ? { pattern: true } : {}) };
  if (!propType) {
    if (entries.length === 0) entries.push(entry);
    return;
  }

  let dim: Dim | undefined;
  if (propType === 'phandle-array' || propType.endsWith('-matrix')) {
    const outer = arrayRange(sub);
    let inner: [number, number] = [0, 0];
    if ('items' in sub) inner = Array.isArray(sub.items) ? arrayRange(sub.items[0]!) : arrayRange(sub.items ?? {});
    dim = [outer, inner];
    entry.dim = dim;
  }

  let keep: PropType | undefined = entry;
  let untyped: PropType | undefined;
  for (const p of entries) {
    if (p.type === null) {
      untyped = p;
      break;
    }
    if (dim && (p.type === 'phandle-array' || p.type.endsWith('-matrix'))) {
      p.dim = p.dim ? mergeDim(p.dim, dim) : dim;
      if (!p.ids.includes(id)) p.ids.push(id);
      keep = undefined;
      break;
    }
    if (p.type === propType) {
      keep = undefined;
      if (!p.ids.includes(id)) p.ids.push(id);
      break;
    }
    if (propType.includes('string') && p.type.includes('string')) {
      if (propType === 'string-array') p.type = propType;
      if (!p.ids.includes(id)) p.ids.push(id);
      keep = undefined;
      break;
    }
  }
  if (untyped) entries.splice(entries.indexOf(untyped), 1);
  if (keep) entries.push(keep);

  if ('properties' in sub || 'patternProperties' in sub || 'additionalProperties' in sub) extractSubschemaTypes(table, schema, sub);
}

function extractSubschemaTypes(table: Record<string, PropType[]>, schema: JsonObject, sub: Json): void {
  if (!isObject(sub)) return;
  if ('additionalProperties' in sub) extractSubschemaTypes(table, schema, sub.additionalProperties!);
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    const list = sub[k];
    if (Array.isArray(list)) for (const v of list) extractSubschemaTypes(table, schema, v);
  }
  for (const k of ['properties', 'patternProperties']) {
    const props = sub[k];
    if (!isObject(props)) continue;
    for (const [name, v] of Object.entries(props)) extractPropType(table, schema, name, v, k === 'patternProperties');
  }
}

/** Builds the table from processed schemas, in their order. */
export function buildPropTypeTable(schemas: JsonObject[]): PropTypeTable {
  const table: Record<string, PropType[]> = Object.create(null);
  for (const schema of schemas) extractSubschemaTypes(table, schema, schema);

  // A type given as another property's name ('/properties/foo') takes that property's type.
  for (const entries of Object.values(table)) {
    for (const v of entries) {
      if (!v.type || v.type === 'node') continue;
      if (!TYPE_RE.test(v.type)) {
        v.type = table[v.type]?.[0]?.type ?? null;
        break;
      }
    }
  }

  delete table['^[a-z][a-z0-9\\-]*$'];
  for (const key of Object.keys(table)) {
    table[key] = table[key]!.filter((t) => t.type !== 'node');
    if (table[key]!.length === 0) delete table[key];
  }
  const patternProps: Record<string, PropType[]> = Object.create(null);
  for (const key of Object.keys(table)) {
    if (!table[key]![0]!.pattern) continue;
    if (table[key]![0]!.type !== null) patternProps[key] = table[key]!;
    delete table[key];
  }
  const patterns = Object.entries(patternProps).map(([p, v]) => [compileBindingPattern(p), v] as const);
  for (const key of Object.keys(table)) {
    if (table[key]![0]!.type !== null) continue;
    if (patterns.some(([re, v]) => v[0]!.type && re?.test(key))) delete table[key];
  }
  return { props: table, patternProps };
}

/** Types and dimensions of one property name, as dt-validate's property_get_type(_dim). */
export class PropTypeLookup {
  private readonly patterns: { re: RegExpLike; entries: PropType[] }[];
  private readonly typeCache = new Map<string, Set<string>>();
  private readonly dimCache = new Map<string, Dim | undefined>();

  constructor(readonly table: PropTypeTable) {
    this.patterns = [];
    for (const [p, entries] of Object.entries(table.patternProps)) {
      const re = compileBindingPattern(p);
      if (re) this.patterns.push({ re, entries });
    }
  }

  /** The table's entries for a property name (own entries only: a cached table is a plain object, where `constructor` is inherited). */
  private entries(name: string): PropType[] {
    return Object.prototype.hasOwnProperty.call(this.table.props, name) ? this.table.props[name]! : [];
  }

  types(name: string): Set<string> {
    const cached = this.typeCache.get(name);
    if (cached) return cached;
    const types = new Set<string>();
    for (const v of this.entries(name)) if (v.type) types.add(v.type);
    if (types.size === 0) {
      for (const { re, entries } of this.patterns) {
        const first = entries[0]!;
        if (first.type && !types.has(first.type) && re.test(name)) types.add(first.type);
      }
    }
    if (types.size > 1) types.delete('node');
    this.typeCache.set(name, types);
    return types;
  }

  dim(name: string): Dim | undefined {
    if (this.dimCache.has(name)) return this.dimCache.get(name);
    let found: Dim | undefined;
    for (const v of this.entries(name)) {
      if (v.dim) {
        found = v.dim;
        break;
      }
    }
    if (!found) {
      for (const { re, entries } of this.patterns) {
        const first = entries[0]!;
        if (first.type && first.dim && re.test(name)) {
          found = first.dim;
          break;
        }
      }
    }
    this.dimCache.set(name, found);
    return found;
  }

  hasFixedDimensions(name: string): boolean {
    const d = this.dim(name);
    return !!d && ((d[0][0] > 0 && d[0][0] === d[0][1]) || (d[1][0] > 0 && d[1][0] === d[1][1]));
  }
}
