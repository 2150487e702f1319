/**
 * `npm run bench`: prints one table of timings with ratios against the reference tools run side by
 * side. Sections: `npm run bench -- dtc-wasm` runs one; no argument runs all.
 */
import { benchChecksShare, benchCompile } from './compile.js';
import { benchDtcWasm } from './dtc-wasm.js';
import { benchOverlay } from './overlay.js';
import { benchPas } from './pas.js';
import { benchCheck } from './check.js';
import { benchSchema } from './schema.js';
import { benchDtValidate } from './dt-validate.js';
import { benchLsp } from './lsp.js';
import { benchCold } from './cold.js';
import { nativeDtc, nativeDir, printTable, type Row } from './lib.js';

const sections: Record<string, () => Row[] | Promise<Row[]>> = {
  'dtc-wasm': benchDtcWasm,
  compile: benchCompile,
  checks: benchChecksShare,
  overlay: benchOverlay,
  pas: benchPas,
  check: benchCheck,
  schema: benchSchema,
  'dt-validate': benchDtValidate,
  lsp: benchLsp,
  cold: benchCold,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in sections));
if (unknown.length) {
  console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
if (!nativeDtc) console.warn(`note: no native dtc in ${nativeDir}; build one with: bash scripts/build-dtc-wasm.sh --native ${nativeDir}`);
const rows: Row[] = [];
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length && !wanted.includes(name)) continue;
  rows.push(...(await run()));
}
printTable(rows);
