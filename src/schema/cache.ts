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
 *
 * Every entry is checked when read — its format version, the SHA-256 of its body, its shape — and
 * one that fails is built again and overwritten (a truncated or hand-edited entry must not give
 * a lasting error or a different verdict). The folder is still trusted (docs/security.md): the
 * checks catch damage, not an attacker who can write there.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chooseCoreSchemas, coreSchemasFolder, listYamlFiles, readSchemaSources } from './load.js';
import { isPresenceGuard } from './guards.js';
import type { JsonObject } from './json.js';
import { processSchemas, type ProcessedSchemaSet } from './process.js';
import { replaceFileSync } from '../temp-files.js';
import { expectLongRun } from '../tiering.js';
import { markUsed, pruneKeys, setKey, validatorFolderKey } from './cache-prune.js';

/** Bump when compile.ts changes the validator code it generates (keyword code, schema rewrites, ajv options). */
export const VALIDATOR_CODE_VERSION = 'ajv8.20-2';

/** Bump when processing changes what it produces. */
export const PROCESSING_VERSION = 'dtoverlay-check-schema-5';

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

/** Bump when the layout of a cache entry (the header line, the body) changes. */
export const CACHE_FORMAT = 'dtoverlay-check-cache-1';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** An entry: a header line (format version, SHA-256 of the body), then the body's JSON. */
function entryText(body: unknown): string {
  const json = JSON.stringify(body);
  return `${JSON.stringify({ format: CACHE_FORMAT, sha256: sha256(json) })}\n${json}`;
}

/** The body of an entry written by entryText, or undefined when it is missing, of another format or damaged. */
function readEntry(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; sha256?: unknown };
    const body = text.slice(newline + 1);
    if (header.format !== CACHE_FORMAT || header.sha256 !== sha256(body)) return undefined;
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The shape of a processed set as writeSet stores it (schemas apart). */
function isProcessedSetShape(v: unknown): v is ProcessedSchemaSet {
  return (
    isObject(v) &&
    Array.isArray(v.schemas) &&
    isObject(v.files) &&
    isObject(v.propTypes) &&
    isStringArray(v.always) &&
    isObject(v.compatMap) &&
    isObject(v.selects) &&
    isObject(v.guards) &&
    isStringArray(v.always) &&
    v.always.every((id) => Object.prototype.hasOwnProperty.call(v.guards, id) && isPresenceGuard((v.guards as Record<string, unknown>)[id])) &&
    isObject(v.generatedCompatibles) &&
    isStringArray(v.missingRefs) &&
    Array.isArray(v.diagnostics)
  );
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  replaceFileSync(file, text);
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
  writeAtomically(schemasFile(entryFile), entryText(set.schemas));
  writeAtomically(entryFile, entryText({ ...set, schemas: [] }));
}

function schemasFile(entryFile: string): string {
  return entryFile.replace(/\.json$/, '.schemas.json');
}

/**
 * A cached set, checked. Its schemas are read (and checked) only when needed; if that check fails
 * then, `rebuild` builds the set again and rewrites the entry.
 */
function readSet(entryFile: string, rebuild: () => ProcessedSchemaSet): { set: ProcessedSchemaSet; loadSchemas: () => JsonObject[] } | undefined {
  const set = readEntry(entryFile);
  if (!isProcessedSetShape(set) || !fs.existsSync(schemasFile(entryFile))) return undefined;
  const loadSchemas = (): JsonObject[] => {
    const schemas = readEntry(schemasFile(entryFile));
    if (Array.isArray(schemas) && schemas.every(isObject)) return schemas as JsonObject[];
    const built = rebuild();
    try {
      writeSet(entryFile, built);
    } catch {
      // a read-only cache folder only costs time
    }
    return built.schemas;
  };
  return { set, loadSchemas };
}

export function loadProcessedSet(options: LoadSchemaOptions): LoadedProcessedSet {
  const files = schemaFiles(options);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const texts = new Map<string, Buffer>();
  if (cacheDir) {
    const stamp = statFingerprint(files);
    const indexFile = path.join(cacheDir, 'index', `${stamp}.json`);
    const rebuild = () => build(files, texts);
    const indexed = readJson<{ key?: unknown }>(indexFile);
    // the index names an entry by its content hash, nothing else
    if (indexed && typeof indexed.key === 'string' && /^[0-9a-f]{64}$/.test(indexed.key)) {
      const indexedFile = path.join(cacheDir, 'sets', `${indexed.key}.json`);
      const cached = readSet(indexedFile, rebuild);
      if (cached) {
        markUsed(indexedFile);
        return { ...cached, fromCache: true, key: indexed.key, validatorDir: path.join(cacheDir, 'validators', `${indexed.key}-${VALIDATOR_CODE_VERSION}`) };
      }
    }
    const key = contentHash(files, texts);
    const entryFile = path.join(cacheDir, 'sets', `${key}.json`);
    const cached = readSet(entryFile, rebuild);
    let set: ProcessedSchemaSet;
    if (cached) {
      set = cached.set;
      markUsed(entryFile);
    } else {
      set = rebuild();
      try {
        writeSet(entryFile, set);
      } catch {
        // A read-only cache folder only costs time.
      }
      // a new set: the entries of sets no recent run used go (cache-prune.ts)
      pruneKeys(path.join(cacheDir, 'sets'), setKey);
      pruneKeys(path.join(cacheDir, 'validators'), validatorFolderKey);
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
  expectLongRun(); // thousands of bindings to read and process: seconds, where TurboFan pays back
  const { sources, diagnostics } = readSchemaSources(files, texts);
  const set = processSchemas(sources);
  set.diagnostics.unshift(...diagnostics);
  return set;
}
