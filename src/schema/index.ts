/**
 * dt-binding validation: load bindings once (or from the on-disk cache), validate many trees.
 *
 *   const set = loadSchemaSet({ bindings: [dir], coreSchemas: dtschemaDir });
 *   const { diagnostics, unmatched } = validate(tree, set, { unmatched: true });
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { Tree } from '../tree/model.js';
import { defaultCacheDir, loadProcessedSet, PROCESSING_VERSION, VALIDATOR_CODE_VERSION, type LoadSchemaOptions } from './cache.js';
import type { JsonObject } from './json.js';
import { processedSchemaProblem, processedSetFromJson } from './processed-json.js';
import { normalizeId, SchemaRuntime, type RuntimeOptions } from './compile.js';
import type { ProcessedSchemaSet } from './process.js';
import { PropTypeLookup } from './prop-types.js';
import { validateTree, type ValidateOptions, type ValidationResult } from './validate.js';
import { replaceFileSync } from '../temp-files.js';
import { holdsDtschemaCore } from './load.js';

export interface SchemaSet {
  processed: ProcessedSchemaSet;
  runtime: SchemaRuntime;
  lookup: PropTypeLookup;
  /** Whether the processed set came from the cache. */
  fromCache: boolean;
}

export function schemaSetFrom(processed: ProcessedSchemaSet, fromCache = false, options: RuntimeOptions = {}): SchemaSet {
  const runtime = new SchemaRuntime(processed, options);
  return { processed, runtime, lookup: new PropTypeLookup(processed.propTypes), fromCache };
}

/** Loads (or takes from the cache) the processed bindings; call `persistSchemaSet` when done validating. */
export function loadSchemaSet(options: LoadSchemaOptions): SchemaSet {
  const { set, fromCache, validatorDir, loadSchemas } = loadProcessedSet(options);
  return schemaSetFrom(set, fromCache, { ...(validatorDir ? { validatorCacheDir: validatorDir } : {}), ...(loadSchemas ? { loadSchemas } : {}) });
}

/**
 * A schema set from a processed schema file's contents (dt-mk-schema's JSON or YAML, ours or
 * dt-schema's); compiled validators are cached per file content. Throws with the reason when the
 * text is no processed schema.
 */
export function schemaSetFromProcessedText(text: Buffer, cacheDir: string | null = defaultCacheDir()): SchemaSet {
  const key = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const validatorDir = cacheDir ? { validatorCacheDir: path.join(cacheDir, 'validators', `processed-${key}-${VALIDATOR_CODE_VERSION}`) } : {};
  // Warm (kbuild runs one process per DTB): the set's index from the cache; the 26 MB of schemas
  // are parsed only if a validator must be compiled or a failure explained.
  // Beside it, the schemas one a line and each one's byte range, so a failure reads only what it needs.
  const indexFile = cacheDir ? path.join(cacheDir, 'processed', `${key}-${PROCESSING_VERSION}.json`) : undefined;
  const indexed = indexFile ? readJsonFile<ProcessedSchemaSet>(indexFile) : undefined;
  const ranges = indexFile ? readJsonFile<Record<string, [number, number]>>(indexFile.replace(/\.json$/, '.ranges.json')) : undefined;
  if (indexFile && indexed && ranges) {
    const linesFile = indexFile.replace(/\.json$/, '.schemas.jsonl');
    const loadSchema = (id: string): JsonObject | undefined => {
      const range = ranges[id];
      if (!range) return undefined;
      const fd = fs.openSync(linesFile, 'r');
      try {
        const bytes = Buffer.alloc(range[1]);
        fs.readSync(fd, bytes, 0, range[1], range[0]);
        return JSON.parse(bytes.toString('utf8')) as JsonObject;
      } finally {
        fs.closeSync(fd);
      }
    };
    return schemaSetFrom(indexed, true, { ...validatorDir, loadSchema, loadSchemas: () => processedSetFromJson(parseProcessedText(text)).schemas });
  }
  const set = processedSetFromJson(parseProcessedText(text));
  if (indexFile) writeProcessedIndex(indexFile, set);
  return schemaSetFrom(set, false, validatorDir);
}

function writeProcessedIndex(indexFile: string, set: ProcessedSchemaSet): void {
  try {
    fs.mkdirSync(path.dirname(indexFile), { recursive: true });
    const ranges: Record<string, [number, number]> = {};
    const lines: Buffer[] = [];
    let offset = 0;
    for (const schema of set.schemas) {
      const line = Buffer.from(`${JSON.stringify(schema)}\n`);
      ranges[normalizeId(schema.$id as string)] = [offset, line.length - 1];
      lines.push(line);
      offset += line.length;
    }
    const write = replaceFileSync;
    write(indexFile.replace(/\.json$/, '.schemas.jsonl'), Buffer.concat(lines));
    write(indexFile.replace(/\.json$/, '.ranges.json'), JSON.stringify(ranges));
    // The index last: it is only used once the other two are complete.
    write(indexFile, JSON.stringify({ ...set, schemas: [] }));
  } catch {
    // A read-only cache only costs time.
  }
}

function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function parseProcessedText(text: Buffer): JsonObject {
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch {
    try {
      json = yaml.load(text.toString('utf8'));
    } catch {
      throw new Error('preprocessed schema file is not valid JSON or YAML');
    }
  }
  const problem = processedSchemaProblem(json);
  if (problem) throw new Error(problem);
  return json as JsonObject;
}

/** Stores the validators compiled since loading, so the next run does not compile them again. */
export function persistSchemaSet(set: SchemaSet): void {
  set.runtime.persist();
}

export function validate(tree: Tree, set: SchemaSet, options: ValidateOptions = {}): ValidationResult {
  return validateTree(tree, set.runtime, set.lookup, options);
}

export type { LoadSchemaOptions, ValidateOptions, ValidationResult };
export { nodeOfDiagnostic } from './validate.js';

/**
 * One warning for the schemas the bindings `$ref` that are not loaded (nodes they apply to fail
 * whatever they hold), or undefined when every reference resolves. When the core folder used
 * (`coreDir`, chooseCoreSchemas's choice) lacks dt-schema's core, the advice says how to get it.
 */
export function missingSchemasWarning(set: SchemaSet, coreDir: string): Diagnostic | undefined {
  const missing = set.processed.missingRefs ?? [];
  if (!missing.length) return undefined;
  const shown = missing.length > 6 ? `${missing.slice(0, 6).join(', ')} and ${missing.length - 6} more` : missing.join(', ');
  const advice = holdsDtschemaCore(coreDir)
    ? ''
    : `; the core schemas folder ${coreDir} holds no dt-schema core (types.yaml): pass --core-schemas with dt-schema's folder, or restore vendor/dtschema (bash scripts/vendor-dtschema.sh)`;
  return {
    rule: 'schema/ref',
    severity: 'warning',
    message: `the bindings use ${missing.length} schema(s) that are not loaded (${shown}): nodes they apply to get findings dt-validate would not give${advice}`,
  };
}
