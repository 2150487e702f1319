/**
 * `$ref` cycles that never reach a deeper value: `a.yaml` is `$ref: b.yaml#`, and `b.yaml` is
 * `$ref: a.yaml#`. ajv compiles them, and its validators then call each other on the same value
 * until the stack overflows (dt-validate recurses the same way). Found before a validator is
 * compiled, and reported by the names on the cycle.
 */
import { isObject, type Json, type JsonObject } from './json.js';

/** Keywords whose subschemas apply to the very value the schema holding them applies to. */
const SAME_VALUE_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SAME_VALUE_SCHEMAS = ['not', 'if', 'then', 'else'];

/** `id#/json/pointer` of every `$ref` that `schema` applies to its own value. */
function sameValueRefs(schema: Json, base: string): string[] {
  const out: string[] = [];
  const walk = (s: Json): void => {
    if (!isObject(s)) return;
    if (typeof s.$ref === 'string') {
      try {
        out.push(new URL(s.$ref, base).href);
      } catch {
        // Not a URL ajv could resolve either: reported when compiled.
      }
    }
    for (const k of SAME_VALUE_LISTS) if (Array.isArray(s[k])) (s[k] as Json[]).forEach(walk);
    for (const k of SAME_VALUE_SCHEMAS) walk(s[k] as Json);
    if (isObject(s.dependentSchemas)) Object.values(s.dependentSchemas).forEach(walk);
  };
  walk(schema);
  return out;
}

function atPointer(schema: JsonObject, pointer: string): Json | undefined {
  let at: Json | undefined = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    at = Array.isArray(at) ? at[Number(key)] : isObject(at) ? at[key] : undefined;
  }
  return at;
}

/**
 * The first cycle of same-value `$ref`s reachable from `ref` (`id` or `id#/pointer`), as the
 * references on it (first one repeated last), or undefined. `schemaOf` finds a schema by `$id`
 * without its `#`.
 */
export function findRefCycle(ref: string, schemaOf: (id: string) => JsonObject | undefined): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  // Iterative depth-first search: a chain of references can be as long as the set is large.
  const stack: { ref: string; next: string[] | undefined }[] = [{ ref: normalize(ref), next: undefined }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next === undefined) {
      const seen = state.get(top.ref);
      if (seen === 'open') return [...path.slice(path.indexOf(top.ref)), top.ref];
      if (seen === 'done') {
        stack.pop();
        continue;
      }
      state.set(top.ref, 'open');
      path.push(top.ref);
      const hash = top.ref.indexOf('#');
      const id = hash < 0 ? top.ref : top.ref.slice(0, hash);
      const schema = schemaOf(id);
      const target = schema && (hash < 0 ? schema : atPointer(schema, top.ref.slice(hash + 1)));
      top.next = target === undefined ? [] : sameValueRefs(target, id).map(normalize).reverse();
    }
    const next = top.next.pop();
    if (next !== undefined) stack.push({ ref: next, next: undefined });
    else {
      state.set(top.ref, 'done');
      path.pop();
      stack.pop();
    }
  }
  return undefined;
}

function normalize(ref: string): string {
  return ref.endsWith('#') ? ref.slice(0, -1) : ref;
}
