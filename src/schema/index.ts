/**
 * dt-binding validation: load bindings once (or from the on-disk cache), validate many trees.
 *
 *   const set = loadSchemaSet({ bindings: [dir], coreSchemas: dtschemaDir });
 *   const { diagnostics, unmatched } = validate(tree, set, { unmatched: true });
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { Tree } from '../tree/model.js';
import { defaultCacheDir, loadProcessedSet, PROCESSING_VERSION, VALIDATOR_CODE_VERSION, type LoadSchemaOptions } from './cache.js';
import type { JsonObject } from './json.js';
import { holdsDtschemaCore, jsYaml } from './load.js';
import { processedSchemaProblem, processedSetFromJson } from './processed-json.js';
import { keyByStat, processedKey, ProcessedCacheEntry, readProcessedEntry, recordKeyByStat, writeProcessedEntry } from './processed-cache.js';
import { SchemaRuntime, type RuntimeOptions } from './compile.js';
import { markUsed, processedEntryKey, pruneKeys, validatorFolderKey } from './cache-prune.js';
import type { ProcessedSchemaSet } from './process.js';
import { PropTypeLookup } from './prop-types.js';
import { validateTree, type ValidateOptions, type ValidationResult } from './validate.js';

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
 * dt-schema's), through the cache (processed-cache.ts); compiled validators are cached per file
 * content. Throws with the reason when the text is no processed schema.
 */
export function schemaSetFromProcessedText(text: Buffer, cacheDir: string | null = defaultCacheDir()): SchemaSet {
  return processedSchemaSet(processedKey(text), () => text, cacheDir);
}

/**
 * The same from a file. When the cache has met this very file (same identity, as `stat` says,
 * see processed-cache.ts), it is not read at all: kbuild runs one `dt-validate` per DTB on one
 * 26 MB processed-schema.json.
 */
export function schemaSetFromProcessedFile(file: string, cacheDir: string | null = defaultCacheDir()): SchemaSet {
  const dir = cacheDir ? path.join(cacheDir, 'processed') : undefined;
  const st = fs.statSync(file, { bigint: true });
  const known = dir ? keyByStat(dir, file, st) : undefined;
  let text: Buffer | undefined;
  const read = (): Buffer => (text ??= fs.readFileSync(file));
  if (known && dir && fs.existsSync(new ProcessedCacheEntry(dir, known, PROCESSING_VERSION).index)) {
    const set = processedSchemaSet(known, read, cacheDir);
    if (set.fromCache) return set;
    // the entry did not pass its checks and was built again from the file: its key is the file's own
  }
  const key = processedKey(read());
  const set = processedSchemaSet(key, read, cacheDir);
  if (dir) recordKeyByStat(dir, file, st, key);
  return set;
}

/** The set of the processed schema with this content key: from its cache entry, else parsed from the text (and stored). */
function processedSchemaSet(key: string, text: () => Buffer, cacheDir: string | null): SchemaSet {
  const validatorDir = cacheDir ? { validatorCacheDir: path.join(cacheDir, 'validators', `processed-${key}-${VALIDATOR_CODE_VERSION}`) } : {};
  const parse = (): ProcessedSchemaSet => processedSetFromJson(parseProcessedText(text()));
  if (!cacheDir) return schemaSetFrom(parse(), false, validatorDir);
  const entry = new ProcessedCacheEntry(path.join(cacheDir, 'processed'), key, PROCESSING_VERSION);
  // Warm: the set's index, its tables looked up where they lie; the schemas are read only if a
  // validator must be compiled or a failure explained.
  const cached = readProcessedEntry(entry, () => parse().schemas);
  if (cached) {
    markUsed(entry.schemas); // not the index: its identity is recorded (processed-cache.ts)
    const { set, compatibles, loadSchema, loadSchemas } = cached;
    return schemaSetFrom(set, true, { ...validatorDir, compatibles, loadSchema, loadSchemas });
  }
  const set = parse();
  writeProcessedEntry(entry, set);
  // a new processed schema: the entries of those no recent run used go (cache-prune.ts)
  pruneKeys(entry.dir, processedEntryKey);
  pruneKeys(path.join(cacheDir, 'validators'), validatorFolderKey);
  return schemaSetFrom(set, false, validatorDir);
}

function parseProcessedText(text: Buffer): JsonObject {
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch {
    try {
      json = jsYaml().load(text.toString('utf8'));
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
