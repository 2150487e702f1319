// Bundles the CLI as ESM with code splitting: dist/cli.js is a small entry, and each command and
// stage is a chunk loaded when the command runs it (src/cli/main.ts imports subcommands lazily).
// A cold `compile` then reads and compiles only the compiler, not ajv, the schema engine or PAS:
// cold start is a feature for pre-commit hooks and kbuild's one process per DTB (issue 17).
// Worker threads (kernel mode, compile --out-dir) run board after board: there one module, with
// every function in one scope, was about 7% less CPU over the 332 qcom boards than the chunks, so
// they get an unsplit dist/worker.js. `compile` (kbuild's one process per DTB) and `check` (a
// pre-commit hook's) get unsplit dist/compile.js and dist/check.js too: the 25 and 74 chunks they
// reach cost a cold start more in Node 20's module loader than one file of the same code
// (bin/dtoverlay-check.js picks the file; about 40 ms CPU each on lemans-evk).
//
// Each file is written beside its place and renamed into it, chunks before the entries that import
// them, so a CLI started during a rebuild (vitest's global setup rebuilds: test/support/build-cli.ts)
// loads the old or the new bundle, never half of one. Chunk names carry their content hash; chunks
// of earlier builds are removed only once they are old enough that no running CLI still loads them.
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
  // CommonJS dependencies (commander, ajv, js-yaml) call require(); give each chunk one.
  banner: { js: "import { createRequire as __dtocCreateRequire } from 'node:module'; const require = __dtocCreateRequire(import.meta.url);" },
};
const split = await build({ ...common, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunk-[hash]' });
const whole = await build({ ...common, entryPoints: { worker: 'src/cli.ts', compile: 'src/cli-compile.ts', check: 'src/cli-check.ts' }, outdir: 'dist' });
const outputs = [...split.outputFiles, ...whole.outputFiles];
const isChunk = (file) => path.basename(file).startsWith('chunk-');
// chunks first, then the entries
outputs.sort((a, b) => Number(isChunk(b.path)) - Number(isChunk(a.path)));
fs.mkdirSync('dist', { recursive: true });
for (const file of outputs) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, file.contents);
  fs.renameSync(temporary, file.path);
}
const written = new Set(outputs.map((file) => path.basename(file.path)));
const STALE_MS = 10 * 60 * 1000;
for (const name of fs.readdirSync('dist')) {
  if (written.has(name) || !name.startsWith('chunk-')) continue;
  const file = path.join('dist', name);
  try {
    if (Date.now() - fs.statSync(file).mtimeMs > STALE_MS) fs.rmSync(file, { force: true });
  } catch {
    // removed by a concurrent build
  }
}
