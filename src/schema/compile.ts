/**
 * ajv (JSON Schema draft 2019-09, as dt-schema uses, allErrors) over a processed schema set.
 * Schemas are added to ajv only when a validator needs them and compiled only when a node
 * needs them: a tree touches a few hundred of the 5,500 bindings.
 *
 * `$ref`s resolve only to schemas of the set (http://devicetree.org/schemas/X is the binding
 * whose `$id` that is); ajv is never given a loader, so nothing is fetched. A reference to a
 * schema not in the set is reported, by name, and replaced by a schema no value passes — what
 * dt-validate does with it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type * as ajv2019 from 'ajv/dist/2019.js';
import type * as ajvCodegen from 'ajv/dist/compile/codegen/index.js';
import type * as ajvUtil from 'ajv/dist/compile/util.js';
import type { ValidateFunction, CodeKeywordDefinition, KeywordCxt } from 'ajv';
import type { Diagnostic, Span } from '../diagnostics.js';
import { valueSizes } from './decode.js';
import { isObject, type Json, type JsonObject } from './json.js';
import type { ProcessedSchemaSet } from './process.js';
import { BindingPatternError, bindingRegExp, compileBindingPattern, enableLinearRegExp, type RegExpLike } from './regex.js';
import { GuardIndex } from './guards.js';
import { findRefCycle } from './ref-cycles.js';
import { buildSelectIndex, type SelectIndex } from './select.js';
import { PyValidator, type PyError } from './py-errors.js';
import { isAsRecorded, removeRecorded, replaceFileRecorded, replaceFileSync } from '../temp-files.js';
import { codeCacheSuffix, expectLongRun } from '../tiering.js';
import { markUsed } from './cache-prune.js';

type Ajv = ajv2019.Ajv2019;
type StandaloneCode = (ajv: Ajv, refs: Record<string, string>) => string;

const requireFromHere = createRequire(import.meta.url);

interface AjvCompiler {
  Ajv2019: typeof ajv2019.Ajv2019;
  codegen: typeof ajvCodegen;
  util: typeof ajvUtil;
  standaloneCode: StandaloneCode;
}
let ajvCompiler: AjvCompiler | undefined;

/**
 * ajv's compiler (and standalone code generator), required when a validator must first be compiled:
 * in a warm run every validator comes from the cache, and a fresh process (kbuild starts one per
 * DTB) then loads only ajv's small runtime helpers that the cached code requires (issue 17).
 */
function ajvModules(): AjvCompiler {
  if (!ajvCompiler) {
    // CommonJS modules: each exports its main value and also has it as `default`.
    const main = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
    ajvCompiler = {
      Ajv2019: main<typeof ajv2019.Ajv2019>(requireFromHere('ajv/dist/2019.js')),
      codegen: requireFromHere('ajv/dist/compile/codegen/index.js') as typeof ajvCodegen,
      util: requireFromHere('ajv/dist/compile/util.js') as typeof ajvUtil,
      standaloneCode: main<StandaloneCode>(requireFromHere('ajv/dist/standalone/index.js')),
    };
  }
  return ajvCompiler;
}

/** What cached validator code may `require`: ajv's runtime helpers and our keyword helpers. */
function requireForValidators(name: string): unknown {
  if (name === RUNTIME_MODULE) return { typeSizeOf, bindingRegExp };
  if (name.startsWith('ajv/dist/runtime/')) return requireFromHere(name);
  throw new Error(`cached validator code requires unexpected module '${name}'`);
}

/**
 * One file of cached validator code (standalone ajv output, see persist()). Evaluated only when one
 * of its validators is asked for, through a V8 code cache kept beside it (`.v8`), so a warm run
 * neither parses nor compiles the generated JavaScript again.
 */
class ValidatorChunk {
  private exports: Record<string, ValidateFunction> | undefined;

  /** Whether its code has been evaluated in this process. */
  get evaluated(): boolean {
    return this.exports !== undefined;
  }
  private script: vm.Script | undefined;
  private needsCodeCache = false;

  constructor(readonly file: string) {}

  get(name: string): ValidateFunction | undefined {
    if (!this.exports) this.exports = this.evaluate();
    const fn = Object.prototype.hasOwnProperty.call(this.exports, name) ? this.exports[name] : undefined;
    return typeof fn === 'function' ? fn : undefined;
  }

  /** The V8 code cache beside the chunk, for this process's flags (tiering.ts). */
  private get codeCache(): string {
    return `${this.file}${codeCacheSuffix()}.v8`;
  }

  private evaluate(): Record<string, ValidateFunction> {
    const codeCache = this.codeCache;
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(codeCache);
    } catch {
      cachedData = undefined;
    }
    const module = { exports: {} as Record<string, ValidateFunction> };
    try {
      const bytes = fs.readFileSync(this.file);
      // the chunk's name is the start of its code's SHA-256 (persist()): edited or damaged code is
      // not run, its validators are compiled again. A chunk still as persist() wrote it is not
      // hashed again (megabytes, in every fresh process).
      if (!isAsRecorded(this.file) && chunkName(bytes) !== path.basename(this.file, '.js')) {
        removeRecorded(this.file);
        for (const f of [this.codeCache, this.file.replace(/\.js$/, '.refs.json')]) fs.rmSync(f, { force: true });
        return module.exports;
      }
      // Our own generated code (written by persist()), wrapped as a CommonJS module.
      this.script = new vm.Script(`(function (require, module, exports) {${bytes.toString('utf8')}\n})`, { filename: this.file, ...(cachedData ? { cachedData } : {}) });
      this.needsCodeCache = !cachedData || this.script.cachedDataRejected === true;
      (this.script.runInThisContext() as (r: unknown, m: unknown, e: unknown) => void)(requireForValidators, module, module.exports);
    } catch {
      // A stale or partial chunk: its validators are compiled again. Code that threw half-way has
      // exported validators whose helpers it never set up: none of them is used.
      return {};
    }
    return module.exports;
  }

  /** Writes the V8 code cache after a run, when there was none (it then holds the functions this run compiled). */
  writeCodeCache(): void {
    if (!this.script || !this.needsCodeCache) return;
    try {
      replaceFileSync(this.codeCache, this.script.createCachedData());
      this.needsCodeCache = false;
    } catch {
      // Only costs time next run.
    }
  }
}

/** A validator chunk's file name: the start of its code's SHA-256. */
function chunkName(code: string | Buffer): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 20);
}

/** A cached validator: its chunk and its name there. */
interface ChunkEntry {
  chunk: ValidatorChunk;
  name: string;
}

/**
 * The chunks holding each cached validator, by ajv reference (`id` or `id#/select`). Runs on
 * several boards each write the validators they compiled first, so one validator may be in several
 * chunks: the ones holding more validators come first, and a run takes a validator from a chunk
 * it has already evaluated when it can (validatorFromCache), loading fewer chunks.
 */
function indexValidatorChunks(dir: string): { chunks: ValidatorChunk[]; byRef: Map<string, ChunkEntry[]> } {
  const chunks: ValidatorChunk[] = [];
  const byRef = new Map<string, ChunkEntry[]>();
  const sizes = new Map<ValidatorChunk, number>();
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.refs.json')).sort();
  } catch {
    return { chunks, byRef };
  }
  for (const f of files) {
    try {
      // The small index of a chunk is read at start; its code only when one of its validators is used.
      const refs = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown;
      if (typeof refs !== 'object' || refs === null || Array.isArray(refs) || !Object.values(refs).every((r) => typeof r === 'string')) continue;
      const chunk = new ValidatorChunk(path.join(dir, f.replace(/\.refs\.json$/, '.js')));
      chunks.push(chunk);
      sizes.set(chunk, Object.keys(refs).length);
      for (const [name, ref] of Object.entries(refs as Record<string, string>)) {
        const list = byRef.get(ref);
        if (list) list.push({ chunk, name });
        else byRef.set(ref, [{ chunk, name }]);
      }
    } catch {
      // Unreadable chunk: its validators are compiled again.
    }
  }
  for (const list of byRef.values()) if (list.length > 1) list.sort((a, b) => sizes.get(b.chunk)! - sizes.get(a.chunk)!);
  return { chunks, byRef };
}

export function normalizeId(id: string): string {
  return id.endsWith('#') ? id.slice(0, -1) : id;
}

/** dt-schema's `typeSize` keyword: the integer's width in bits (32 unless decoded otherwise). */
export function typeSizeOf(parentData: unknown, parentDataProperty: unknown): number {
  const holder = typeof parentData === 'object' && parentData !== null ? valueSizes.get(parentData) : undefined;
  if (holder === undefined) return 32;
  if (typeof holder === 'number') return holder;
  return holder.get(String(parentDataProperty)) ?? 32;
}

/** Names the cached (standalone) validator code requires, besides ajv's runtime. */
export const RUNTIME_MODULE = 'dtoverlay-check/schema-runtime';

const typeSizeKeyword: CodeKeywordDefinition = {
  keyword: 'typeSize',
  schemaType: 'number',
  code(cxt: KeywordCxt) {
    const { _ } = ajvModules().codegen;
    const { gen, schema, it } = cxt;
    const sizeOf = gen.scopeValue('func', { ref: typeSizeOf, code: _`require(${RUNTIME_MODULE}).typeSizeOf` });
    const size = gen.const('size', _`${sizeOf}(${it.parentData}, ${it.parentDataProperty})`);
    cxt.setParams({ size, expected: schema as number });
    cxt.fail(_`${size} !== ${schema as number}`);
  },
  error: {
    message: ({ params }) => ajvModules().codegen.str`size is ${params.size}, expected ${params.expected}`,
    params: ({ params }) => ajvModules().codegen._`{size: ${params.size}, expected: ${params.expected}}`,
  },
};

/**
 * Works around an ajv 8 code-generation bug in unevaluatedProperties tracking. Inside
 * `if`/`then`, `oneOf`, `anyOf` and `dependentSchemas`, ajv turns its statically known set of
 * evaluated names into a variable *inside* the conditional block it generates; when that block is
 * not run the names evaluated before it (by an allOf/$ref, say) are lost, or the variable stays
 * undefined and a later write throws ("Cannot set properties of undefined"). Turning the static set
 * into a variable before those keywords run keeps every path right. dt-schema bindings hit it
 * (shared-dma-pool.yaml, qcom-cpufreq-nvmem.yaml).
 */
interface EvaluatedState {
  it: { opts: { unevaluated?: boolean }; props?: unknown; items?: unknown };
  gen: ajvCodegen.CodeGen;
}

function hoistEvaluated({ it, gen }: EvaluatedState): void {
  if (!it.opts.unevaluated) return;
  if (it.props !== true && !(it.props instanceof ajvModules().codegen.Name)) {
    it.props = ajvModules().util.evaluatedPropsToName(gen, it.props as Record<string, true> | undefined);
  }
  if (typeof it.items === 'number') it.items = gen.var('items', it.items);
}

/**
 * A second ajv 8 bug on the same path: once a `$ref` to a schema that evaluates every property
 * has run, the evaluated names are the runtime value `true` held in a variable, but
 * `patternProperties` writes `props[key] = true` into that variable unguarded. In sloppy mode the
 * write to a boolean is silently dropped; in strict mode (every validator here, fresh or cached)
 * it throws "Cannot create property 'pinctrl-0' on boolean 'true'"
 * (usb/socionext,uniphier-dwc3.yaml after snps,dwc3.yaml). The keyword now marks its names in an
 * object of its own, merged afterwards with ajv's guarded merge.
 */
function isolatePatternEvaluated(cxt: EvaluatedState, run: () => void): void {
  const { it, gen } = cxt;
  const outer = it.props;
  const { codegen, util } = ajvModules();
  if (!it.opts.unevaluated || !(outer instanceof codegen.Name)) return run();
  it.props = gen.let('props', codegen._`{}`);
  run();
  it.props = util.mergeEvaluated.props(gen, it.props as ajvCodegen.Name, outer);
}

function patchEvaluatedTracking(ajv: Ajv): void {
  const rules = (ajv as unknown as { RULES: { all: Record<string, { definition?: { code?: (cxt: EvaluatedState, ruleType?: unknown) => void } } | boolean> } }).RULES.all;
  for (const keyword of ['if', 'oneOf', 'anyOf', 'dependentSchemas', 'patternProperties']) {
    const rule = rules[keyword];
    const definition = typeof rule === 'object' ? rule.definition : undefined;
    const code = definition?.code;
    if (!definition || !code) continue;
    definition.code =
      keyword === 'patternProperties'
        ? (cxt, ruleType) => isolatePatternEvaluated(cxt, () => code.call(definition, cxt, ruleType))
        : (cxt, ruleType) => {
            hoistEvaluated(cxt);
            code.call(definition, cxt, ruleType);
          };
  }
}

/**
 * ajv compiles fresh validators with `new Function`, in sloppy mode; cached ones are standalone
 * modules in strict mode. Both run strict, so that a validator cannot behave differently (a write
 * silently dropped in one, thrown in the other) depending on whether it came from the cache.
 */
function strictValidatorSource(source: string): string {
  return `"use strict";${source}`;
}

function isTrivial(schema: Json): boolean {
  return schema === true || (isObject(schema) && Object.keys(schema).length === 0);
}

/**
 * patternProperties entries that accept anything only mark names as known (vendor-prefixes.yaml
 * has 960 of them, tested against every property of every node). One alternation of them all
 * marks the same names, in one test. Patterns with backreferences are left alone.
 */
export function mergeTrivialPatterns(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(mergeTrivialPatterns);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'patternProperties' && isObject(v)) {
      const trivial = Object.entries(v).filter(([p, sub]) => isTrivial(sub) && !/\\\d|\\k<|\(\?P=/.test(p));
      if (trivial.length < 8) {
        out[k] = mergeTrivialPatterns(v);
        continue;
      }
      const merged: JsonObject = {};
      const trivialNames = new Set(trivial.map(([p]) => p));
      for (const [p, sub] of Object.entries(v)) if (!trivialNames.has(p)) merged[p] = mergeTrivialPatterns(sub);
      merged[trivial.map(([p]) => `(?:${p})`).join('|')] = true;
      out[k] = merged;
    } else out[k] = mergeTrivialPatterns(v);
  }
  return out;
}

/** The names and patterns of dt-validate's `generated-compatibles` schema (compatible items: anyOf [enum of names, patterns]). */
export function documentedCompatibleLists(schema: JsonObject | undefined): { names: string[]; patterns: string[] } {
  const names: string[] = [];
  const patterns: string[] = [];
  const props = schema && isObject(schema.properties) ? schema.properties : undefined;
  const compatible = props && isObject(props.compatible) ? props.compatible : undefined;
  const items = compatible && isObject(compatible.items) ? compatible.items : undefined;
  const anyOf = items && Array.isArray(items.anyOf) ? items.anyOf : [];
  for (const entry of anyOf) {
    if (!isObject(entry)) continue;
    if (Array.isArray(entry.enum)) for (const n of entry.enum) if (typeof n === 'string') names.push(n);
    if (typeof entry.pattern === 'string') patterns.push(entry.pattern);
  }
  return { names, patterns };
}

/**
 * The compatibles dt-validate's `generated-compatibles` schema documents, answered by a name
 * look-up and a list of regexes: thousands of names are otherwise compared one by one per node.
 */
export class DocumentedCompatibles {
  private readonly patterns: RegExpLike[] = [];

  constructor(
    private readonly hasName: (name: string) => boolean,
    patterns: string[],
  ) {
    for (const pattern of patterns) {
      // A pattern that cannot be compiled documents nothing.
      const re = compileBindingPattern(pattern);
      if (re) this.patterns.push(re);
    }
  }

  static fromSchema(schema: JsonObject | undefined): DocumentedCompatibles {
    const { names, patterns } = documentedCompatibleLists(schema);
    const set = new Set(names);
    return new DocumentedCompatibles((name) => set.has(name), patterns);
  }

  /** True when every string item is documented (non-strings pass, as under JSON Schema). */
  allDocumented(compatibles: unknown[]): boolean {
    return compatibles.every((c) => typeof c !== 'string' || this.hasName(c) || this.patterns.some((p) => p.test(c)));
  }
}

/**
 * Look-ups a cached set answers without its compatible map and documented-compatibles schema in
 * memory (processed-cache.ts: sorted tables read where they lie).
 */
export interface CompatibleLookups {
  /** The `$id` of the schema that claims a compatible (the set's compatMap). */
  schemaOf(compatible: string): string | undefined;
  documented: DocumentedCompatibles;
}

/** A schema's `select`, asked of a node (instance): whether the schema applies. */
export type SelectTest = (instance: unknown) => boolean;

/**
 * The names of a select that says only `properties: {name: false, …}` (gpio-consumer.yaml's
 * `gpio-hog: false`, asked of every node): it holds when the node has none of them. As ajv's
 * `data[name] !== undefined` does, `in` sees inherited names too.
 */
function propertiesThatMustBeAbsent(select: JsonObject): string[] | undefined {
  const keys = Object.keys(select);
  if (keys.length !== 1 || keys[0] !== 'properties' || !isObject(select.properties)) return undefined;
  const entries = Object.entries(select.properties);
  return entries.length > 0 && entries.every(([, v]) => v === false) ? entries.map(([k]) => k) : undefined;
}

/** What SchemaRuntime resolves once per process for a schema of the set's `always` list. */
export interface AlwaysEntry {
  select: SelectTest | 'always' | 'never';
  validate: ValidateFunction | null | undefined;
}

export interface RuntimeOptions {
  /** Folder of cached validator code for this schema set (see persist()); none: no cache. */
  validatorCacheDir?: string;
  /** Reads the processed schemas when `set.schemas` was left empty (cached sets load them lazily). */
  loadSchemas?: () => JsonObject[];
  /** Reads one processed schema by normalised `$id` when `set.schemas` was left empty: preferred to loadSchemas. */
  loadSchema?: (id: string) => JsonObject | undefined;
  /** Compatible look-ups of a cached set; default: the set's compatMap and generatedCompatibles. */
  compatibles?: CompatibleLookups;
}

export class SchemaRuntime {
  private ajvInstance: Ajv | undefined;
  private byIdMap: Map<string, JsonObject> | undefined;
  /** Placeholders for references to schemas the set lacks. */
  private readonly missing = new Map<string, JsonObject>();
  private readonly added = new Set<string>();
  private readonly validators = new Map<string, ValidateFunction | null>();
  private readonly selects = new Map<string, SelectTest | 'always' | 'never'>();
  /** Validators in the on-disk cache, by ajv reference (`id` or `id#/select`). */
  private readonly cachedRefs: Map<string, ChunkEntry[]>;
  private readonly chunks: ValidatorChunk[];
  /** References compiled in this process and not yet in the cache. */
  private readonly fresh: string[] = [];
  /** Problems met while compiling (unknown references, schemas ajv rejects). */
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly set: ProcessedSchemaSet,
    private readonly options: RuntimeOptions = {},
  ) {
    // Before any chunk is evaluated: V8's code cache records the flags it was made under, and one
    // made without the linear engine would be rejected (and rewritten) by a run with it.
    enableLinearRegExp();
    if (options.validatorCacheDir) markUsed(options.validatorCacheDir);
    const index = options.validatorCacheDir ? indexValidatorChunks(options.validatorCacheDir) : { chunks: [], byRef: new Map() };
    this.chunks = index.chunks;
    this.cachedRefs = index.byRef;
  }

  /** The ajv instance validators are compiled with, made when the first one must be. */
  get ajv(): Ajv {
    if (!this.ajvInstance) {
      const { Ajv2019 } = ajvModules();
      const instance = new Ajv2019({
        allErrors: true,
        strict: false,
        validateSchema: false,
        validateFormats: false,
        unicodeRegExp: false,
        code: { regExp: bindingRegExp, source: true, process: strictValidatorSource },
      });
      instance.addKeyword(typeSizeKeyword);
      patchEvaluatedTracking(instance);
      this.ajvInstance = instance;
    }
    return this.ajvInstance;
  }

  /** Every processed schema by normalised `$id`; read from the cache only when something must be compiled. */
  private get byId(): Map<string, JsonObject> {
    if (!this.byIdMap) {
      this.byIdMap = new Map();
      for (const s of this.set.schemas.length ? this.set.schemas : (this.options.loadSchemas?.() ?? [])) this.byIdMap.set(normalizeId(s.$id as string), s);
      for (const [id, s] of this.missing) this.byIdMap.set(id, s);
    }
    return this.byIdMap;
  }

  /** One schema by normalised `$id`: read alone when the set can do that, else from the whole map. */
  private schemaById(id: string): JsonObject | undefined {
    const missing = this.missing.get(id);
    if (missing) return missing;
    if (!this.byIdMap && !this.set.schemas.length && this.options.loadSchema) return this.options.loadSchema(id);
    return this.byId.get(id);
  }

  /** The processed schema of a `$id` (with or without its final `#`), for editors' hover and completion. */
  schema(id: string): JsonObject | undefined {
    return this.schemaById(normalizeId(id));
  }

  private addToAjv(id: string): boolean {
    if (this.added.has(id)) return true;
    const schema = this.schemaById(id);
    if (!schema) return false;
    const copy: JsonObject = mergeTrivialPatterns({ ...schema, $id: id }) as JsonObject;
    delete copy.$schema;
    delete copy.$filename;
    this.ajv.addSchema(copy);
    this.added.add(id);
    return true;
  }

  /** Compiles `ref` (a schema id, optionally with a #/pointer), adding referenced schemas as needed. */
  private compile(ref: string, owner: string): ValidateFunction | null {
    const cached = this.validatorFromCache(ref);
    if (cached) return cached;
    expectLongRun(); // validators compiled by ajv (a cold validator cache): the optimizing compiler pays back
    const fn = this.compileFresh(ref, owner);
    if (fn) this.fresh.push(ref);
    return fn;
  }

  /** A cached validator of `ref`: from a chunk already evaluated if one holds it, else from the first that does. */
  private validatorFromCache(ref: string): ValidateFunction | undefined {
    const entries = this.cachedRefs.get(ref);
    if (!entries) return undefined;
    const evaluated = entries.find((e) => e.chunk.evaluated);
    for (const entry of evaluated ? [evaluated, ...entries.filter((e) => e !== evaluated)] : entries) {
      const fn = entry.chunk.get(entry.name);
      if (fn) return fn;
    }
    return undefined;
  }

  private compileFresh(ref: string, owner: string): ValidateFunction | null {
    const cycle = findRefCycle(ref, (id) => this.byId.get(id));
    if (cycle) {
      const span = this.spanOfProblem(owner, undefined);
      const names = cycle.map((r) => r.replace(/^http:\/\/devicetree\.org\/schemas\//, ''));
      this.diagnostics.push({
        rule: 'schema/ref-cycle',
        severity: 'error',
        message: `${owner}: $ref cycle ${names.join(' → ')} never reaches a value (it would recurse forever); the schema is not used`,
        schema: owner,
        ...(span ? { span } : {}),
      });
      return null;
    }
    this.addToAjv(owner);
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const fn = this.ajv.getSchema(ref);
        return fn ?? null;
      } catch (err) {
        const missing = (err as { missingSchema?: string }).missingSchema;
        if (missing === undefined) {
          const span = this.spanOfProblem(owner, err);
          this.diagnostics.push({ rule: 'schema/compile', severity: 'error', message: `${owner}: ${(err as Error).message}`, schema: owner, ...(span ? { span } : {}) });
          return null;
        }
        const id = normalizeId(missing);
        if (this.addToAjv(id)) continue;
        this.diagnostics.push({
          rule: 'schema/ref',
          severity: 'error',
          message: `unresolved $ref to '${missing}' in ${owner}: no schema with that $id is loaded (references are never fetched)`,
        });
        const placeholder: JsonObject = { $id: id, not: { description: `Can't find referenced schema: ${missing}` } };
        this.missing.set(id, placeholder);
        this.byIdMap?.set(id, placeholder);
        this.addToAjv(id);
      }
    }
    return null;
  }

  /**
   * Where a schema that ajv refused comes from: its file, and for an unusable pattern the first
   * line that holds it (the processed schema has no positions; the pattern's text is searched).
   */
  private spanOfProblem(owner: string, err: unknown): Span | undefined {
    const file = this.byId.get(owner)?.$filename;
    if (typeof file !== 'string' || !path.isAbsolute(file)) return undefined;
    let line = 1;
    if (err instanceof BindingPatternError) {
      try {
        const text = fs.readFileSync(file, 'utf8');
        const at = text.indexOf(err.pattern.slice(0, 200));
        if (at >= 0) line = text.slice(0, at).split('\n').length;
      } catch {
        // The file has gone: its name is still the best location.
      }
    }
    return { file, line, column: 1 };
  }

  /**
   * Writes the validators compiled in this process to the cache, as one chunk of standalone code,
   * and the V8 code cache of chunks that had none.
   */
  persist(): void {
    for (const chunk of this.chunks) chunk.writeCodeCache();
    const dir = this.options.validatorCacheDir;
    if (!dir || this.fresh.length === 0) return;
    const exportsByName: Record<string, string> = {};
    this.fresh.forEach((ref, i) => (exportsByName[`v${i}`] = ref));
    let code: string;
    try {
      code = ajvModules().standaloneCode(this.ajv, exportsByName);
    } catch (err) {
      this.diagnostics.push({ rule: 'schema/cache', severity: 'warning', message: `validator cache not written: ${(err as Error).message}` });
      return;
    }
    const name = chunkName(code);
    try {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}.js`);
      replaceFileRecorded(file, code);
      // The index last: a chunk is only used once both files are complete.
      const index = path.join(dir, `${name}.refs.json`);
      replaceFileSync(index, JSON.stringify(exportsByName));
      this.fresh.length = 0;
    } catch {
      // A read-only cache only costs time.
    }
  }

  private py: PyValidator | undefined;

  /**
   * Why `instance` fails schema `id`, as Python's jsonschema 4.10.3 (dt-validate) reports it:
   * asked only after the compiled validator said it fails.
   */
  explain(id: string, instance: unknown): PyError[] {
    this.py ??= new PyValidator((url) => this.schemaById(normalizeId(url)));
    return this.py.errors(instance, this.py.schema(normalizeId(id)));
  }

  validator(id: string): ValidateFunction | null {
    const key = normalizeId(id);
    if (!this.validators.has(key)) this.validators.set(key, this.compile(key, key));
    return this.validators.get(key)!;
  }

  private index: SelectIndex | undefined;
  private documented: DocumentedCompatibles | undefined;

  /** The compatibles the set documents (its generated-compatibles schema, answered without ajv). */
  documentedCompatibles(): DocumentedCompatibles {
    this.documented ??= this.options.compatibles?.documented ?? DocumentedCompatibles.fromSchema(this.set.generatedCompatibles);
    return this.documented;
  }

  /** The `$id` of the schema that claims `compatible`, if one does (own entries only: not `constructor`). */
  schemaOfCompatible(compatible: string): string | undefined {
    if (this.options.compatibles) return this.options.compatibles.schemaOf(compatible);
    return Object.prototype.hasOwnProperty.call(this.set.compatMap, compatible) ? this.set.compatMap[compatible] : undefined;
  }

  /** Which `always` schemas may select a node, by its compatibles and properties. */
  selectIndex(): SelectIndex {
    this.index ??= buildSelectIndex(this.set.always, (id) => this.set.selects[id]);
    return this.index;
  }

  private readonly alwaysEntries: (AlwaysEntry | undefined)[] = [];

  private guards: GuardIndex | undefined;

  /** Which `always` schemas a node may fail (guards.ts), by the set's guards. */
  guardIndex(): GuardIndex {
    this.guards ??= new GuardIndex(this.set.always.map((id) => (Object.prototype.hasOwnProperty.call(this.set.guards, id) ? this.set.guards[id] : null)));
    return this.guards;
  }

  /** `select` and (once needed) the validator of `set.always[index]`, resolved once per process. */
  alwaysEntry(index: number): AlwaysEntry {
    let entry = this.alwaysEntries[index];
    if (!entry) {
      entry = { select: this.select(this.set.always[index]!), validate: undefined };
      this.alwaysEntries[index] = entry;
    }
    return entry;
  }

  /** The schema's `select` as a validator, or whether it applies to every node or none. */
  select(id: string): SelectTest | 'always' | 'never' {
    const key = normalizeId(id);
    let found = this.selects.get(key);
    if (found === undefined) {
      const select = this.set.selects[id];
      const absent = isObject(select) ? propertiesThatMustBeAbsent(select) : undefined;
      if (select === true) found = 'always';
      else if (!isObject(select)) found = 'never';
      else if (absent) found = (node) => !absent.some((name) => name in (node as object));
      else found = this.compile(`${key}#/select`, key) ?? 'never';
      this.selects.set(key, found);
    }
    return found;
  }
}
