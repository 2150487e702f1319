// Bundles the CLI into one ESM file: a single module loads much faster than hundreds of
// small ones, which matters for pre-commit hooks (cold start is a feature, see DESIGN.md).
// Each file is written beside its place and renamed into it, so a CLI started during a rebuild
// (vitest's global setup rebuilds it: test/support/build-cli.ts) reads the old or the new bundle, never half of one.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const result = await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
  // CommonJS dependencies (commander, ajv, js-yaml) call require(); give the bundle one.
  banner: { js: "import { createRequire as __dtocCreateRequire } from 'node:module'; const require = __dtocCreateRequire(import.meta.url);" },
});
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
