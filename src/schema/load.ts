/**
 * Finding and parsing binding files: a bindings folder (the kernel's
 * Documentation/devicetree/bindings) and the core schemas (dt-schema's `schemas/`, or our own
 * `schemas/core/`). Files are read in sorted order so that the first of two duplicate `$id`s is
 * the same on every machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
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

/** Our own small core schemas, the default when no `--core-schemas` folder is given. */
export function builtinCoreSchemaDir(): string {
  // src/schema/load.ts in development, dist/cli.js when bundled: both sit one level below the root.
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../../schemas/core'), path.resolve(here, '../schemas/core')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(here, '../../schemas/core');
}

/**
 * dt-schema installed as a Python package (pip --user, a virtualenv, pipx, /usr/local, Debian's
 * python3-dtschema): its package folder, which holds `schemas/` and `meta-schemas/`. Kernel
 * developers who run `make dtbs_check` have one. Found by looking, not by starting Python.
 */
export function findInstalledDtschema(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string | undefined {
  const libs: string[] = [];
  if (env.VIRTUAL_ENV) libs.push(path.join(env.VIRTUAL_ENV, 'lib'));
  libs.push(path.join(home, '.local/lib'));
  for (const pipx of ['.local/share/pipx/venvs/dtschema/lib', '.local/pipx/venvs/dtschema/lib']) libs.push(path.join(home, pipx));
  libs.push('/usr/local/lib', '/usr/lib');
  const candidates: string[] = [];
  for (const lib of libs) {
    let entries: string[];
    try {
      // newest Python first: python3.12 before python3.9
      const minor = (e: string): number => Number(e.slice('python3.'.length) || 0);
      entries = fs.readdirSync(lib).filter((e) => /^python3(\.\d+)?$/.test(e)).sort((a, b) => minor(b) - minor(a));
    } catch {
      continue;
    }
    for (const py of entries) for (const where of ['site-packages', 'dist-packages']) candidates.push(path.join(lib, py, where, 'dtschema'));
  }
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'schemas', 'types.yaml')));
}

/** Which core schemas a run uses, and why. */
export interface CoreSchemaChoice {
  dir: string;
  origin: 'given' | 'environment' | 'installed dtschema' | 'built-in';
}

/**
 * The core schemas: `--core-schemas` (or the config's `coreSchemas`), else
 * `DTOVERLAY_CHECK_CORE_SCHEMAS` (a folder, or `builtin`), else an installed dt-schema, else ours.
 */
export function chooseCoreSchemas(given?: string, env: NodeJS.ProcessEnv = process.env): CoreSchemaChoice {
  if (given) return { dir: given, origin: 'given' };
  const fromEnv = env.DTOVERLAY_CHECK_CORE_SCHEMAS;
  if (fromEnv === 'builtin') return { dir: builtinCoreSchemaDir(), origin: 'built-in' };
  if (fromEnv) return { dir: fromEnv, origin: 'environment' };
  // looked up once per process (kernel mode asks for every board)
  if (installedLookup === undefined || installedLookup.env !== env) installedLookup = { env, dir: findInstalledDtschema(env) };
  const installed = installedLookup.dir;
  return installed ? { dir: installed, origin: 'installed dtschema' } : { dir: builtinCoreSchemaDir(), origin: 'built-in' };
}
let installedLookup: { env: NodeJS.ProcessEnv; dir: string | undefined } | undefined;

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

export function parseSchemaFile(file: string, text: string, diagnostics: Diagnostic[]): JsonObject | undefined {
  let doc: unknown;
  try {
    try {
      doc = yaml.load(text, { filename: file });
    } catch (first) {
      const retried = quoteLoneDashes(text);
      if (retried === text) throw first;
      doc = yaml.load(retried, { filename: file });
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
