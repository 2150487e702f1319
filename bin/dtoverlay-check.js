#!/usr/bin/env node
// Node 22.1+ keeps V8's bytecode of the chunks this command loads on disk (in the OS temp folder,
// or $NODE_COMPILE_CACHE), so the next cold start skips parsing and compiling them (issue 17).
// Node 20 has no such API: there the call is skipped.
import * as module from 'node:module';

if (process.env.DTOVERLAY_CHECK_CACHE !== 'off' && process.env.DTOVERLAY_CHECK_CACHE !== '0') module.enableCompileCache?.();
// `compile` (kbuild starts one per DTB) is one module of its own; the rest load chunks as they go
await import(process.argv[2] === 'compile' ? '../dist/compile.js' : '../dist/cli.js');
