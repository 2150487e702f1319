/**
 * Inputs of a check run as trees: blobs through the overlay module's reader, sources through the
 * compile pipeline with symbols (so overlays can refer to the base's labels) and `force`, so that
 * a tree with check errors is still checked further and every error is reported.
 */
import * as fs from 'node:fs';
import { DiagnosticError, type Diagnostic } from '../diagnostics.js';
import { refuseNonRegularInput } from '../input-file.js';
import type { CompileSession } from '../compile/index.js';
import type { Tree } from '../tree/model.js';
import { SOURCE_EXTENSIONS, type CheckOptions } from './options.js';

export interface LoadedInput {
  file: string;
  tree?: Tree;
  diagnostics: Diagnostic[];
  /** Files the compile read (includes, headers): the include graph for kernel mode. */
  dependencies: string[];
  /** The parsed source of a DTS input (what was written, with spans). */
  source?: import('../dts/ast.js').DtsSource;
}

const FDT_MAGIC = 0xd00dfeed;

function isBlobFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(4);
      return fs.readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === FDT_MAGIC;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

export async function loadInput(file: string, options: CheckOptions, session: CompileSession): Promise<LoadedInput> {
  if (!fs.existsSync(file)) {
    return { file, diagnostics: [{ rule: 'input/read', severity: 'error', message: `${file}: no such file` }], dependencies: [] };
  }
  try {
    refuseNonRegularInput(file); // before isBlobFile opens it: a FIFO would block
  } catch (err) {
    if (err instanceof DiagnosticError) return { file, diagnostics: [err.diagnostic], dependencies: [] };
    throw err;
  }
  if (isBlobFile(file)) {
    const { loadTree } = await import('../overlay/inputs.js');
    try {
      const loaded = await loadTree(file, { cpp: false, includeDirs: [], defines: [], ...(options.limits ? { limits: options.limits } : {}) });
      return { file, tree: loaded.tree, diagnostics: loaded.diagnostics, dependencies: [file] };
    } catch (err) {
      if (err instanceof DiagnosticError) return { file, diagnostics: [err.diagnostic], dependencies: [file] };
      throw err;
    }
  }
  const { compile } = await import('../compile/index.js');
  const { sourceCompileOptions, withCppHint } = await import('../overlay/inputs.js');
  const cpp = options.cpp ?? SOURCE_EXTENSIONS.test(file);
  const compileOptions = {
    ...(await sourceCompileOptions(file, {
      cpp,
      includeDirs: options.includeDirs,
      defines: options.defines,
      ...(options.allowOutsideIncludes ? { allowOutsideIncludes: true } : {}),
      ...(options.sandboxRoots ? { sandboxRoots: options.sandboxRoots } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    })),
    // Checked further even with errors, so that every error is reported.
    force: true,
    quiet: 0,
    checkFlags: options.checkFlags,
  };
  const result = await compile({ file }, compileOptions, session);
  const tree = result.exitCode === 0 || result.tree ? result.tree : undefined;
  const diagnostics = [...result.diagnostics.map((d) => withCppHint(d, cpp)), ...(result.pitfalls ?? [])];
  if (!tree && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push({ rule: 'compile/failed', severity: 'error', message: `${file}: ${result.messages.join('; ') || 'compile failed'}` });
  }
  return { file, tree, diagnostics, dependencies: result.dependencies, ...(options.keepSources ? { source: result.source } : {}) };
}
