/**
 * Resource limits for untrusted input (docs/security.md). Each stops a stage with a located
 * `limit/<name>` error instead of a hang or an out-of-memory crash. Defaults are far above
 * every kernel tree (the largest qcom board: ~1.3 MiB of preprocessed source, 27k macro tokens,
 * nesting 12 deep, 48 overlays in one composition at most); all can be changed with
 * `--limit NAME=VALUE` (sizes accept K, M, G suffixes).
 */
import { DiagnosticError, type Span } from './diagnostics.js';

export interface Limits {
  /** `#include` nesting (GNU cpp's own limit is 200). */
  'include-depth': number;
  /** Tokens produced by macro expansion in one preprocessor run. */
  'macro-tokens': number;
  /** Nested macro expansion contexts. */
  'macro-depth': number;
  /** Node nesting in a tree (sources after building, blobs while reading). */
  'node-depth': number;
  /** Bytes of one property value. */
  'property-bytes': number;
  /** Bytes one `/incbin/` may insert. */
  'incbin-bytes': number;
  /** Bytes of one source file (checked before reading it), and of the source with its includes and incbins. */
  'input-bytes': number;
  /** Bytes of one blob (and so the largest `totalsize` accepted). */
  'dtb-bytes': number;
  /** Overlays applied to one base. */
  overlays: number;
  /** Entries of a blob's memory reservation map (16 bytes each in the blob, ~150 in memory). */
  'memreserve-entries': number;
}

const MiB = 1 << 20;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  'include-depth': 200,
  'macro-tokens': 5_000_000,
  'macro-depth': 20_000,
  'node-depth': 4096,
  'property-bytes': 64 * MiB,
  'incbin-bytes': 64 * MiB,
  'input-bytes': 64 * MiB,
  'dtb-bytes': 256 * MiB,
  overlays: 1024,
  'memreserve-entries': 65_536,
});

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** `NAME=VALUE` → a partial Limits; throws Error with a usage message on a bad name or value. */
export function parseLimit(spec: string, into: Partial<Limits> = {}): Partial<Limits> {
  const eq = spec.indexOf('=');
  const name = (eq < 0 ? spec : spec.slice(0, eq)) as keyof Limits;
  if (!LIMIT_NAMES.includes(name)) throw new Error(`unknown limit '${name}' (one of: ${LIMIT_NAMES.join(', ')})`);
  const m = /^(\d+)([kKmMgG]?)$/.exec(eq < 0 ? '' : spec.slice(eq + 1));
  if (!m) throw new Error(`--limit ${name} needs a whole number, e.g. ${name}=${DEFAULT_LIMITS[name]}`);
  const scale = { '': 1, k: 1024, m: MiB, g: 1024 * MiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  into[name] = Number(m[1]) * scale;
  return into;
}

export function limitsWith(overrides: Partial<Limits> | undefined): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** V8's stack overflow: a RangeError, like an array, string or BigInt grown past the engine's limits, which are not nesting. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/**
 * A RangeError that is not a stack overflow (an array, string or BigInt past V8's own limits): the
 * input outgrew something no `--limit` names. Located where the stage stopped.
 */
export function engineLimitError(err: RangeError, span?: Span): DiagnosticError {
  return new DiagnosticError({
    rule: 'limit/engine',
    severity: 'error',
    message: `input too large to process: ${err.message} (a limit of the JavaScript engine)`,
    ...(span ? { span } : {}),
  });
}

/** The error of an exceeded limit: names the limit and how to raise it. */
export function limitError(name: keyof Limits, what: string, limit: number, span?: Span, path?: string): DiagnosticError {
  return new DiagnosticError({
    rule: `limit/${name}`,
    severity: 'error',
    message: `${what} exceeds the limit of ${limit} (--limit ${name}=N to change it)`,
    ...(span ? { span } : {}),
    ...(path !== undefined ? { path } : {}),
  });
}
