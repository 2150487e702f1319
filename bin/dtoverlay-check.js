#!/usr/bin/env node
// Node 22.1+ keeps V8's bytecode of the chunks this command loads on disk (in the OS temp folder,
// or $NODE_COMPILE_CACHE), so the next cold start skips parsing and compiling them (issue 17).
// Node 20 has no such API: there the call is skipped.
import * as module from 'node:module';

if (process.env.DTOVERLAY_CHECK_CACHE !== 'off' && process.env.DTOVERLAY_CHECK_CACHE !== '0') module.enableCompileCache?.();
await import('../dist/cli.js');
