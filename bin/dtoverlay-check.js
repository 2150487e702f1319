#!/usr/bin/env node
// Node 22.1+ keeps V8's bytecode of the chunks this command loads on disk (in the OS temp folder,
// or $NODE_COMPILE_CACHE), so the next cold start skips parsing and compiling them (issue 17).
// Node 20 has no such API: there the call is skipped.
import * as module from 'node:module';

if (process.env.DTOVERLAY_CHECK_CACHE !== 'off' && process.env.DTOVERLAY_CHECK_CACHE !== '0') module.enableCompileCache?.();
// `compile` (kbuild starts one per DTB) and `check` (a hook's) are one module each; every other
// command loads the chunks it needs
const entries = { compile: '../dist/compile.js', check: '../dist/check.js' };
await import(Object.hasOwn(entries, process.argv[2] ?? '') ? entries[process.argv[2]] : '../dist/cli.js');
