/**
 * A processed schema file (dt-mk-schema's processed-schema.json, 26 MB for the kernel's bindings)
 * in the cache, so that `dt-validate` — kbuild starts one process per DTB — neither parses nor
 * hashes it: a warm run reads about 2 MB and looks up only what its tree needs.
 *
 * In `<cache>/processed/`:
 * - `stat/<fingerprint>.json`: `{"key": …}`, the content key of the file with that identity
 *   (absolute path, device, inode, size, modification and change times in ns). Written only for a
 *   file left alone for STAT_SETTLE_MS: a write to it afterwards changes its change time, and
 *   so the fingerprint (git's rule against "racy" timestamps: a write within the same clock tick
 *   as the one recorded would keep it);
 * - `<key>-<PROCESSING_VERSION>.index`: a header line (format, lengths, SHA-256 of the body), then
 *   the body: the set without its schemas as JSON (type table, selects, guards, …), then three
 *   sorted tables (sorted-table.ts) looked up where they lie: compatible → schema `$id`, the
 *   documented compatibles' names, and `$id` → where the schema's line is in the file below;
 * - `<key>-<…>.schemas.jsonl`: the schemas one a line, each read (and checked against its
 *   SHA-256 in the index) only when a validator must be compiled or a failure explained.
 *
 * The key is the SHA-256 of the file's bytes. Everything read is checked — format, hashes, shape —
 * and anything that fails is rebuilt from the file itself; cached and fresh sets give the same
 * verdicts (test/schema/processed-cache.test.ts, test/schema/dt-validate-text.test.ts).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CompatibleLookups, documentedCompatibleLists, DocumentedCompatibles, normalizeId } from './compile.js';
import { isObject, type JsonObject } from './json.js';
import { isPresenceGuard, type PresenceGuard } from './guards.js';
import type { ProcessedSchemaSet } from './process.js';
import type { PropTypeTable } from './prop-types.js';
import { SortedTable, sortedTableBytes, sortedTableProblem } from './sorted-table.js';
import { isAsRecorded, replaceFileRecorded, replaceFileSync } from '../temp-files.js';

/** Bump when the layout of these files changes. */
export const PROCESSED_CACHE_FORMAT = 'dtoverlay-check-processed-3';

/** How long a processed schema file must be left alone before its identity stands for its contents. */
export const STAT_SETTLE_MS = 2000;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The content key of a processed schema file's bytes. */
export function processedKey(text: Buffer): string {
  return sha256(text).slice(0, 32);
}

/** The set's fields kept as JSON in the index (the rest are tables, or read on demand). */
interface IndexBody {
  propTypes: PropTypeTable;
  always: string[];
  selects: Record<string, unknown>;
  guards: Record<string, PresenceGuard | null>;
  missingRefs: string[];
  diagnostics: unknown[];
  documentedPatterns: string[];
}

interface IndexHeader {
  format: string;
  /** Byte lengths of the body's parts: JSON, then the compatible, documented-names and ranges tables. */
  json: number;
  compat: number;
  documented: number;
  ranges: number;
  sha256: string;
}

/** Where a schema's line is in the `.schemas.jsonl` file: offset, length and the start of its SHA-256. */
type SchemaRange = [number, number, string];

/** A range as the ranges table holds it: `offset length hash`. */
function rangeText([offset, length, hash]: SchemaRange): string {
  return `${offset} ${length} ${hash}`;
}

function parseRange(text: string | undefined): SchemaRange | undefined {
  const m = text === undefined ? null : /^(\d+) (\d+) ([0-9a-f]{32})$/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), m[3]!] : undefined;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function isIndexBody(v: unknown): v is IndexBody {
  return (
    isObject(v) &&
    isObject(v.propTypes) &&
    isObject(v.propTypes.props) &&
    isObject(v.propTypes.patternProps) &&
    isStringArray(v.always) &&
    isObject(v.selects) &&
    v.always.every((id) => id in (v.selects as object)) &&
    isObject(v.guards) &&
    v.always.every((id) => id in (v.guards as object) && isPresenceGuard((v.guards as Record<string, unknown>)[id])) &&
    isStringArray(v.missingRefs) &&
    Array.isArray(v.diagnostics) &&
    isStringArray(v.documentedPatterns)
  );
}

function isIndexHeader(v: unknown): v is IndexHeader {
  return (
    isObject(v) &&
    v.format === PROCESSED_CACHE_FORMAT &&
    typeof v.sha256 === 'string' &&
    [v.json, v.compat, v.documented, v.ranges].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
  );
}

/** The cache files of one processed schema. */
export class ProcessedCacheEntry {
  readonly index: string;
  readonly schemas: string;

  constructor(
    readonly dir: string,
    readonly key: string,
    processingVersion: string,
  ) {
    const base = path.join(dir, `${key}-${processingVersion}`);
    this.index = `${base}.index`;
    this.schemas = `${base}.schemas.jsonl`;
  }
}

function writeAtomically(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  replaceFileSync(file, data);
}

/** Writes the cache files of a set read from its processed schema file; a read-only cache only costs time. */
export function writeProcessedEntry(entry: ProcessedCacheEntry, set: ProcessedSchemaSet): void {
  try {
    const ranges = new Map<string, SchemaRange>();
    const lines: Buffer[] = [];
    let offset = 0;
    for (const schema of set.schemas) {
      const line = Buffer.from(`${JSON.stringify(schema)}\n`);
      ranges.set(normalizeId(schema.$id as string), [offset, line.length - 1, sha256(line.subarray(0, -1)).slice(0, 32)]);
      lines.push(line);
      offset += line.length;
    }
    const schemasBytes = Buffer.concat(lines);
    const { names, patterns } = documentedCompatibleLists(set.generatedCompatibles);
    const body: IndexBody = {
      propTypes: set.propTypes,
      always: set.always,
      selects: set.selects,
      guards: set.guards,
      missingRefs: set.missingRefs,
      diagnostics: set.diagnostics,
      documentedPatterns: patterns,
    };
    const json = Buffer.from(JSON.stringify(body));
    const compat = sortedTableBytes(Object.entries(set.compatMap));
    const documented = sortedTableBytes(names.map((n) => [n, '']));
    const rangesTable = sortedTableBytes([...ranges].map(([id, range]) => [id, rangeText(range)]));
    const all = Buffer.concat([json, compat, documented, rangesTable]);
    const header: IndexHeader = {
      format: PROCESSED_CACHE_FORMAT,
      json: json.length,
      compat: compat.length,
      documented: documented.length,
      ranges: rangesTable.length,
      sha256: sha256(all),
    };
    writeAtomically(entry.schemas, schemasBytes);
    // The index last: it is only used once the files it vouches for are complete.
    fs.mkdirSync(path.dirname(entry.index), { recursive: true });
    replaceFileRecorded(entry.index, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), all]));
  } catch {
    // a read-only cache folder only costs time
  }
}

export interface CachedProcessedSet {
  set: ProcessedSchemaSet;
  compatibles: CompatibleLookups;
  loadSchema: (id: string) => JsonObject | undefined;
  loadSchemas: () => JsonObject[];
}

/**
 * The set of a cache entry, checked (format, SHA-256, shape), or undefined. Its schemas are read
 * on demand: one by its byte range once the schema file's hash is checked, or, when that check
 * fails, all of them from `fallback` (the processed schema itself).
 */
export function readProcessedEntry(entry: ProcessedCacheEntry, fallback: () => JsonObject[]): CachedProcessedSet | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(entry.index);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return undefined;
  let header: unknown;
  let body: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8', 0, newline));
    if (!isIndexHeader(header)) return undefined;
    const all = bytes.subarray(newline + 1);
    if (header.json + header.compat + header.documented + header.ranges !== all.length) return undefined;
    // hashed unless the index is still the file writeProcessedEntry() wrote
    if (!isAsRecorded(entry.index) && sha256(all) !== header.sha256) return undefined;
    body = JSON.parse(all.toString('utf8', 0, header.json));
  } catch {
    return undefined;
  }
  if (!isIndexBody(body)) return undefined;
  let start = newline + 1 + header.json;
  const part = (length: number): Buffer => bytes.subarray(start, (start += length));
  const [compatBytes, namesBytes, rangesBytes] = [part(header.compat), part(header.documented), part(header.ranges)];
  if ([compatBytes, namesBytes, rangesBytes].some((t) => sortedTableProblem(t) !== undefined)) return undefined;
  const compat = new SortedTable(compatBytes);
  const names = new SortedTable(namesBytes);
  const schemas = new SchemaLines(entry, new SortedTable(rangesBytes), fallback);
  const set = cachedSet(body, compat, schemas);
  return {
    set,
    compatibles: { schemaOf: (c) => compat.get(c), documented: new DocumentedCompatibles((n) => names.has(n), body.documentedPatterns) },
    loadSchema: (id) => schemas.one(id),
    loadSchemas: () => schemas.all(),
  };
}

/**
 * The set of an index: `schemas` left empty (SchemaRuntime then reads them through loadSchema),
 * and the fields a validation does not need — the compatible map, the documented-compatibles
 * schema, the files — made when first asked for (an editor's completion list, say).
 */
function cachedSet(body: IndexBody, compat: SortedTable, schemas: SchemaLines): ProcessedSchemaSet {
  const set = {
    schemas: [],
    propTypes: body.propTypes,
    always: body.always,
    selects: body.selects,
    guards: body.guards,
    missingRefs: body.missingRefs,
    diagnostics: body.diagnostics,
  } as unknown as ProcessedSchemaSet;
  let compatMap: Record<string, string> | undefined;
  let files: Record<string, string> | undefined;
  Object.defineProperties(set, {
    compatMap: { enumerable: true, get: () => (compatMap ??= Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(compat.entries()))) },
    generatedCompatibles: { enumerable: true, get: () => schemas.one('generated-compatibles') ?? { $id: 'generated-compatibles', select: true } },
    files: {
      enumerable: true,
      get: () => {
        if (!files) {
          files = {};
          for (const s of schemas.all()) if (s.$id !== 'generated-compatibles' && typeof s.$filename === 'string') files[s.$id as string] = s.$filename;
        }
        return files;
      },
    },
  });
  return set;
}

/**
 * The schemas of an entry, one a line, each read by its byte range and checked against its hash;
 * all of them from the fallback (the processed schema itself) once anything fails a check.
 */
class SchemaLines {
  private everything: Map<string, JsonObject> | undefined;

  constructor(
    private readonly entry: ProcessedCacheEntry,
    private readonly ranges: SortedTable,
    private readonly fallback: () => JsonObject[],
  ) {}

  private fromFallback(): Map<string, JsonObject> {
    this.everything ??= new Map(this.fallback().map((s) => [normalizeId(s.$id as string), s]));
    return this.everything;
  }

  one(id: string): JsonObject | undefined {
    if (this.everything) return this.everything.get(id);
    const text = this.ranges.get(id);
    if (text === undefined) return undefined;
    const range = parseRange(text);
    return (range && this.readLine(range)) ?? this.fromFallback().get(id);
  }

  /** The schema at a range, or undefined when the bytes there are not the ones recorded. */
  private readLine(range: SchemaRange): JsonObject | undefined {
    try {
      const fd = fs.openSync(this.entry.schemas, 'r');
      try {
        const bytes = Buffer.alloc(range[1]);
        return fs.readSync(fd, bytes, 0, range[1], range[0]) === range[1] ? checkedSchema(bytes, range[2]) : undefined;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
  }

  all(): JsonObject[] {
    if (!this.everything) {
      try {
        const ranges = [...this.ranges.entries()].map(([, text]) => parseRange(text));
        if (ranges.every((r) => r !== undefined)) {
          // in the file's order, which is the set's
          ranges.sort((a, b) => a![0] - b![0]);
          const file = fs.readFileSync(this.entry.schemas);
          const schemas = ranges.map(([offset, length, hash]) => (offset + length <= file.length ? checkedSchema(file.subarray(offset, offset + length), hash) : undefined));
          if (schemas.every((s) => s !== undefined)) return schemas as JsonObject[];
        }
      } catch {
        // the fallback answers
      }
    }
    return [...this.fromFallback().values()];
  }
}

/** A schema's line, parsed, when its bytes have the recorded hash. */
function checkedSchema(bytes: Buffer, hash: string): JsonObject | undefined {
  if (sha256(bytes).slice(0, 32) !== hash) return undefined;
  try {
    const schema = JSON.parse(bytes.toString('utf8')) as unknown;
    return isObject(schema) ? schema : undefined;
  } catch {
    return undefined;
  }
}

/** The identity of a file, as `stat` gives it: what the fast path trusts instead of its bytes. */
function statFingerprint(file: string, st: fs.BigIntStats): string {
  return sha256([PROCESSED_CACHE_FORMAT, path.resolve(file), st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join('\0'));
}

/** The content key recorded for this file's identity, if any. */
export function keyByStat(dir: string, file: string, st: fs.BigIntStats): string | undefined {
  try {
    const recorded = JSON.parse(fs.readFileSync(path.join(dir, 'stat', `${statFingerprint(file, st)}.json`), 'utf8')) as { key?: unknown };
    return typeof recorded.key === 'string' && /^[0-9a-f]{32}$/.test(recorded.key) ? recorded.key : undefined;
  } catch {
    return undefined;
  }
}

/** Records the content key of this file's identity, once the file has been left alone long enough (see above). */
export function recordKeyByStat(dir: string, file: string, st: fs.BigIntStats, key: string, now = Date.now()): void {
  const changed = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1_000_000n);
  if (now - changed < STAT_SETTLE_MS) return;
  try {
    writeAtomically(path.join(dir, 'stat', `${statFingerprint(file, st)}.json`), JSON.stringify({ key }));
  } catch {
    // as above
  }
}
