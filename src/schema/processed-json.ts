/**
 * dt-mk-schema's processed-schema.json, both ways: our processed set written in its shape (one
 * object keyed by `$id`, every binding with `type: object` and `$filename`, `generated-types`,
 * `generated-pattern-types`, `generated-compatibles` and `version`, keys sorted, indent 4, as
 * `json.dump(schemas, f, indent=4, sort_keys=True)`), and such a file (ours or the real
 * dt-mk-schema's) read back as a processed set, indexed in the file's order as DTValidator does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isObject, type Json, type JsonObject } from './json.js';
import { coreSchemasFolder, listYamlFiles, readSchemaSources } from './load.js';
import { findMissingRefs, GENERATED_COMPATIBLES_ID, indexSchemas, processSchemas, type ProcessedSchemaSet } from './process.js';
import type { PropType, PropTypeTable } from './prop-types.js';
import { sortedSchema } from './py-errors.js';

/** The dt-schema release whose processed schema we write and read (Python's normalised spelling). */
export const DTSCHEMA_VERSION = '2025.6.1';

const TYPES_ID = 'generated-types';
const PATTERN_TYPES_ID = 'generated-pattern-types';

function typeEntries(table: Record<string, PropType[]>): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(table).sort()) {
    // dt-schema drops each entry's `$id` (and the compiled regex) before writing.
    out[name] = table[name]!.map((t) => ({ ...(t.dim ? { dim: t.dim } : {}), type: t.type }));
  }
  return out;
}

/** The processed set as dt-mk-schema -j writes it (an object; `formatProcessedSchema` gives the text). */
export function processedSchemaJson(set: ProcessedSchemaSet): JsonObject {
  const out: JsonObject = {};
  for (const schema of set.schemas) {
    const id = schema.$id as string;
    out[id] = id === GENERATED_COMPATIBLES_ID ? schema : { ...schema, type: 'object' };
  }
  out[TYPES_ID] = { $filename: 'Generated property types', $id: TYPES_ID, properties: typeEntries(set.propTypes.props), select: false };
  out[PATTERN_TYPES_ID] = { $filename: 'Generated pattern property types', $id: PATTERN_TYPES_ID, properties: typeEntries(set.propTypes.patternProps), select: false };
  out.version = DTSCHEMA_VERSION;
  return sortedSchema(out) as JsonObject;
}

/** Python's json.dump(indent=4, sort_keys=True): non-ASCII escaped as \uXXXX. */
export function formatProcessedSchema(json: JsonObject): string {
  return JSON.stringify(json, null, 4).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function typeTable(schema: Json | undefined, pattern: boolean): Record<string, PropType[]> {
  const out: Record<string, PropType[]> = Object.create(null);
  const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  for (const [name, entries] of Object.entries(props)) {
    if (!Array.isArray(entries)) continue;
    out[name] = entries.filter(isObject).map((e) => ({
      type: typeof e.type === 'string' ? e.type : null,
      ids: [],
      ...(Array.isArray(e.dim) ? { dim: e.dim as unknown as PropType['dim'] } : {}),
      ...(pattern ? { pattern: true } : {}),
    }));
  }
  return out;
}

/** Why a file is not a processed schema, or undefined when it is one. */
export function processedSchemaProblem(json: unknown): string | undefined {
  if (!isObject(json)) return 'not a JSON object';
  if ('$id' in json) return 'a single schema, not a processed schema (dt-mk-schema output)';
  if (!isObject(json[GENERATED_COMPATIBLES_ID])) return `no '${GENERATED_COMPATIBLES_ID}' schema: not made by dt-mk-schema`;
  return undefined;
}

/** A processed schema (dt-mk-schema -j output) as our processed set. */
export function processedSetFromJson(json: JsonObject): ProcessedSchemaSet {
  const schemas: JsonObject[] = [];
  const files: Record<string, string> = {};
  let generatedCompatibles: JsonObject | undefined;
  for (const [key, value] of Object.entries(json)) {
    if (key === 'version' || key === TYPES_ID || key === PATTERN_TYPES_ID || !isObject(value) || typeof value.$id !== 'string') continue;
    if (value.$id === GENERATED_COMPATIBLES_ID) {
      generatedCompatibles = value;
      continue;
    }
    schemas.push(value);
    if (typeof value.$filename === 'string') files[value.$id] = value.$filename;
  }
  const generated = generatedCompatibles ?? { $id: GENERATED_COMPATIBLES_ID, select: true };
  schemas.push(generated);
  const propTypes: PropTypeTable = { props: typeTable(json[TYPES_ID], false), patternProps: typeTable(json[PATTERN_TYPES_ID], true) };
  const set: ProcessedSchemaSet = { schemas, files, propTypes, ...indexSchemas(schemas), generatedCompatibles: generated, missingRefs: [], diagnostics: [] };
  // Only `validate`'s warning reads it; dt-validate, one process per DTB, should not walk every schema for it.
  let missingRefs: string[] | undefined;
  Object.defineProperty(set, 'missingRefs', { enumerable: true, get: () => (missingRefs ??= findMissingRefs(schemas)) });
  return set;
}

/**
 * dt-mk-schema's inputs to a processed set: binding files as given, then every `*.yaml` below the
 * folders (sorted), then the core schemas (`core`; null: none, dt-mk-schema -u). The first of two
 * equal `$id`s wins, as in dt-mk-schema.
 */
export function makeProcessedSchema(paths: string[], core: string | null): ProcessedSchemaSet {
  const files: string[] = [];
  for (const p of paths) if (fs.statSync(p, { throwIfNoEntry: false })?.isFile()) files.push(path.resolve(p));
  for (const p of paths) if (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) files.push(...listYamlFiles(p));
  if (core !== null) files.push(...listYamlFiles(coreSchemasFolder(core)));
  const { sources, diagnostics } = readSchemaSources(files);
  const set = processSchemas(sources);
  set.diagnostics.unshift(...diagnostics);
  return set;
}
