/** `dtoverlay-check compile`: the dtc drop-in. */
export { compile, newSession, EXIT_CHECK_ERRORS, EXIT_INPUT_ERROR, type CompileResult, type CompileSession, type CompileSource } from './compile.js';
export { parseCompileArgs, defaultCompileOptions, UsageError, type CompileOptions } from './options.js';
