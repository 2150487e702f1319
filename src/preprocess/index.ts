/**
 * Kernel-style C preprocessor: what `cpp -nostdinc -I<dirs> -undef -D__DTS__ -x assembler-with-cpp`
 * does before dtc, with a map from every character of the output back to the original sources.
 */
import { DiagnosticError, type Diagnostic } from '../diagnostics.js';
import { engineLimitError, isStackOverflow } from '../limits.js';
import type { Sandbox } from '../sandbox.js';
import { PreprocessCache } from './cache.js';
import { cppError } from './errors.js';
import { OutputWriter } from './output.js';
import { SegmentMap, type PositionMap } from './position-map.js';
import { Preprocessor } from './preprocessor.js';

export { PreprocessCache } from './cache.js';
export type { PositionMap, MappedPosition } from './position-map.js';
export { formatPreprocessed } from './format.js';

export interface PreprocessOptions {
  includeDirs: string[];
  /** `-D NAME=VALUE` (value string, '1' for a bare -D NAME) or `-U NAME` (null), applied in order. */
  defines?: Record<string, string | null>;
  /** Emit GNU-style `# N "file" flags` lines (dtc understands them). Default false: compact `-P` style. */
  linemarkers?: boolean;
  /** Shared across runs in one process so headers are read and tokenised once. */
  cache?: PreprocessCache;
  readFile?: (path: string) => string;
  /** Maximum `#include` nesting (default 200, as GNU cpp). */
  maxIncludeDepth?: number;
  /** Refuse `#include`s resolving outside these roots (docs/security.md); none by default. */
  sandbox?: Sandbox;
  /** Tokens macro expansion may produce in one run (default 5,000,000). */
  maxExpandedTokens?: number;
  /** Nested macro expansion contexts (default 20,000). */
  maxMacroDepth?: number;
}

export interface PreprocessResult {
  text: string;
  map: PositionMap;
  /** Every file read, main file first, in the order first included. */
  dependencies: string[];
  /** Non-fatal findings (`#warning`, questionable constants in `#if`). */
  diagnostics: Diagnostic[];
}

/** Preprocess `file`. Errors are thrown as DiagnosticError with a 'cpp/…' rule and a file:line:col span. */
export function preprocess(file: string, opts: PreprocessOptions): PreprocessResult {
  const cache = opts.cache ?? new PreprocessCache();
  const main = cache.load(file, opts.readFile, false);
  if (main === null) cppError('input-not-found', `${file}: No such file or directory`, file, 1, 1);
  const linemarkers = opts.linemarkers ?? false;
  const map = new SegmentMap((id) => cache.fileName(id), { file, line: 1, column: 1 }, linemarkers);
  const out = new OutputWriter(map, linemarkers);
  const pp = new Preprocessor(cache, out, {
    includeDirs: opts.includeDirs,
    readFile: opts.readFile,
    maxIncludeDepth: opts.maxIncludeDepth ?? 200,
    sandbox: opts.sandbox,
    maxExpandedTokens: opts.maxExpandedTokens,
    maxMacroDepth: opts.maxMacroDepth,
  });
  try {
    pp.run(main, file, opts.defines ?? {});
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    const at = pp.where();
    if (isStackOverflow(e)) {
      // Deeply nested macro arguments or #if parentheses can exhaust the JS stack: an input error.
      cppError('expansion-limit', `input nested too deeply to preprocess (${(e as Error).message})`, at.file, at.line, at.column);
    }
    if (e instanceof RangeError) throw engineLimitError(e, { file: at.file, line: at.line, column: at.column });
    // A bug of ours must still reach the user as a positioned diagnostic, not a stack trace.
    cppError('internal', `internal preprocessor error: ${e instanceof Error ? e.message : String(e)}`, at.file, at.line, at.column);
  }
  const text = out.finish();
  map.seal();
  return { text, map, dependencies: pp.dependencies, diagnostics: pp.diagnostics };
}
