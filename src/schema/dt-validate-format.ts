/**
 * dt-validate's text for one error (dt-schema v2025.06.1 `format_error`, with jsonschema 4.10.3's
 * `best_match`): `<file>: <node> (<compatible>): <path>: <message>` then
 * `\tfrom schema $id: <id>`; a oneOf/anyOf that failed with several sub-errors prints
 * "'oneOf' conditional failed, one must be fixed:" and one tab-indented line per distinct
 * sub-error (sorted by path), a sub-error with its own context as a nested, further indented
 * error line; a single sub-error is replaced by its best match.
 */
import { absolutePath, type PathPart, type PyError } from './py-errors.js';
import { pyRepr } from './messages.js';
import type { DtValidateMessage } from './validate.js';

const WEAK = new Set(['anyOf', 'oneOf']);

function isTypeName(instance: unknown, type: string): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(instance);
    case 'object':
      return typeof instance === 'object' && instance !== null && !Array.isArray(instance);
    case 'string':
      return typeof instance === 'string';
    case 'integer':
      return typeof instance === 'number' && Number.isInteger(instance);
    case 'number':
      return typeof instance === 'number';
    case 'boolean':
      return typeof instance === 'boolean';
    case 'null':
      return instance === null;
    default:
      return false;
  }
}

function matchesType(error: PyError): boolean {
  const schema = error.schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || !('type' in schema)) return false;
  const expected = schema.type;
  if (typeof expected === 'string') return isTypeName(error.instance, expected);
  return Array.isArray(expected) && expected.some((t) => typeof t === 'string' && isTypeName(error.instance, t));
}

/** jsonschema's `relevance` key: (-len(path), not weak, strong (never), not matches type). */
function relevance(error: PyError): number[] {
  return [-error.path.length, WEAK.has(error.keyword ?? '') ? 0 : 1, 0, matchesType(error) ? 0 : 1];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** jsonschema's `best_match`. */
export function bestMatch(errors: PyError[]): PyError | undefined {
  let best: PyError | undefined;
  for (const e of errors) if (!best || compareKeys(relevance(e), relevance(best)) > 0) best = e;
  while (best && best.context.length) {
    const sorted = [...best.context].sort((a, b) => compareKeys(relevance(a), relevance(b)));
    if (sorted.length >= 2 && compareKeys(relevance(sorted[0]!), relevance(sorted[1]!)) === 0) return best;
    best = sorted[0]!;
  }
  return best;
}

/** Python's ordering of two paths (deques of str and int). */
function comparePaths(a: PathPart[], b: PathPart[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x !== typeof y) return 0; // Python would raise; keep the order
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The context of a failed oneOf/anyOf in dt-validate's order (a stable sort by path). */
export function sortedContext(error: PyError): PyError[] {
  return [...error.context].sort((a, b) => comparePaths(a.path, b.path));
}

export interface FormatOptions {
  /** What dt-validate prints before the node name: the DTB's absolute path and a colon. */
  file: string;
  nodename: string;
  compatible?: string;
  /** `$id` of the binding (only the top-level error prints it). */
  schemaId?: string;
}

/** The message of an error without its location: the conditional summary, or best match, or its own. */
export function errorMessage(error: PyError, prefix: string, nested: (suberror: PyError, prefix: string) => string): string {
  if (!error.schemaPath.length) return error.message;
  if (error.context.length === 1) return bestMatch(error.context)!.message;
  if (error.context.length === 0) return error.message;
  let msg = `'${error.schemaPath[error.schemaPath.length - 1]}' conditional failed, one must be fixed:`;
  for (const sub of sortedContext(error)) {
    if (sub.context.length) msg += `\n${nested(sub, `${prefix}\t`)}`;
    else if (!msg.includes(sub.message)) msg += `\n${prefix}\t${sub.message}`;
  }
  return msg;
}

/** `format_error` of dt-schema v2025.06.1 (not verbose). */
export function formatDtValidateError(error: PyError, options: FormatOptions, prefix = ''): string {
  let src = `${prefix}${options.file}: `;
  src += options.nodename;
  if (options.compatible !== undefined) src += ` (${options.compatible})`;
  src += ': ';
  const path = absolutePath(error);
  if (path.length) src += `${path.map((p) => `${p}:`).join('')} `;
  let msg = errorMessage(error, prefix, (sub, p) => formatDtValidateError(sub, { ...options, schemaId: undefined }, p));
  if (options.schemaId && !prefix) msg += `\n\t${prefix}from schema $id: ${options.schemaId}`;
  return src + msg;
}

/** dt-validate's stderr for one DTB: `file` as format_error prints it (absolute), `unmatchedFile` as given. */
export function formatDtValidateMessages(messages: readonly DtValidateMessage[], files: { file: string; unmatchedFile: string }): string[] {
  return messages.map((m) =>
    m.kind === 'unmatched'
      ? `${files.unmatchedFile}: ${m.path}: failed to match any schema with compatible: ${pyRepr(m.compatibles)}\n`
      : `${formatDtValidateError(m.error, { file: files.file, nodename: m.nodename, ...(m.compatible !== undefined ? { compatible: m.compatible } : {}), schemaId: m.schemaId })}\n`,
  );
}
