/**
 * Finding and reading `.dtoverlay-check.yaml`: the nearest one in the working folder or above it
 * (stopping at the filesystem root), parsed with js-yaml and validated with ajv. Errors name the
 * file, the key and what was expected, e.g.
 *   .dtoverlay-check.yaml: rules["dtc/reg_format"]: must be one of off, info, warning, error (got "loud")
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import { CONFIG_SCHEMA } from './schema.js';
import type { LoadedConfig, ProjectConfig } from './types.js';

export const CONFIG_NAME = '.dtoverlay-check.yaml';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function findConfig(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, CONFIG_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** `explicit`: a --config file, or false for --no-config; undefined searches upward from `cwd`. */
export async function loadConfigFor(cwd: string, explicit?: string | false): Promise<LoadedConfig | undefined> {
  if (explicit === false) return undefined;
  const file = explicit ? path.resolve(cwd, explicit) : findConfig(cwd);
  if (!file) return undefined;
  return loadConfigFile(file);
}

function pointerToKey(pointer: string): string {
  if (!pointer) return '(top level)';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) ? (acc ? `${acc}.${part}` : part) : /^\d+$/.test(part) ? `${acc}[${part}]` : `${acc}[${JSON.stringify(part)}]`), '');
}

function describe(error: ErrorObject, data: unknown): string {
  let where = pointerToKey(error.instancePath);
  let value: unknown = error.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), data);
  let what = error.message ?? 'is invalid';
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      where = pointerToKey(`${error.instancePath}/${extra}`);
      const known = Object.keys(CONFIG_SCHEMA.properties).join(', ');
      return `${where}: unknown key (known keys: ${known})`;
    }
    case 'enum':
      what = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => String(v)).join(', ')}`;
      break;
    case 'propertyNames': {
      const name = (error.params as { propertyName: string }).propertyName;
      where = pointerToKey(`${error.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      value = undefined;
      what = 'is not a rule id (family/name, or family/* for a whole family)';
      break;
    }
    case 'pattern':
      what = `does not match ${(error.params as { pattern: string }).pattern}`;
      break;
  }
  return `${where}: ${what}${value !== undefined && typeof value !== 'object' ? ` (got ${JSON.stringify(value)})` : ''}`;
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot be read`);
  }
  const yaml = (await import('js-yaml')).default;
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file }) ?? {};
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    throw new ConfigError(`${file}${mark ? `:${mark.line + 1}:${mark.column + 1}` : ''}: invalid YAML: ${reason}`);
  }
  const { loadAjv } = await import('../ajv.js');
  const Ajv = await loadAjv();
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(data)) {
    const messages = (validate.errors ?? []).filter((e) => !e.schemaPath.includes('/propertyNames/')).map((e) => `${file}: ${describe(e, data)}`);
    throw new ConfigError([...new Set(messages)].join('\n'));
  }
  const config = data as ProjectConfig;
  const dir = path.dirname(file);
  const resolve = (p: string) => path.resolve(dir, p);
  return {
    file,
    config: {
      ...config,
      include: config.include?.map(resolve),
      bindings: config.bindings?.map(resolve),
      coreSchemas: config.coreSchemas ? resolve(config.coreSchemas) : undefined,
      baseline: config.baseline ? resolve(config.baseline) : undefined,
    },
  };
}

/**
 * loadConfigFor for a command: a bad config file prints its message and yields `undefined` with
 * `failed` set, so the command can exit with the usage status.
 */
export async function loadConfigForCommand(cwd: string, explicit?: string | false): Promise<{ config?: LoadedConfig; failed: boolean }> {
  try {
    return { config: await loadConfigFor(cwd, explicit), failed: false };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return { failed: true };
  }
}
