/**
 * Both sides of the check differential tests: our parser + tree builder + runChecks printed in
 * dtc's format, and the reference (WebAssembly) dtc's stderr, each cut down to the check lines.
 */
import { ASSERTION_MESSAGE, formatDtcDiagnostic, parseCheckFlag, runChecks, type CheckLevels } from '../../src/dtc-checks/index.js';
import { parseDts } from '../../src/dts/parser.js';
import { FileSourceHost } from '../../src/dts/source.js';
import { buildTree } from '../../src/tree/build.js';
import { referenceDtc } from '../support/reference.js';

const CHECK_LINE = /^.*: (Warning|ERROR) \([a-z0-9_]+\): /;
const SUMMARY = /^(ERROR: Input tree has errors, aborting|Warning: Input tree has errors, output forced)/;

/** dtc's stderr lines that come from the check phase (findings, "also defined at", the verdict). */
export function checkLines(stderr: string): string[] {
  const out: string[] = [];
  const lines = stderr.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (CHECK_LINE.test(line) || line.startsWith('  also defined at ') || SUMMARY.test(line)) out.push(line);
    // "Reference to non-existent node or label" carries its own newline
    else if (line === '' && i > 0 && /Reference to non-existent node or label/.test(lines[i - 1]!)) out.push(line);
  }
  return out;
}

/** (check, path, property) of each finding line, as the parity criterion states it. */
export function findingKeys(lines: string[]): string[] {
  const keys: string[] = [];
  for (const line of lines) {
    const m = /: (?:Warning|ERROR) \(([a-z0-9_]+)\): (?:(\/[^:\s]*)(?::([^:\s]+))?: )?/.exec(line);
    if (m) keys.push(`${m[1]} ${m[2] ?? ''} ${m[3] ?? ''}`);
  }
  return keys.sort();
}

export interface CheckRunOptions {
  /** `-W…` / `-E…` / `-@` / `-q` arguments, as given to dtc. */
  flags?: string[];
  /** Folder the file is read in (for /include/). */
  cwd?: string;
}

function levelsFrom(flags: string[]): CheckLevels {
  const levels: CheckLevels = {};
  for (const f of flags) if (f.startsWith('-W') || f.startsWith('-E')) parseCheckFlag(f.slice(2), f[1] === 'E', levels);
  return levels;
}

/**
 * Our check lines for a source text; undefined when our parser or tree builder rejects it. Where
 * dtc 1.7.2 would crash on an assertion we report an extra error instead; it is returned as the
 * line `<aborts>` so that it compares with the reference's crash (see referenceCheckLines).
 */
export function ourCheckLines(text: string, fileName: string, opts: CheckRunOptions = {}): string[] | undefined {
  const flags = opts.flags ?? [];
  const parsed = parseDts(text, fileName, { host: new FileSourceHost({ cwd: opts.cwd }) });
  if (!parsed.source || parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const built = buildTree(parsed.source);
  if (built.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const quiet = flags.filter((f) => f === '-q').length;
  const result = runChecks(built.tree, { levels: levelsFrom(flags), symbols: flags.includes('-@'), quiet });
  const text_ = result.diagnostics.map((d) => formatDtcDiagnostic(d)).join('') + (result.summary ? `${result.summary}\n` : '');
  return checkLines(text_).map((l) => (l.includes(ASSERTION_MESSAGE) ? ABORTS : l));
}

/** Stands for "dtc aborts here" on both sides. */
export const ABORTS = '<aborts>';

/** The reference dtc's check lines, compiling to stdout; `parsed` is false when dtc rejected the input before checking. */
export function referenceCheckLines(
  fileName: string,
  opts: CheckRunOptions & { files?: Record<string, string | Uint8Array> } = {},
): { lines: string[]; parsed: boolean } {
  const args = [...(opts.flags ?? []), '-I', 'dts', '-O', 'dtb', '-o', '-', fileName];
  const result = referenceDtc(args, opts.files ? { files: opts.files } : { cwd: opts.cwd });
  const parsed = !/FATAL ERROR: (Unable to parse|Syntax error parsing)|^Error: |Lexical error/m.test(result.stderr);
  const lines = checkLines(result.stderr);
  // an assertion failure (SIGABRT, 134) ends the run where our extra error stands
  if (result.status === 134 && /Assertion failed|Assertion `/.test(result.stderr)) lines.push(ABORTS);
  return { lines, parsed };
}
