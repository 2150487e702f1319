/**
 * Messages in the words dt-validate uses (Python jsonschema's), so that people who know
 * `make dtbs_check` output recognise them: "'vdd-supply' is a required property",
 * "[[1, 2]] is too short", "Unevaluated properties are not allowed ('x' was unexpected)".
 */
import type { ErrorObject } from 'ajv';
import { RawBytes } from './decode.js';

/** Python's repr() of a decoded value. */
export function pyRepr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pyStrRepr(value, false);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof RawBytes) return `b${pyStrRepr(Buffer.from(value.bytes).toString('latin1'), true)}`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Python's repr() of a str (or, with `bytes`, of a bytes object's latin-1 text): its quote choice and escapes. */
function pyStrRepr(text: string, bytes: boolean): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (bytes && code > 0x7e) || (code >= 0x80 && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** `instanceOf` finds the value an inner (branch) error is about, for the oneOf/anyOf summary. */
export function formatErrorMessage(error: ErrorObject, instance: unknown, inner: ErrorObject[] = [], instanceOf: (e: ErrorObject) => unknown = () => undefined): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${pyRepr(p.missingProperty)} is a required property`;
    case 'unevaluatedProperties':
      return `Unevaluated properties are not allowed (${pyRepr(p.unevaluatedProperty)} was unexpected)`;
    case 'additionalProperties':
      return `Additional properties are not allowed (${pyRepr(p.additionalProperty)} was unexpected)`;
    case 'const':
      return `${pyRepr(p.allowedValue)} was expected`;
    case 'enum':
      return `${pyRepr(instance)} is not one of ${pyRepr(p.allowedValues)}`;
    case 'minItems':
      return `${pyRepr(instance)} is too short`;
    case 'maxItems':
      return `${pyRepr(instance)} is too long`;
    case 'type':
      return `${pyRepr(instance)} is not of type ${pyRepr(p.type)}`;
    case 'pattern':
      return `${pyRepr(instance)} does not match ${pyRepr(p.pattern)}`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `${pyRepr(instance)} is less than ${error.keyword === 'minimum' ? 'the minimum of' : 'or equal to the minimum of'} ${p.limit}`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `${pyRepr(instance)} is greater than ${error.keyword === 'maximum' ? 'the maximum of' : 'or equal to the maximum of'} ${p.limit}`;
    case 'uniqueItems':
      return `${pyRepr(instance)} has non-unique elements`;
    case 'not':
      return `${pyRepr(instance)} should not be valid under the given schema`;
    case 'dependentRequired':
      return `${pyRepr(p.missingProperty)} is a dependency of ${pyRepr(p.property)}`;
    case 'oneOf':
    case 'anyOf': {
      const sub = inner.map((e) => `\n\t${formatErrorMessage(e, instanceOf(e))}`);
      return `'${error.keyword}' conditional failed, one must be fixed:${[...new Set(sub)].join('')}`;
    }
    case 'contains':
      return `${pyRepr(instance)} does not contain items matching the given schema`;
    default:
      return error.message ?? error.keyword;
  }
}
