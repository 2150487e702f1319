// Bundles the CLI as ESM with code splitting: dist/cli.js is a small entry, and each command and
// stage is a chunk loaded when the command runs it (src/cli/main.ts imports subcommands lazily).
// A cold `compile` then reads and compiles only the compiler, not ajv, the schema engine or PAS:
// cold start is a feature for pre-commit hooks and kbuild's one process per DTB (issue 17).
// Chunks sit beside cli.js in dist/, so `import.meta.url` stays one level below the package root.
import { build } from 'esbuild';
import * as fs from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies (commander, ajv, js-yaml) call require(); give each chunk one.
  banner: { js: "import { createRequire as __dtocCreateRequire } from 'node:module'; const require = __dtocCreateRequire(import.meta.url);" },
};
fs.rmSync('dist', { recursive: true, force: true });
await build({ ...common, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunk-[hash]' });
// Worker threads (kernel mode, compile --out-dir) run board after board: there one module, with
// every function in one scope, was about 7% less CPU over the 332 qcom boards than the chunks.
await build({ ...common, entryPoints: { worker: 'src/cli.ts' }, outdir: 'dist' });
