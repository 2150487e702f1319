/**
 * Turning the files given to `apply` (and later `check`, `simulate`) into trees: blobs are read
 * as they are; sources are compiled like the kernel does for a composition (base with symbols,
 * overlay as a plugin; both with -@ so that stacked overlays can use each other's labels).
 */
import * as fs from 'node:fs';
import { DiagnosticError, type Diagnostic } from '../diagnostics.js';
import { limitError, limitsWith, type Limits } from '../limits.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../input-file.js';
import type { Tree } from '../tree/model.js';
import { readBlobForOverlay } from './blob.js';

export interface SourceOptions {
  /** Run the C preprocessor first (kernel style). */
  cpp: boolean;
  includeDirs: string[];
  /** `NAME` or `NAME=VALUE`. */
  defines: string[];
  /** `--allow-outside-includes`: no include sandbox (docs/security.md). */
  allowOutsideIncludes?: boolean;
  /** Folders includes may read from besides the input's folder and `includeDirs`. */
  sandboxRoots?: string[];
  /** `--limit NAME=VALUE` (src/limits.ts). */
  limits?: Partial<Limits>;
  /** dtc `-W`/`-E` flags (in a Linux tree: the kernel's DTC_FLAGS). */
  checkFlags?: { flag: string; isError: boolean }[];
}

export interface LoadedTree {
  file: string;
  tree: Tree;
  fromSource: boolean;
  /** dtc's messages (warnings) from compiling a source. */
  messages: string[];
  diagnostics: Diagnostic[];
}

const FDT_MAGIC = [0xd0, 0x0d, 0xfe, 0xed];

function isBlob(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && FDT_MAGIC.every((b, i) => bytes[i] === b);
}

/** Reads a blob or compiles a source; a failure is a DiagnosticError carrying dtc's messages. */
export async function loadTree(file: string, options: SourceOptions): Promise<LoadedTree> {
  let bytes: Buffer;
  const limits = limitsWith(options.limits);
  const maxBytes = Math.max(limits['dtb-bytes'], limits['input-bytes']);
  try {
    bytes = readRegularFile(file, maxBytes);
  } catch (err) {
    if (err instanceof FileTooLargeError) throw limitError(maxBytes === limits['dtb-bytes'] ? 'dtb-bytes' : 'input-bytes', `${file} is ${err.size} bytes, which`, maxBytes, { file, line: 1, column: 1 });
    if (err instanceof NotRegularFileError && !err.directory) throw err;
    const reason = err instanceof NotRegularFileError ? 'is a folder' : 'cannot be read';
    throw new DiagnosticError({ rule: 'input/read', severity: 'error', message: `${file} ${reason}` });
  }
  if (isBlob(bytes)) {
    const max = limits['dtb-bytes'];
    if (bytes.length > max) throw limitError('dtb-bytes', `${file} is ${bytes.length} bytes, which`, max, { file, line: 1, column: 1 });
    return { file, tree: readBlobForOverlay(bytes, file, limits), fromSource: false, messages: [], diagnostics: [] };
  }

  const { compile } = await import('../compile/index.js');
  const compileOptions = await sourceCompileOptions(file, options);
  const result = await compile({ file }, compileOptions);
  if (result.exitCode !== 0 || !result.tree) {
    const first = result.diagnostics.find((d) => d.severity === 'error');
    throw new DiagnosticError(
      (first && withCppHint(first, options.cpp)) ?? { rule: 'compile/failed', severity: 'error', message: `${file}: ${result.messages.join('\n') || 'compile failed'}` },
    );
  }
  return { file, tree: result.tree, fromSource: true, messages: result.messages, diagnostics: result.diagnostics };
}

/**
 * A syntax error on an `#include` line of a source compiled without the preprocessor: dtc itself
 * knows only `/include/`, so say what would have read it.
 */
export function withCppHint(d: Diagnostic, cpp: boolean): Diagnostic {
  if (cpp || d.rule !== 'parse/syntax' || !d.span) return d;
  let line: string | undefined;
  try {
    line = fs.readFileSync(d.span.file, 'latin1').split('\n')[d.span.line - 1];
  } catch {
    return d;
  }
  return line?.trimStart().startsWith('#include') ? { ...d, message: `${d.message} (#include needs the C preprocessor: preprocess it with --cpp)` } : d;
}

/**
 * The compile options for a source given to apply/check/simulate/validate: the tree as a dtb compile
 * with symbols builds it (so overlays can refer to the base's labels), without writing the blob; the
 * preprocessor, include folders, sandbox and limits.
 */
export async function sourceCompileOptions(file: string, options: SourceOptions) {
  const { defaultCompileOptions } = await import('../compile/index.js');
  return {
    ...defaultCompileOptions(),
    inputs: [file],
    inputFormat: 'dts' as const,
    outputFormat: 'dtb' as const,
    outFile: '-',
    // the callers keep the tree, never the blob
    treeOnly: true,
    symbols: true,
    cpp: options.cpp,
    includeDirs: options.includeDirs,
    defines: options.defines,
    allowOutsideIncludes: !!options.allowOutsideIncludes,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.sandboxRoots ? { sandboxRoots: options.sandboxRoots } : {}),
    ...(options.checkFlags ? { checkFlags: options.checkFlags } : {}),
  };
}
