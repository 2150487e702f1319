/**
 * Finding and parsing binding files: a bindings folder (the kernel's
 * Documentation/devicetree/bindings) and the core schemas (dt-schema's `schemas/`: the copy
 * vendored in vendor/dtschema/, or a folder given). Files are read in sorted order so that the
 * first of two duplicate `$id`s is the same on every machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Diagnostic } from '../diagnostics.js';
import { isObject, type JsonObject } from './json.js';

export interface SchemaSource {
  /** Absolute file name. */
  file: string;
  schema: JsonObject;
}

export interface LoadedSources {
  sources: SchemaSource[];
  diagnostics: Diagnostic[];
}

/** Every `*.yaml` below `dir`, sorted, skipping dot folders. */
export function listYamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.yaml')) out.push(full);
    }
  };
  walk(path.resolve(dir));
  return out.sort();
}

/** A folder of the package: src/schema/load.ts in development, dist/cli.js when bundled (both one or two levels below the root). */
function packageFolder(relative: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../..', relative), path.resolve(here, '..', relative)]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(here, '../..', relative);
}

/** Where the package keeps dt-schema's core schemas and meta-schemas (scripts/vendor-dtschema.sh writes them). */
export function vendoredDtschemaPath(): string {
  return packageFolder('vendor/dtschema');
}

/**
 * dt-schema's core schemas and meta-schemas as vendored by scripts/vendor-dtschema.sh (the
 * release named in its SOURCE file), or undefined when that copy is missing.
 */
export function vendoredDtschemaDir(dir = vendoredDtschemaPath()): string | undefined {
  return holdsDtschemaCore(dir) ? dir : undefined;
}

/** Whether a core-schema folder holds dt-schema's core (its types.yaml, which every binding uses). */
export function holdsDtschemaCore(dir: string): boolean {
  return fs.existsSync(path.join(coreSchemasFolder(dir), 'types.yaml'));
}

/** The dt-schema version a core folder holds (its SOURCE file, written by the vendoring script), if it says. */
export function dtschemaVersionOf(dir: string): string | undefined {
  try {
    return /^version (\S+)$/m.exec(fs.readFileSync(path.join(dir, 'SOURCE'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Which core schemas a run uses, and why. */
export interface CoreSchemaChoice {
  dir: string;
  origin: 'given' | 'environment' | 'vendored dt-schema';
}

/**
 * The core schemas: `--core-schemas` (or the config's `coreSchemas`), else the folder in
 * `DTOVERLAY_CHECK_CORE_SCHEMAS`, else dt-schema's core vendored in vendor/dtschema/, which the
 * package always ships. There is no other fallback: a core of our own would give findings
 * dt-validate does not. An installed dt-schema is not looked for.
 */
export function chooseCoreSchemas(given?: string, env: NodeJS.ProcessEnv = process.env, vendored = vendoredDtschemaPath()): CoreSchemaChoice {
  if (given) return { dir: given, origin: 'given' };
  const fromEnv = env.DTOVERLAY_CHECK_CORE_SCHEMAS;
  if (fromEnv) return { dir: fromEnv, origin: 'environment' };
  return { dir: vendored, origin: 'vendored dt-schema' };
}

/**
 * The schemas folder of a core-schema directory: dt-schema's layout has `schemas/` and
 * `meta-schemas/` side by side; a folder of schemas is also accepted as it is.
 */
export function coreSchemasFolder(dir: string): string {
  const nested = path.join(dir, 'schemas');
  return fs.existsSync(nested) && fs.statSync(nested).isDirectory() ? nested : dir;
}

/** Parses one binding; a file that does not parse is reported and ignored, as dt-mk-schema does. */
/**
 * ruamel.yaml (dt-schema's parser) accepts a lone `-` as a plain scalar inside a flow sequence
 * (`enum: [a, b, -]`, mediatek,mt76x8-pinctrl.yaml); js-yaml does not. Quoting it means the same.
 */
function quoteLoneDashes(text: string): string {
  return text.replace(/([[,]\s*)-(?=\s*[\],])/g, "$1'-'");
}

type JsYaml = typeof import('js-yaml');
let jsYamlModule: JsYaml | undefined;

/**
 * js-yaml, loaded when YAML is first parsed: a warm `validate` or `dt-validate` reads only JSON
 * from the cache, and a fresh process need not load the parser (issue 17).
 */
export function jsYaml(): JsYaml {
  return (jsYamlModule ??= createRequire(import.meta.url)('js-yaml') as JsYaml);
}

export function parseSchemaFile(file: string, text: string, diagnostics: Diagnostic[]): JsonObject | undefined {
  let doc: unknown;
  try {
    try {
      doc = jsYaml().load(text, { filename: file });
    } catch (first) {
      const retried = quoteLoneDashes(text);
      if (retried === text) throw first;
      doc = jsYaml().load(retried, { filename: file });
    }
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    diagnostics.push({
      rule: 'schema/load',
      severity: 'warning',
      message: `ignoring, error parsing file: ${(err as Error).message.split('\n')[0]}`,
      span: { file, line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1 },
    });
    return undefined;
  }
  if (!isObject(doc)) {
    diagnostics.push({ rule: 'schema/load', severity: 'warning', message: 'ignoring, not a schema (no mapping at top level)', span: { file, line: 1, column: 1 } });
    return undefined;
  }
  return doc;
}

/** Parses `files`; `texts` may already hold some of their contents (read for hashing). */
export function readSchemaSources(files: string[], texts: Map<string, Buffer> = new Map()): LoadedSources {
  const diagnostics: Diagnostic[] = [];
  const sources: SchemaSource[] = [];
  for (const file of files) {
    const schema = parseSchemaFile(file, (texts.get(file) ?? fs.readFileSync(file)).toString('utf8'), diagnostics);
    if (schema) sources.push({ file, schema });
  }
  return { sources, diagnostics };
}
