// Bundles the CLI into one ESM file: a single module loads much faster than hundreds of
// small ones, which matters for pre-commit hooks (cold start is a feature, see DESIGN.md).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies (commander, ajv, js-yaml) call require(); give the bundle one.
  banner: { js: "import { createRequire as __dtocCreateRequire } from 'node:module'; const require = __dtocCreateRequire(import.meta.url);" },
});
