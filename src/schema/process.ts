/**
 * From parsed binding files to a processed schema set, as `dt-mk-schema` builds its
 * processed-schema.json: every schema fixed up, the property type table, the schema of documented
 * compatibles, the schemas applied to every node (those with `select`) and the map from
 * compatible string to schema. The result is plain JSON, so it can be cached on disk.
 */
import type { Diagnostic } from '../diagnostics.js';
import { fixupSchema } from './fixups.js';
import { deepCopy, isObject, valuesOfKey, type Json, type JsonObject } from './json.js';
import type { SchemaSource } from './load.js';
import { guardsOf, type PresenceGuard } from './guards.js';
import { buildPropTypeTable, type PropTypeTable } from './prop-types.js';

export const GENERATED_COMPATIBLES_ID = 'generated-compatibles';

export interface ProcessedSchemaSet {
  /** Processed schemas in load order (bindings, then core), `generated-compatibles` last. */
  schemas: JsonObject[];
  /** `$id` → file it came from. */
  files: Record<string, string>;
  propTypes: PropTypeTable;
  /** `$id`s of the schemas with a `select` other than false, in order. */
  always: string[];
  /** compatible string → `$id` (the last schema naming it wins, as in dt-validate). */
  compatMap: Record<string, string>;
  /** `select` of each schema in `always`, by `$id` (to match nodes without loading every schema). */
  selects: Record<string, Json>;
  /** For each schema in `always`: the properties a node needs to possibly fail it (guards.ts), or null. */
  guards: Record<string, PresenceGuard | null>;
  /** The schema of documented compatibles (also the last of `schemas`). */
  generatedCompatibles: JsonObject;
  /**
   * Schemas that loaded schemas `$ref` but that are not in the set (ids without the
   * `http://devicetree.org/schemas/` prefix), e.g. dt-schema's graph.yaml when only our own core
   * schemas are loaded. Validation treats each as a schema nothing satisfies.
   */
  missingRefs: string[];
  diagnostics: Diagnostic[];
}

const SCHEMA_BASE = 'http://devicetree.org/schemas/';

/** Every `$ref` target (without its fragment) of `schemas` that none of them has as `$id`. */
export function findMissingRefs(schemas: JsonObject[]): string[] {
  const ids = new Set(schemas.map((s) => String(s.$id).replace(/#$/, '')));
  const missing = new Set<string>();
  for (const s of schemas) {
    const base = String(s.$id);
    for (const ref of valuesOfKey(s, '$ref')) {
      if (typeof ref !== 'string' || ref.startsWith('#')) continue;
      let target: string;
      try {
        target = new URL(ref, base).href.replace(/#.*$/, '');
      } catch {
        continue;
      }
      if (!ids.has(target)) missing.add(target.startsWith(SCHEMA_BASE) ? target.slice(SCHEMA_BASE.length) : target);
    }
  }
  return [...missing].sort();
}

/** Strings a `compatible` schema names: enum/const values and patterns. */
export function nodeCompatibles(schema: Json): Set<string> {
  const out = new Set<string>();
  if (!isObject(schema)) return out;
  for (const list of valuesOfKey(schema, 'enum')) {
    if (Array.isArray(list) && typeof list[0] === 'string') for (const s of list) out.add(String(s));
  }
  for (const c of valuesOfKey(schema, 'const')) out.add(pythonStr(c));
  for (const p of valuesOfKey(schema, 'pattern')) if (typeof p === 'string') out.add(p);
  return out;
}

/** Python's str() of a JSON scalar, enough for const values. */
function pythonStr(value: Json): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function schemaCompatibles(schema: JsonObject): Set<string> {
  const out = new Set<string>();
  for (const sub of valuesOfKey(schema, 'compatible')) for (const c of nodeCompatibles(sub)) out.add(c);
  return out;
}

function makeCompatibleSchema(schemas: JsonObject[]): JsonObject {
  const patterns: Json[] = [{ pattern: '^foo' }, { pattern: '^test,' }];
  const names: string[] = [];
  const all = new Set<string>();
  for (const s of schemas) for (const c of schemaCompatibles(s)) all.add(c);
  for (const c of all) {
    if (/^.*[\^[{($].*/.test(c)) {
      // Generic patterns and ones with '.*'/'.+' would document everything.
      if (c !== '^[a-zA-Z0-9][a-zA-Z0-9,+\\-._/]+$' && !/\.[+*]/.test(c) && c.startsWith('^') && c.endsWith('$')) patterns.push({ pattern: c });
    } else names.push(c);
  }
  names.sort();
  return {
    $id: GENERATED_COMPATIBLES_ID,
    $filename: 'Generated schema of documented compatible strings',
    select: true,
    properties: { compatible: { items: { anyOf: [{ enum: names }, ...patterns] } } },
  };
}

/** Processes binding sources (bindings first, then core schemas), like dt-mk-schema. */
export function processSchemas(sources: SchemaSource[]): ProcessedSchemaSet {
  const diagnostics: Diagnostic[] = [];
  const schemas: JsonObject[] = [];
  const files: Record<string, string> = {};
  for (const { file, schema } of sources) {
    const id = schema.$id;
    if (typeof id !== 'string') {
      diagnostics.push({ rule: 'schema/load', severity: 'warning', message: 'ignoring, no $id', span: { file, line: 1, column: 1 } });
      continue;
    }
    if (id in files) {
      diagnostics.push({
        rule: 'schema/load',
        severity: 'warning',
        message: `ignoring duplicate '$id' value '${id}' (first in ${files[id]})`,
        span: { file, line: 1, column: 1 },
      });
      continue;
    }
    const processed = fixupSchema(deepCopy(schema));
    processed.$filename = file;
    files[id] = file;
    schemas.push(processed);
  }

  const propTypes = buildPropTypeTable(schemas);
  const generatedCompatibles = makeCompatibleSchema(schemas);
  schemas.push(generatedCompatibles);

  return { schemas, files, propTypes, ...indexSchemas(schemas), generatedCompatibles, missingRefs: findMissingRefs(schemas), diagnostics };
}

/**
 * The schemas applied to every node (those with a `select`) and the map compatible → schema, as
 * DTValidator builds them, in the schemas' order (the last schema naming a compatible wins).
 */
export function indexSchemas(schemas: JsonObject[]): Pick<ProcessedSchemaSet, 'always' | 'compatMap' | 'selects' | 'guards'> {
  const always: string[] = [];
  const selects: Record<string, Json> = Object.create(null);
  const compatMap: Record<string, string> = Object.create(null);
  for (const s of schemas) {
    const id = s.$id as string;
    if ('select' in s) {
      if (s.select !== false) {
        always.push(id);
        selects[id] = s.select!;
      }
    } else if (isObject(s.properties) && 'compatible' in s.properties) {
      let compatibles = nodeCompatibles(s.properties.compatible!);
      if (compatibles.size > 1) compatibles = new Set([...compatibles].filter((c) => c !== 'syscon' && c !== 'simple-mfd' && c !== 'simple-bus'));
      for (const c of compatibles) compatMap[c] = id;
    }
  }
  return { always, compatMap, selects, guards: guardsOf(schemas, always) };
}
