/**
 * Checking binding files themselves against dt-schema's meta-schemas (dt-doc-validate's job):
 * each binding is validated, as written, against the meta-schema its `$schema` names
 * (http://devicetree.org/meta-schemas/core.yaml# for device bindings). The meta-schemas come from
 * dt-schema's folder (`meta-schemas/`); they build on the JSON Schema 2019-09 meta-schema, which
 * ajv carries, so nothing is fetched.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as ajv2019 from 'ajv/dist/2019.js';
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics.js';
import { chooseCoreSchemas, listYamlFiles, parseSchemaFile } from './load.js';
import { isObject, type JsonObject } from './json.js';
import { bindingRegExp, GUARDED_INPUT_LIMIT, isGuardedPattern } from './regex.js';
import type { Json } from './json.js';

/** Every regular expression a binding holds: `pattern` values and `patternProperties` keys. */
function bindingPatterns(schema: Json): string[] {
  const out: string[] = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      for (const [k, sub] of Object.entries(v)) {
        if (k === 'pattern' && typeof sub === 'string') out.push(sub);
        if (k === 'patternProperties' && isObject(sub)) out.push(...Object.keys(sub));
        walk(sub);
      }
    }
  };
  walk(schema);
  return out;
}

const Ajv2019 = ((ajv2019 as unknown as { default: { default?: typeof ajv2019.Ajv2019 } }).default.default ??
  (ajv2019 as unknown as { default: typeof ajv2019.Ajv2019 }).default) as typeof ajv2019.Ajv2019;

/** The meta-schemas of the core validation uses (the folder given, else as chooseCoreSchemas picks). */
function metaSchemaDir(coreSchemas: string | undefined): string | undefined {
  const dir = chooseCoreSchemas(coreSchemas).dir;
  const nested = path.join(dir, 'meta-schemas');
  return fs.existsSync(nested) ? nested : undefined;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? `${error.instancePath.slice(1).replace(/\//g, ':')}: ` : '';
  const p = error.params as Record<string, unknown>;
  const extra = p.additionalProperty ?? p.unevaluatedProperty ?? p.missingProperty;
  return `${where}${error.message ?? error.keyword}${extra !== undefined ? ` ('${String(extra)}')` : ''}`;
}

export function validateBindingFiles(targets: string[], coreSchemas?: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const metaDir = metaSchemaDir(coreSchemas);
  if (!metaDir) {
    return [{ rule: 'schema/meta', severity: 'error', message: "no meta-schemas: give --core-schemas DIR (dt-schema's folder, holding meta-schemas/)" }];
  }
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false, code: { regExp: bindingRegExp } });
  // dt-schema's base meta-schema builds on draft-07's, which ajv ships (never fetched).
  const draft7 = JSON.parse(fs.readFileSync(createRequire(import.meta.url).resolve('ajv/dist/refs/json-schema-draft-07.json'), 'utf8')) as JsonObject;
  delete draft7.$schema;
  ajv.addSchema(draft7);
  for (const file of listYamlFiles(metaDir)) {
    const meta = parseSchemaFile(file, fs.readFileSync(file, 'utf8'), diagnostics);
    if (!meta || typeof meta.$id !== 'string') continue;
    delete meta.$schema;
    ajv.addSchema(meta);
  }
  const files = targets.flatMap((t) => (fs.statSync(t).isDirectory() ? listYamlFiles(t) : [path.resolve(t)]));
  for (const file of files) {
    const schema = parseSchemaFile(file, fs.readFileSync(file, 'utf8'), diagnostics);
    if (!schema) continue;
    const metaId = typeof schema.$schema === 'string' ? schema.$schema : undefined;
    if (!metaId || !metaId.startsWith('http://devicetree.org/meta-schemas/')) {
      diagnostics.push({ rule: 'schema/meta', severity: 'error', message: `$schema must name a devicetree.org meta-schema (got ${metaId ?? 'none'})`, span: { file, line: 1, column: 1 } });
      continue;
    }
    let validate;
    try {
      validate = ajv.getSchema(metaId.replace(/#$/, ''));
    } catch (err) {
      diagnostics.push({ rule: 'schema/meta', severity: 'error', message: `meta-schema ${metaId}: ${(err as Error).message}`, span: { file, line: 1, column: 1 } });
      continue;
    }
    if (!validate) {
      diagnostics.push({ rule: 'schema/meta', severity: 'error', message: `unknown meta-schema ${metaId}`, span: { file, line: 1, column: 1 } });
      continue;
    }
    for (const pattern of bindingPatterns(schema)) {
      if (!isGuardedPattern(pattern)) continue;
      diagnostics.push({
        rule: 'schema/regex-nested-quantifier',
        severity: 'warning',
        message: `pattern '${pattern}' has a nested quantifier (catastrophic backtracking risk) and cannot run on the linear-time engine; it is matched only against inputs of at most ${GUARDED_INPUT_LIMIT} characters`,
        span: { file, line: 1, column: 1 },
      });
    }
    if (validate(schema)) continue;
    for (const error of validate.errors ?? []) {
      if (error.keyword === 'if') continue;
      diagnostics.push({
        rule: `schema/meta-${error.keyword}`,
        severity: 'error',
        message: describe(error),
        span: { file, line: 1, column: 1 },
        ...(isObject(schema) && typeof schema.$id === 'string' ? { schema: metaId } : {}),
      });
    }
  }
  return diagnostics;
}
