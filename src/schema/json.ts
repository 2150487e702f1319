/** JSON values as bindings hold them after YAML parsing, and the small predicates dt-schema uses on them. */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's `isinstance(x, int)`, which is also true of booleans. */
function isPythonInt(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'boolean';
}

function firstValueIs(schema: JsonObject, key: string, test: (v: unknown) => boolean): boolean {
  if (!(key in schema)) return false;
  const value = schema[key];
  return test(Array.isArray(value) ? value[0] : value);
}

/** A schema constraining one integer (const/enum/minimum/maximum with an integer). */
export function isIntSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  return ['const', 'enum', 'minimum', 'maximum'].some((k) => firstValueIs(schema, k, isPythonInt));
}

/** A schema constraining one string (const/enum/pattern with a string). */
export function isStringSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  return ['const', 'enum', 'pattern'].some((k) => firstValueIs(schema, k, (v) => typeof v === 'string'));
}

export function deepCopy<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** Every value stored under `key` anywhere in `json` (dt-schema's item_generator: no descent below a hit). */
export function* valuesOfKey(json: Json, key: string): Generator<Json> {
  if (Array.isArray(json)) {
    for (const item of json) yield* valuesOfKey(item, key);
  } else if (isObject(json)) {
    for (const [k, v] of Object.entries(json)) {
      if (k === key) yield v;
      else yield* valuesOfKey(v, key);
    }
  }
}

/** Python-style `==` on JSON values (dicts compare by content, not key order). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k]!, b[k]!));
  }
  return false;
}
