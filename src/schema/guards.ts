/**
 * Which properties a schema applied to every node can fail on. dt-schema applies ~45 core schemas
 * (`select: true`) to each of a board's ~1,300 nodes, and most of them only constrain properties
 * a node may have: clock.yaml says what `clocks` and `assigned-clocks` hold, and a node without
 * any of its 22 properties passes it whatever else it has. For such a schema the guard lists the
 * property names and patterns it looks at; a node with none of them is not run through it —
 * its verdict would be "valid", so skipping it changes no finding and no message.
 *
 * A guard is made only for schemas whose every keyword is one that passes on a node lacking the
 * listed properties: `properties`, `patternProperties`, `dependentRequired`, `dependentSchemas`,
 * `dependencies` (keyed by the properties that trigger them), `type: object`, `true` for
 * `additionalProperties`/`unevaluatedProperties`, `allOf` and `then`/`else` of such schemas (an
 * `if` reports nothing itself), a `$ref` to one, and annotations. Anything else — `required`,
 * `additionalProperties: false`, `oneOf`, `not`, keywords we do not know — means no guard: the
 * schema runs on every node, as before.
 */
import { isObject, type Json, type JsonObject } from './json.js';
import { compileBindingPattern, type RegExpLike } from './regex.js';

/** Property names and patterns (binding syntax) a node must have one of to possibly fail the schema. */
export interface PresenceGuard {
  names: string[];
  patterns: string[];
}

/** Keywords that never report an error (annotations, definitions, dt-schema's own). */
const ANNOTATIONS = new Set(['$id', '$schema', '$filename', '$comment', 'title', 'description', 'maintainers', 'select', 'examples', 'definitions', '$defs', 'deprecated', 'default']);

/** Keys whose object's keys are properties that, when present, trigger the keyword. */
const KEYED_BY_PROPERTY = new Set(['properties', 'dependentRequired', 'dependentSchemas', 'dependencies']);

/** How deep `allOf`/`then`/`$ref` may nest before the analysis gives up (no guard). */
const MAX_DEPTH = 20;

/**
 * The guard of a top-level schema, or undefined when it may fail on a node whatever properties
 * the node has. `lookup` gives a schema by `$id` (without its final `#`), for `$ref`s.
 */
export function presenceGuard(schema: Json, lookup: (id: string) => JsonObject | undefined): PresenceGuard | undefined {
  const names = new Set<string>();
  const patterns = new Set<string>();
  const visit = (s: Json | undefined, base: string, depth: number): boolean => {
    if (s === true) return true;
    if (!isObject(s) || depth > MAX_DEPTH) return false;
    const id = typeof s.$id === 'string' ? s.$id : base;
    for (const [key, value] of Object.entries(s)) {
      if (ANNOTATIONS.has(key) || key === 'if') continue;
      if (key === 'type') {
        if (value === 'object' || (Array.isArray(value) && value.includes('object'))) continue;
        return false;
      }
      if (KEYED_BY_PROPERTY.has(key) && isObject(value)) {
        for (const name of Object.keys(value)) names.add(name);
        continue;
      }
      if (key === 'patternProperties' && isObject(value)) {
        for (const pattern of Object.keys(value)) patterns.add(pattern);
        continue;
      }
      if ((key === 'additionalProperties' || key === 'unevaluatedProperties') && (value === true || (isObject(value) && Object.keys(value).length === 0))) continue;
      if (key === 'allOf' && Array.isArray(value)) {
        if (!value.every((sub) => visit(sub, id, depth + 1))) return false;
        continue;
      }
      if ((key === 'then' || key === 'else') && visit(value, id, depth + 1)) continue;
      if (key === '$ref' && typeof value === 'string') {
        const target = resolveRef(value, id, lookup);
        if (target && visit(target.schema, target.base, depth + 1)) continue;
      }
      return false;
    }
    return true;
  };
  if (!visit(schema, isObject(schema) && typeof schema.$id === 'string' ? schema.$id : '', 0)) return undefined;
  return { names: [...names], patterns: [...patterns] };
}

/** A `$ref` within the set: the schema it points at and the `$id` it is relative to, or undefined. */
function resolveRef(ref: string, base: string, lookup: (id: string) => JsonObject | undefined): { schema: Json; base: string } | undefined {
  let url: string;
  try {
    url = new URL(ref, base).href;
  } catch {
    return undefined;
  }
  const hash = url.indexOf('#');
  const doc = hash < 0 ? url : url.slice(0, hash);
  let target: Json | undefined = lookup(doc);
  if (target === undefined) return undefined;
  const fragment = hash < 0 ? '' : url.slice(hash + 1);
  if (fragment !== '' && !fragment.startsWith('/')) return undefined; // anchors: not followed
  for (const raw of fragment.split('/').slice(1)) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (!isObject(target) || !Object.prototype.hasOwnProperty.call(target, part)) return undefined;
    target = target[part];
  }
  return target === undefined ? undefined : { schema: target, base: doc };
}

/** The guards of the schemas in `always` (null where there is none), from every schema of the set. */
export function guardsOf(schemas: JsonObject[], always: string[]): Record<string, PresenceGuard | null> {
  const byId = new Map<string, JsonObject>();
  for (const s of schemas) if (typeof s.$id === 'string') byId.set(s.$id.replace(/#$/, ''), s);
  const lookup = (id: string): JsonObject | undefined => byId.get(id.replace(/#$/, ''));
  const out: Record<string, PresenceGuard | null> = {};
  for (const id of always) out[id] = presenceGuard(lookup(id) ?? false, lookup) ?? null;
  return out;
}

/** Whether a guard's value is one guardsOf makes (for the cache's shape checks). */
export function isPresenceGuard(v: unknown): v is PresenceGuard | null {
  const strings = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === 'string');
  return v === null || (isObject(v as Json) && strings((v as PresenceGuard).names) && strings((v as PresenceGuard).patterns));
}

/**
 * The guards of a set's `always` schemas, ready to ask about nodes. Per node, its property names
 * are looked up once (`visit`), each in a table of the guards it triggers — built once per name
 * (a board has a few hundred names over ~15,000 properties) — instead of each guard looking for
 * each of its names in each node. As the validators see a node (`node[name] !== undefined`, and
 * `for…in` for patterns): a guard naming a property every object inherits (`constructor`) is
 * treated as no guard, and a guard whose pattern cannot be used likewise.
 */
export class GuardIndex {
  /** Whether each schema has a usable guard; the others may fail any node. */
  private readonly guarded: boolean[];
  private readonly names: Map<string, number[]>;
  private readonly patterns: { index: number; res: RegExpLike[] }[] = [];
  /** Property name → indexes of the guarded schemas it triggers (by name or pattern). */
  private readonly byKey = new Map<string, number[]>();
  /** The node serial each schema was last triggered by. */
  private readonly stamps: Int32Array;
  private serial = 0;

  constructor(guards: (PresenceGuard | null | undefined)[]) {
    this.guarded = guards.map(() => false);
    this.stamps = new Int32Array(guards.length);
    this.names = new Map();
    guards.forEach((guard, index) => {
      if (!guard || guard.names.some((name) => name in Object.prototype)) return;
      const res: RegExpLike[] = [];
      for (const p of guard.patterns) {
        const re = compileBindingPattern(p);
        if (!re) return;
        res.push(re);
      }
      this.guarded[index] = true;
      for (const name of guard.names) {
        const list = this.names.get(name);
        if (list) list.push(index);
        else this.names.set(name, [index]);
      }
      if (res.length) this.patterns.push({ index, res });
    });
  }

  /** Takes in a node's property names; mayFail then answers for that node. */
  visit(node: object): void {
    const serial = ++this.serial;
    for (const key in node) {
      const triggered = this.triggered(key);
      for (let k = 0; k < triggered.length; k++) this.stamps[triggered[k]!] = serial;
    }
  }

  /** Whether the node last visited may fail schema `index` (it has a property the schema looks at, or the schema has no guard). */
  mayFail(index: number): boolean {
    return !this.guarded[index] || this.stamps[index] === this.serial;
  }

  private triggered(key: string): number[] {
    let list = this.byKey.get(key);
    if (!list) {
      list = [...(this.names.get(key) ?? [])];
      for (const { index, res } of this.patterns) if (!list.includes(index) && res.some((re) => re.test(key))) list.push(index);
      this.byKey.set(key, list);
    }
    return list;
  }
}
