/** Running our compile the way the CLI does, for the differential suites. */
import { compile, newSession, parseCompileArgs, type CompileResult, type CompileSession } from '../../src/compile/index.js';

/** Compile `file` (relative to `cwd`) with dtc-style `args`, as `dtoverlay-check compile args file` would. */
export async function compileWith(args: string[], file: string, cwd: string, session?: CompileSession): Promise<CompileResult> {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    return await compile({ file }, parseCompileArgs(args), session ?? newSession());
  } finally {
    process.chdir(previous);
  }
}

/** A message carrying a source position: ours (`file:L:C: error:`) or dtc's (`file:L.C-C: ERROR (check):`). */
export const POSITIONED = /^[^\s:]+:\d+[:.]\d+/;
