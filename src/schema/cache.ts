/**
 * The processed schema set on disk, so that a warm run reads one JSON file instead of parsing
 * thousands of YAML bindings.
 *
 * Two levels: an index keyed by the files' names, sizes and modification times (no file is read
 * to find it), pointing at an entry keyed by the SHA-256 of the files' contents and of our
 * processing code's version. When the stat fingerprint misses (a fresh checkout touches every
 * mtime), the contents are hashed and an entry with equal contents is still reused.
 *
 * Location: $DTOVERLAY_CHECK_CACHE, else $XDG_CACHE_HOME/dtoverlay-check, else
 * ~/.cache/dtoverlay-check. `DTOVERLAY_CHECK_CACHE=off` disables it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chooseCoreSchemas, coreSchemasFolder, listYamlFiles, readSchemaSources } from './load.js';
import type { JsonObject } from './json.js';
import { processSchemas, type ProcessedSchemaSet } from './process.js';

/** Bump when compile.ts changes the validator code it generates (keyword code, schema rewrites, ajv options). */
export const VALIDATOR_CODE_VERSION = 'ajv8.20-2';

/** Bump when processing changes what it produces. */
export const PROCESSING_VERSION = 'dtoverlay-check-schema-4';

export interface LoadSchemaOptions {
  /** Binding folders (the kernel's Documentation/devicetree/bindings). */
  bindings: string[];
  /** dt-schema's folder (with schemas/ and meta-schemas/) or a folder of core schemas; default: chooseCoreSchemas (load.ts). */
  coreSchemas?: string;
  /** Cache folder; default from the environment (see above); null disables. */
  cacheDir?: string | null;
}

export function defaultCacheDir(): string | null {
  const env = process.env.DTOVERLAY_CHECK_CACHE;
  if (env === 'off' || env === '0') return null;
  if (env) return env;
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg || path.join(os.homedir(), '.cache'), 'dtoverlay-check');
}

function schemaFiles(options: LoadSchemaOptions): string[] {
  const files: string[] = [];
  for (const dir of options.bindings) files.push(...listYamlFiles(dir));
  files.push(...listYamlFiles(coreSchemasFolder(chooseCoreSchemas(options.coreSchemas).dir)));
  return files;
}

function statFingerprint(files: string[]): string {
  const h = createHash('sha256').update(PROCESSING_VERSION);
  for (const f of files) {
    const st = fs.statSync(f);
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest('hex');
}

function contentHash(files: string[], texts: Map<string, Buffer>): string {
  const h = createHash('sha256').update(PROCESSING_VERSION);
  for (const f of files) {
    const t = texts.get(f) ?? fs.readFileSync(f);
    texts.set(f, t);
    h.update(`${f}\0${t.length}\0`).update(t);
  }
  return h.digest('hex');
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** The processed set for these folders: from the cache when it is current, else built (and stored). */
export interface LoadedProcessedSet {
  set: ProcessedSchemaSet;
  fromCache: boolean;
  /** Content hash of the inputs ('' without a cache). */
  key: string;
  /** Folder for this set's compiled validators, when caching. */
  validatorDir?: string;
  /** For a set read from the cache: reads its schemas (left out of `set.schemas` until needed). */
  loadSchemas?: () => JsonObject[];
}

/** The set without its schemas, and the schemas, as two files: validating with warm validators needs only the first. */
function writeSet(entryFile: string, set: ProcessedSchemaSet): void {
  writeAtomically(schemasFile(entryFile), JSON.stringify(set.schemas));
  writeAtomically(entryFile, JSON.stringify({ ...set, schemas: [] }));
}

function schemasFile(entryFile: string): string {
  return entryFile.replace(/\.json$/, '.schemas.json');
}

function readSet(entryFile: string): { set: ProcessedSchemaSet; loadSchemas: () => JsonObject[] } | undefined {
  const set = readJson<ProcessedSchemaSet>(entryFile);
  if (!set || !fs.existsSync(schemasFile(entryFile))) return undefined;
  return { set, loadSchemas: () => readJson<JsonObject[]>(schemasFile(entryFile)) ?? [] };
}

export function loadProcessedSet(options: LoadSchemaOptions): LoadedProcessedSet {
  const files = schemaFiles(options);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const texts = new Map<string, Buffer>();
  if (cacheDir) {
    const stamp = statFingerprint(files);
    const indexFile = path.join(cacheDir, 'index', `${stamp}.json`);
    const indexed = readJson<{ key: string }>(indexFile);
    if (indexed) {
      const cached = readSet(path.join(cacheDir, 'sets', `${indexed.key}.json`));
      if (cached) return { ...cached, fromCache: true, key: indexed.key, validatorDir: path.join(cacheDir, 'validators', `${indexed.key}-${VALIDATOR_CODE_VERSION}`) };
    }
    const key = contentHash(files, texts);
    const entryFile = path.join(cacheDir, 'sets', `${key}.json`);
    const cached = readSet(entryFile);
    let set: ProcessedSchemaSet;
    if (cached) set = cached.set;
    else {
      set = build(files, texts);
      try {
        writeSet(entryFile, set);
      } catch {
        // A read-only cache folder only costs time.
      }
    }
    try {
      writeAtomically(indexFile, JSON.stringify({ key }));
    } catch {
      // as above
    }
    return { set, fromCache: !!cached, key, validatorDir: path.join(cacheDir, 'validators', `${key}-${VALIDATOR_CODE_VERSION}`), ...(cached ? { loadSchemas: cached.loadSchemas } : {}) };
  }
  return { set: build(files, texts), fromCache: false, key: '' };
}

function build(files: string[], texts: Map<string, Buffer>): ProcessedSchemaSet {
  const { sources, diagnostics } = readSchemaSources(files, texts);
  const set = processSchemas(sources);
  set.diagnostics.unshift(...diagnostics);
  return set;
}
