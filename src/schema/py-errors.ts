/**
 * The errors Python's jsonschema 4.10.3 (the version dt-validate v2025.06.1 ran with for the
 * references) yields for an instance that fails a schema: its Draft201909Validator's keywords,
 * error paths, oneOf/anyOf contexts and its `find_evaluated_property_keys_by_schema`, whose
 * treatment of a property that fails its own schema as "unevaluated" gives dt-validate's knock-on
 * `Unevaluated properties` lines. ajv gives the verdict (fast, compiled); this interpreter runs
 * only for a (node, schema) pair ajv failed, to say *why* in dt-validate's words.
 *
 * Schemas are walked with their keys sorted, as dt-validate reads them from processed-schema.json
 * (written with sort_keys): keyword order decides error order and the text of dict reprs.
 */
import { valueSizes, RawBytes } from './decode.js';
import { isObject, type Json, type JsonObject } from './json.js';
import { bindingRegExp } from './regex.js';
import { pyRepr } from './messages.js';

export type PathPart = string | number;

export interface PyError {
  message: string;
  /** The keyword that failed (jsonschema's `validator`); null for a false schema. */
  keyword: string | null;
  /** Instance path relative to the parent error (`relative_path`). */
  path: PathPart[];
  /** Schema path relative to the parent error (`relative_schema_path`). */
  schemaPath: PathPart[];
  instance: unknown;
  /** The schema holding the keyword. */
  schema: Json;
  /** Errors of the failed branches of an anyOf/oneOf. */
  context: PyError[];
  parent?: PyError;
  /** unevaluatedProperties / additionalProperties: the names it rejects. */
  extras?: string[];
  /** oneOf valid under several branches: those branches (first valid last, as jsonschema lists them). */
  validUnder?: Json[];
}

/** `absolute_path`: the path from the validated node. */
export function absolutePath(error: PyError): PathPart[] {
  return error.parent ? [...absolutePath(error.parent), ...error.path] : error.path;
}

type SchemaLookup = (id: string) => JsonObject | undefined;

/** Object keys sorted, recursively (Python's json.dump(sort_keys=True) then json.load). */
export function sortedSchema(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedSchema);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const k of Object.keys(value).sort()) out[k] = sortedSchema(value[k]!);
  return out;
}

function isType(instance: unknown, type: string): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(instance);
    case 'object':
      return typeof instance === 'object' && instance !== null && !Array.isArray(instance) && !(instance instanceof RawBytes);
    case 'string':
      return typeof instance === 'string';
    case 'boolean':
      return typeof instance === 'boolean';
    case 'null':
      return instance === null;
    case 'integer':
      return (typeof instance === 'number' && Number.isInteger(instance)) || typeof instance === 'bigint';
    case 'number':
      return typeof instance === 'number' || typeof instance === 'bigint';
    default:
      return false;
  }
}

/** jsonschema's `equal`: booleans are not numbers, sequences and mappings compared deeply. */
function strictEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => strictEqual(x, b[i]));
  if (isType(a, 'object') && isType(b, 'object')) {
    const ka = Object.keys(a as object);
    const ob = b as Record<string, unknown>;
    return ka.length === Object.keys(ob).length && ka.every((k) => k in ob && strictEqual((a as Record<string, unknown>)[k], ob[k]));
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  return a === b || (a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && Number(a) === Number(b));
}

/** Python's `==` (True == 1), which `enum`'s `in` test uses. */
function pyEqual(a: unknown, b: unknown): boolean {
  const num = (v: unknown): number | undefined => (typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);
  const na = num(a);
  const nb = num(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  if (isType(a, 'object') && isType(b, 'object')) {
    const ob = b as Record<string, unknown>;
    const ka = Object.keys(a as object);
    return ka.length === Object.keys(ob).length && ka.every((k) => k in ob && pyEqual((a as Record<string, unknown>)[k], ob[k]));
  }
  return a === b;
}

function uniq(items: unknown[]): boolean {
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) if (strictEqual(items[i], items[j])) return false;
  return true;
}

function extrasMsg(extras: string[]): [string, string] {
  return [[...extras].sort().map(pyRepr).join(', '), extras.length === 1 ? 'was' : 'were'];
}

function joinUrl(base: string, ref: string): string {
  try {
    return new URL(ref, base || undefined).href;
  } catch {
    return ref;
  }
}

function newError(message: string, extra: Partial<PyError> = {}): PyError {
  return { message, keyword: null, path: [], schemaPath: [], instance: undefined, schema: null, context: [], ...extra };
}

/** A property name's size travels with its value in Python (sized_int); here it sits on the holder. */
function wrapProperty(holder: object, property: string, value: unknown): Record<string, unknown> {
  const wrapper = { [property]: value };
  const sizes = valueSizes.get(holder);
  if (sizes !== undefined && typeof sizes !== 'number') valueSizes.set(wrapper, sizes);
  return wrapper;
}

function sizeOf(parent: unknown, key: PathPart | undefined): number {
  if (parent === undefined || typeof parent !== 'object' || parent === null) return 32;
  const holder = valueSizes.get(parent);
  if (holder === undefined) return 32;
  if (typeof holder === 'number') return holder;
  return holder.get(String(key)) ?? 32;
}

interface Where {
  parent?: unknown;
  key?: PathPart;
}

/** Draft 2019-09 as jsonschema 4.10.3 validates it, over processed dt-schema schemas. */
export class PyValidator {
  private readonly docs = new Map<string, Json>();
  private readonly regexes = new Map<string, { test(s: string): boolean } | null>();

  /**
   * Verdicts already reached in this errors() call, per object instance, schema and base URL.
   * jsonschema asks the same question many times (a oneOf's branches, then the evaluated keys of
   * each valid one, then the `unevaluatedProperties` below it); the answer cannot change within a
   * call, but may between calls (dt-validate sets `$nodename` on a node when it is checked).
   */
  private verdicts: WeakMap<object, Map<Json, Map<string, boolean>>> | undefined;

  constructor(private readonly lookup: SchemaLookup) {}

  /** The document with this URL (no fragment), keys sorted; dt-validate's stand-in for a missing one. */
  private document(url: string): Json {
    let doc = this.docs.get(url);
    if (doc === undefined) {
      const found = this.lookup(url);
      doc = found ? sortedSchema(found) : { not: { description: `Can't find referenced schema: ${url}#` } };
      this.docs.set(url, doc);
    }
    return doc;
  }

  /** A top-level schema by `$id`, keys sorted. */
  schema(id: string): Json {
    return this.document(id.replace(/#$/, ''));
  }

  private search(pattern: string, text: string): boolean {
    let re = this.regexes.get(pattern);
    if (re === undefined) {
      try {
        re = bindingRegExp(pattern, '');
      } catch {
        re = null;
      }
      this.regexes.set(pattern, re);
    }
    return re !== null && re.test(text);
  }

  private resolve(base: string, ref: string): { url: string; schema: Json } {
    const url = joinUrl(base, ref);
    const hash = url.indexOf('#');
    const docUrl = hash < 0 ? url : url.slice(0, hash);
    let target: Json | undefined = this.document(docUrl);
    const fragment = (hash < 0 ? '' : url.slice(hash + 1)).replace(/^\/+/, '');
    if (fragment) {
      for (const raw of decodeURIComponent(fragment).split('/')) {
        const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        if (Array.isArray(target)) target = target[Number(part)];
        else if (isObject(target)) target = target[part];
        else target = undefined;
      }
    }
    return { url, schema: target === undefined ? { not: { description: `Unresolvable JSON pointer: ${fragment}` } } : target };
  }

  isValid(instance: unknown, schema: Json, base: string, where: Where = {}): boolean {
    // the position (`where`) only matters to values sized by their holder: objects are not
    const memo = this.verdicts && typeof instance === 'object' && instance !== null && !Array.isArray(instance) ? this.verdicts : undefined;
    let bySchema: Map<Json, Map<string, boolean>> | undefined;
    let byBase: Map<string, boolean> | undefined;
    if (memo) {
      bySchema = memo.get(instance as object);
      if (!bySchema) memo.set(instance as object, (bySchema = new Map()));
      byBase = bySchema.get(schema);
      const known = byBase?.get(base);
      if (known !== undefined) return known;
    }
    let valid = true;
    for (const _ of this.iterErrors(instance, schema, base, where)) {
      valid = false;
      break;
    }
    if (bySchema) {
      if (!byBase) bySchema.set(schema, (byBase = new Map()));
      byBase.set(base, valid);
    }
    return valid;
  }

  /** Every error, as a list. */
  errors(instance: unknown, schema: Json, base = ''): PyError[] {
    this.verdicts = new WeakMap();
    try {
      return [...this.iterErrors(instance, schema, base, {})];
    } finally {
      this.verdicts = undefined;
    }
  }

  *descend(instance: unknown, schema: Json, base: string, path?: PathPart, schemaPath?: PathPart, where: Where = {}): Generator<PyError> {
    for (const error of this.iterErrors(instance, schema, base, where)) {
      if (path !== undefined) error.path.unshift(path);
      if (schemaPath !== undefined) error.schemaPath.unshift(schemaPath);
      yield error;
    }
  }

  *iterErrors(instance: unknown, schema: Json, base: string, where: Where): Generator<PyError> {
    if (schema === true) return;
    if (schema === false) {
      yield newError(`False schema does not allow ${pyRepr(instance)}`, { instance, schema });
      return;
    }
    if (!isObject(schema)) return;
    if (typeof schema.$id === 'string') base = joinUrl(base, schema.$id);
    for (const [k, v] of Object.entries(schema)) {
      const keyword = this.keyword(k);
      if (!keyword) continue;
      for (const error of keyword.call(this, v, instance, schema, base, where)) {
        if (error.keyword === null && error.schema === null) {
          error.keyword = k;
          error.instance = instance;
          error.schema = schema;
        }
        if (k !== 'if' && k !== '$ref') error.schemaPath.unshift(k);
        yield error;
      }
    }
  }

  private keyword(k: string): ((this: PyValidator, v: Json, instance: unknown, schema: JsonObject, base: string, where: Where) => Iterable<PyError>) | undefined {
    return KEYWORDS[k];
  }

  /** jsonschema's find_evaluated_property_keys_by_schema. */
  evaluatedKeys(instance: Record<string, unknown>, schema: Json, base: string): string[] {
    if (typeof schema === 'boolean' || !isObject(schema)) return [];
    if (typeof schema.$id === 'string') base = joinUrl(base, schema.$id);
    const keys: string[] = [];
    if (typeof schema.$ref === 'string') {
      const { url, schema: resolved } = this.resolve(base, schema.$ref);
      keys.push(...this.evaluatedKeys(instance, resolved, url));
    }
    for (const keyword of ['properties', 'additionalProperties', 'unevaluatedProperties']) {
      if (!(keyword in schema)) continue;
      const sub = schema[keyword]!;
      if (typeof sub === 'boolean') {
        for (const [p, v] of Object.entries(instance)) if (this.isValid(wrapProperty(instance, p, v), sub, base)) keys.push(p);
      }
      if (isObject(sub)) {
        for (const [p, s] of Object.entries(sub)) if (p in instance && this.isValid(instance[p], s, base, { parent: instance, key: p })) keys.push(p);
      }
    }
    if (isObject(schema.patternProperties)) {
      // jsonschema checks {property: value} against the patternProperties mapping itself, which has
      // no keywords: any property a pattern matches counts as evaluated.
      for (const p of Object.keys(instance)) for (const pattern of Object.keys(schema.patternProperties)) if (this.search(pattern, p)) keys.push(p);
    }
    if (isObject(schema.dependentSchemas)) {
      for (const [p, s] of Object.entries(schema.dependentSchemas)) if (p in instance) keys.push(...this.evaluatedKeys(instance, s, base));
    }
    for (const keyword of ['allOf', 'oneOf', 'anyOf']) {
      const list = schema[keyword];
      if (!Array.isArray(list)) continue;
      for (const s of list) if (this.isValid(instance, s, base)) keys.push(...this.evaluatedKeys(instance, s, base));
    }
    if ('if' in schema) {
      if (this.isValid(instance, schema.if!, base)) {
        keys.push(...this.evaluatedKeys(instance, schema.if!, base));
        if ('then' in schema) keys.push(...this.evaluatedKeys(instance, schema.then!, base));
      } else if ('else' in schema) keys.push(...this.evaluatedKeys(instance, schema.else!, base));
    }
    return keys;
  }

  /** jsonschema's find_evaluated_item_indexes_by_schema. */
  evaluatedIndexes(instance: unknown[], schema: Json, base: string): number[] {
    if (typeof schema === 'boolean' || !isObject(schema)) return [];
    if ('items' in schema) return instance.map((_, i) => i);
    const out: number[] = [];
    if (typeof schema.$ref === 'string') {
      const { url, schema: resolved } = this.resolve(base, schema.$ref);
      out.push(...this.evaluatedIndexes(instance, resolved, url));
    }
    if ('if' in schema) {
      if (this.isValid(instance, schema.if!, base)) {
        out.push(...this.evaluatedIndexes(instance, schema.if!, base));
        if ('then' in schema) out.push(...this.evaluatedIndexes(instance, schema.then!, base));
      } else if ('else' in schema) out.push(...this.evaluatedIndexes(instance, schema.else!, base));
    }
    for (const keyword of ['contains', 'unevaluatedItems']) {
      if (keyword in schema) instance.forEach((v, i) => this.isValid(v, schema[keyword]!, base) && out.push(i));
    }
    for (const keyword of ['allOf', 'oneOf', 'anyOf']) {
      const list = schema[keyword];
      if (Array.isArray(list)) for (const s of list) if (this.isValid(instance, s, base)) out.push(...this.evaluatedIndexes(instance, s, base));
    }
    return out;
  }

  /** The resolved `$ref` target, for keyword code. */
  resolveRef(base: string, ref: string): { url: string; schema: Json } {
    return this.resolve(base, ref);
  }

  searchPattern(pattern: string, text: string): boolean {
    return this.search(pattern, text);
  }
}

type Keyword = (this: PyValidator, v: Json, instance: unknown, schema: JsonObject, base: string, where: Where) => Iterable<PyError>;

function ownError(message: string, extra: Partial<PyError> = {}): PyError {
  return newError(message, extra);
}

function isObj(instance: unknown): instance is Record<string, unknown> {
  return isType(instance, 'object');
}

const KEYWORDS: Record<string, Keyword> = {
  *$ref(ref, instance, _schema, base, where) {
    if (typeof ref !== 'string') return;
    const { url, schema } = this.resolveRef(base, ref);
    yield* this.descend(instance, schema, url, undefined, undefined, where);
  },
  *additionalItems(aI, instance, schema, base) {
    if (!Array.isArray(instance) || isObject(schema.items ?? {})) return;
    const n = Array.isArray(schema.items) ? schema.items.length : 0;
    if (isObject(aI)) {
      for (let i = n; i < instance.length; i++) yield* this.descend(instance[i], aI, base, i, undefined, { parent: instance, key: i });
    } else if (aI === false && instance.length > n) {
      const extras = instance.slice(n);
      yield ownError(`Additional items are not allowed (${extras.map(pyRepr).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`);
    }
  },
  *additionalProperties(aP, instance, schema, base) {
    if (!isObj(instance)) return;
    const properties = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];
    const extras = Object.keys(instance).filter((p) => !(p in properties) && !patterns.some((pat) => this.searchPattern(pat, p)));
    if (isObject(aP)) {
      for (const extra of extras) yield* this.descend(instance[extra], aP, base, extra, undefined, { parent: instance, key: extra });
    } else if (aP === false && extras.length) {
      if ('patternProperties' in schema) {
        const joined = [...extras].sort().map(pyRepr).join(', ');
        yield ownError(`${joined} ${extras.length === 1 ? 'does' : 'do'} not match any of the regexes: ${[...patterns].sort().map(pyRepr).join(', ')}`, { extras });
      } else {
        const [list, verb] = extrasMsg(extras);
        yield ownError(`Additional properties are not allowed (${list} ${verb} unexpected)`, { extras });
      }
    }
  },
  *allOf(list, instance, _schema, base) {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) yield* this.descend(instance, list[i]!, base, undefined, i);
  },
  *anyOf(list, instance, _schema, base) {
    if (!Array.isArray(list)) return;
    const all: PyError[] = [];
    for (let i = 0; i < list.length; i++) {
      const errs = [...this.descend(instance, list[i]!, base, undefined, i)];
      if (!errs.length) return;
      all.push(...errs);
    }
    yield withContext(ownError(`${pyRepr(instance)} is not valid under any of the given schemas`), all);
  },
  *oneOf(list, instance, _schema, base) {
    if (!Array.isArray(list)) return;
    const all: PyError[] = [];
    let firstValid = -1;
    for (let i = 0; i < list.length; i++) {
      const errs = [...this.descend(instance, list[i]!, base, undefined, i)];
      if (!errs.length) {
        firstValid = i;
        break;
      }
      all.push(...errs);
    }
    if (firstValid < 0) {
      yield withContext(ownError(`${pyRepr(instance)} is not valid under any of the given schemas`), all);
      return;
    }
    const more = list.slice(firstValid + 1).filter((s) => this.isValid(instance, s, base));
    if (more.length) {
      more.push(list[firstValid]!);
      yield ownError(`${pyRepr(instance)} is valid under each of ${more.map(pyRepr).join(', ')}`, { validUnder: more });
    }
  },
  *const(value, instance) {
    if (!strictEqual(instance, value)) yield ownError(`${pyRepr(value)} was expected`);
  },
  *contains(sub, instance, schema, base) {
    if (!Array.isArray(instance)) return;
    const min = typeof schema.minContains === 'number' ? schema.minContains : 1;
    const max = typeof schema.maxContains === 'number' ? schema.maxContains : instance.length;
    let matches = 0;
    for (const each of instance) {
      if (this.isValid(each, sub, base)) {
        matches++;
        if (matches > max) {
          yield ownError(`Too many items match the given schema (expected at most ${max})`, { keyword: 'maxContains', instance, schema });
          return;
        }
      }
    }
    if (matches < min) {
      if (!matches) yield ownError(`${pyRepr(instance)} does not contain items matching the given schema`);
      else yield ownError(`Too few items match the given schema (expected at least ${min} but only ${matches} matched)`, { keyword: 'minContains', instance, schema });
    }
  },
  *dependentRequired(deps, instance) {
    if (!isObj(instance) || !isObject(deps)) return;
    for (const [p, list] of Object.entries(deps)) {
      if (!(p in instance) || !Array.isArray(list)) continue;
      for (const each of list) if (typeof each === 'string' && !(each in instance)) yield ownError(`${pyRepr(each)} is a dependency of ${pyRepr(p)}`);
    }
  },
  *dependentSchemas(deps, instance, _schema, base) {
    if (!isObj(instance) || !isObject(deps)) return;
    for (const [p, s] of Object.entries(deps)) if (p in instance) yield* this.descend(instance, s, base, undefined, p);
  },
  *enum(values, instance) {
    if (!Array.isArray(values)) return;
    let found: boolean;
    if (instance === 0 || instance === 1 || instance === true || instance === false) found = values.some((e) => strictEqual(e, instance) || (typeof e !== 'boolean' && typeof instance !== 'boolean' && pyEqual(e, instance)));
    else found = values.some((e) => pyEqual(instance, e));
    if (!found) yield ownError(`${pyRepr(instance)} is not one of ${pyRepr(values)}`);
  },
  *exclusiveMaximum(limit, instance) {
    if (isType(instance, 'number') && typeof limit === 'number' && Number(instance) >= limit) yield ownError(`${pyRepr(instance)} is greater than or equal to the maximum of ${pyRepr(limit)}`);
  },
  *exclusiveMinimum(limit, instance) {
    if (isType(instance, 'number') && typeof limit === 'number' && Number(instance) <= limit) yield ownError(`${pyRepr(instance)} is less than or equal to the minimum of ${pyRepr(limit)}`);
  },
  *if(ifSchema, instance, schema, base) {
    if (this.isValid(instance, ifSchema, base)) {
      if ('then' in schema) yield* this.descend(instance, schema.then!, base, undefined, 'then');
    } else if ('else' in schema) yield* this.descend(instance, schema.else!, base, undefined, 'else');
  },
  *items(items, instance, _schema, base) {
    if (!Array.isArray(instance)) return;
    if (Array.isArray(items)) {
      const n = Math.min(items.length, instance.length);
      for (let i = 0; i < n; i++) yield* this.descend(instance[i], items[i]!, base, i, i, { parent: instance, key: i });
    } else for (let i = 0; i < instance.length; i++) yield* this.descend(instance[i], items, base, i, undefined, { parent: instance, key: i });
  },
  *maxItems(n, instance) {
    if (Array.isArray(instance) && typeof n === 'number' && instance.length > n) yield ownError(`${pyRepr(instance)} is too long`);
  },
  *maxLength(n, instance) {
    if (typeof instance === 'string' && typeof n === 'number' && [...instance].length > n) yield ownError(`${pyRepr(instance)} is too long`);
  },
  *maxProperties(n, instance) {
    if (isObj(instance) && typeof n === 'number' && Object.keys(instance).length > n) yield ownError(`${pyRepr(instance)} has too many properties`);
  },
  *maximum(limit, instance) {
    if (isType(instance, 'number') && typeof limit === 'number' && Number(instance) > limit) yield ownError(`${pyRepr(instance)} is greater than the maximum of ${pyRepr(limit)}`);
  },
  *minItems(n, instance) {
    if (Array.isArray(instance) && typeof n === 'number' && instance.length < n) yield ownError(`${pyRepr(instance)} is too short`);
  },
  *minLength(n, instance) {
    if (typeof instance === 'string' && typeof n === 'number' && [...instance].length < n) yield ownError(`${pyRepr(instance)} is too short`);
  },
  *minProperties(n, instance) {
    if (isObj(instance) && typeof n === 'number' && Object.keys(instance).length < n) yield ownError(`${pyRepr(instance)} does not have enough properties`);
  },
  *minimum(limit, instance) {
    if (isType(instance, 'number') && typeof limit === 'number' && Number(instance) < limit) yield ownError(`${pyRepr(instance)} is less than the minimum of ${pyRepr(limit)}`);
  },
  *multipleOf(d, instance) {
    if (!isType(instance, 'number') || typeof d !== 'number') return;
    const q = Number(instance) / d;
    if (Number.isInteger(d) ? Number(instance) % d !== 0 : !Number.isInteger(q)) yield ownError(`${pyRepr(instance)} is not a multiple of ${d}`);
  },
  *not(sub, instance, _schema, base) {
    if (this.isValid(instance, sub, base)) yield ownError(`${pyRepr(instance)} should not be valid under ${pyRepr(sub)}`);
  },
  *pattern(p, instance) {
    if (typeof instance === 'string' && typeof p === 'string' && !this.searchPattern(p, instance)) yield ownError(`${pyRepr(instance)} does not match ${pyRepr(p)}`);
  },
  *patternProperties(patterns, instance, _schema, base) {
    if (!isObj(instance) || !isObject(patterns)) return;
    for (const [pattern, sub] of Object.entries(patterns)) {
      for (const [k, v] of Object.entries(instance)) if (this.searchPattern(pattern, k)) yield* this.descend(v, sub, base, k, pattern, { parent: instance, key: k });
    }
  },
  *properties(props, instance, _schema, base) {
    if (!isObj(instance) || !isObject(props)) return;
    for (const [p, sub] of Object.entries(props)) if (p in instance) yield* this.descend(instance[p], sub, base, p, p, { parent: instance, key: p });
  },
  *propertyNames(sub, instance, _schema, base) {
    if (!isObj(instance)) return;
    for (const p of Object.keys(instance)) yield* this.descend(p, sub, base);
  },
  *required(list, instance) {
    if (!isObj(instance) || !Array.isArray(list)) return;
    for (const p of list) if (typeof p === 'string' && !(p in instance)) yield ownError(`${pyRepr(p)} is a required property`);
  },
  *type(types, instance) {
    const list = typeof types === 'string' ? [types] : Array.isArray(types) ? types : [];
    if (!list.some((t) => typeof t === 'string' && isType(instance, t))) yield ownError(`${pyRepr(instance)} is not of type ${list.map(pyRepr).join(', ')}`);
  },
  *typeSize(expected, _instance, _schema, _base, where) {
    const size = sizeOf(where.parent, where.key);
    if (size !== expected) yield ownError(`size is ${size}, expected ${pyRepr(expected)}`);
  },
  *unevaluatedItems(uI, instance, schema, base) {
    if (!Array.isArray(instance)) return;
    const evaluated = new Set(this.evaluatedIndexes(instance, schema, base));
    const items = instance.filter((_, i) => !evaluated.has(i));
    if (items.length) yield ownError(`Unevaluated items are not allowed (${items.map(pyRepr).sort().join(', ')} ${items.length === 1 ? 'was' : 'were'} unexpected)`);
    void uI;
  },
  *unevaluatedProperties(uP, instance, schema, base) {
    if (!isObj(instance)) return;
    const evaluated = new Set(this.evaluatedKeys(instance, schema, base));
    const extras: string[] = [];
    for (const p of Object.keys(instance)) {
      if (evaluated.has(p)) continue;
      for (const _ of this.descend(instance[p], uP, base, p, p, { parent: instance, key: p })) extras.push(p);
    }
    if (extras.length) {
      const [list, verb] = extrasMsg(extras);
      yield ownError(`Unevaluated properties are not allowed (${list} ${verb} unexpected)`, { extras });
    }
  },
  *uniqueItems(u, instance) {
    if (u && Array.isArray(instance) && !uniq(instance)) yield ownError(`${pyRepr(instance)} has non-unique elements`);
  },
};

function withContext(error: PyError, context: PyError[]): PyError {
  error.context = context;
  for (const e of context) e.parent = error;
  return error;
}
