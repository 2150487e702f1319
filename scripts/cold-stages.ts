/**
 * Cold stage times of `compile --cpp -@ -b 0 lemans-evk` without a profiler's overhead (issue 17):
 * bundles a small driver that runs the compile stages one after another in a fresh process, with a
 * clock between them, and prints the medians of N processes. Not shipped.
 *
 *   node --import tsx scripts/cold-stages.ts [--runs N] [--node PATH] [--flag V8FLAG]… [FILE.dts]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kernelDt = path.resolve(repoRoot, '../shared/kernel-dt');

/** The driver: each stage of src/compile/compile.ts for a --cpp dtb compile, timed. */
const DRIVER = `
import { performance, PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';
// as the CLI starts a short command (src/tiering.ts), unless the bench asks for V8's default
if (process.env.DTOVERLAY_CHECK_TIERING !== 'default') v8.setFlagsFromString('--no-opt');
const gcs = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push([e.startTime, e.duration, e.detail?.kind]); }).observe({ entryTypes: ['gc'] });
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const heapUsed = () => v8.getHeapStatistics().used_heap_size / 1e6;
const heaps = [heapUsed()];
const marks = [['node start', performance.now(), cpuNow()]];
const mark = (name) => { marks.push([name, performance.now(), cpuNow()]); heaps.push(heapUsed()); };
const { preprocess, PreprocessCache } = await import(${JSON.stringify(path.join(repoRoot, 'src/preprocess/index.ts'))});
const { parseDts } = await import(${JSON.stringify(path.join(repoRoot, 'src/dts/parser.ts'))});
const { FileSourceHost } = await import(${JSON.stringify(path.join(repoRoot, 'src/dts/source.ts'))});
const { buildTree } = await import(${JSON.stringify(path.join(repoRoot, 'src/tree/build.ts'))});
const { runChecks } = await import(${JSON.stringify(path.join(repoRoot, 'src/dtc-checks/index.ts'))});
const { generateLabelTree } = await import(${JSON.stringify(path.join(repoRoot, 'src/tree/generate.ts'))});
const { PhandleAllocator, counterAfterChecks, nodesWithPhandleProperty } = await import(${JSON.stringify(path.join(repoRoot, 'src/tree/phandles.ts'))});
const { writeDtb } = await import(${JSON.stringify(path.join(repoRoot, 'src/dtb/write.ts'))});
mark('load modules');
const file = process.argv[2];
for (let round = Number(process.env.WARM_ROUNDS ?? 0); round > 0; round--) {
  marks.length = 1;
  marks[0] = ['node start', performance.now(), cpuNow()];
  mark('load modules');
  const dirs0 = ['include', 'src', path.dirname(file)];
  const pre0 = preprocess(file, { includeDirs: dirs0, defines: { __DTS__: '1' }, cache: new PreprocessCache() });
  const parsed0 = parseDts(pre0.text, file, { host: new FileSourceHost({ searchPaths: dirs0, cache: new Map() }), map: pre0.map });
  const tree0 = buildTree(parsed0.source).tree;
  const had0 = nodesWithPhandleProperty(tree0.root);
  runChecks(tree0, { levels: {}, symbols: true, quiet: 1 });
  generateLabelTree(tree0.root, '__symbols__', new PhandleAllocator(tree0.root, undefined, counterAfterChecks(tree0.root, had0)));
  writeDtb(tree0, { quiet: 1 });
}
const dirs = ['include', 'src', path.dirname(file)];
const pre = preprocess(file, { includeDirs: dirs, defines: { __DTS__: '1' }, cache: new PreprocessCache() });
mark('preprocess');
const host = new FileSourceHost({ searchPaths: dirs, cache: new Map() });
const parsed = parseDts(pre.text, file, { host, map: pre.map });
mark('lex + parse');
const built = buildTree(parsed.source);
mark('build tree');
const tree = built.tree;
tree.bootCpuidPhys = 0;
const had = nodesWithPhandleProperty(tree.root);
const checked = runChecks(tree, { levels: {}, symbols: true, quiet: 1 });
mark('checks');
const phandles = new PhandleAllocator(tree.root, undefined, counterAfterChecks(tree.root, had));
generateLabelTree(tree.root, '__symbols__', phandles);
mark('symbols');
const out = writeDtb(tree, { quiet: 1 });
mark('write dtb');
const cpu = process.cpuUsage();
await new Promise((r) => setTimeout(r, 0)); // let the observer deliver
for (let i = 1; i < marks.length; i++) {
  let ms = 0;
  for (const [t, d] of gcs) if (t >= marks[i - 1][1] && t < marks[i][1]) ms += d;
  marks[i].push(ms);
}
marks[0].push(0);
if (process.env.SHOW_HEAP) console.error(marks.map((m, i) => m[0] + ': ' + (heaps[i] - (heaps[i - 1] ?? 0)).toFixed(1) + ' MB').join('; '));
console.log(JSON.stringify({ marks, cpu: (cpu.user + cpu.system) / 1000, bytes: out.bytes.length, diagnostics: checked.diagnostics.length }));
`;

function parseArgs(argv: string[]) {
  const opts = { warm: 0, runs: 7, node: process.execPath, flags: [] as string[], file: 'src/arm64/qcom/lemans-evk.dts' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--warm') opts.warm = Number(argv[++i]);
    else if (a === '--node') opts.node = argv[++i]!;
    else if (a === '--flag') opts.flags.push(argv[++i]!);
    else opts.file = a;
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-stages-'));
  try {
    const entry = path.join(dir, 'driver.mjs');
    fs.writeFileSync(entry, `import * as path from 'node:path';\n${DRIVER}`);
    const out = path.join(dir, 'driver.bundle.mjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning', absWorkingDir: repoRoot });
    const samples = new Map<string, number[]>();
    const push = (k: string, v: number) => samples.set(k, [...(samples.get(k) ?? []), v]);
    for (let r = 0; r < opts.runs + 1; r++) {
      const t0 = process.hrtime.bigint();
      const p = spawnSync(opts.node, [...opts.flags, out, opts.file], { cwd: kernelDt, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WARM_ROUNDS: String(opts.warm) } });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (p.status !== 0) throw new Error(p.stderr);
      if (r === 0) continue; // the untimed round
      const { marks, cpu } = JSON.parse(p.stdout) as { marks: [string, number, number, number][]; cpu: number };
      for (let i = 0; i < marks.length; i++) {
        push(`${marks[i]![0]}: GC`, marks[i]![3]);
        push(`${marks[i]![0]}: wall`, i === 0 ? marks[0]![1] : marks[i]![1] - marks[i - 1]![1]);
        push(`${marks[i]![0]}: CPU`, i === 0 ? marks[0]![2] : marks[i]![2] - marks[i - 1]![2]);
      }
      push('process wall', wall);
      push('process CPU (this thread + helpers)', cpu);
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    console.log(`cold stages of compile --cpp ${opts.file}, medians of ${opts.runs} processes ${opts.flags.join(' ')}`);
    const keys = [...samples.keys()];
    for (const k of keys.filter((k) => k.endsWith(': wall'))) {
      const stage = k.slice(0, -6);
      console.log(`${median(samples.get(k)!).toFixed(1).padStart(8)} ms wall ${median(samples.get(`${stage}: CPU`)!).toFixed(1).padStart(8)} ms CPU ${median(samples.get(`${stage}: GC`)!).toFixed(1).padStart(7)} ms GC pauses  ${stage}`);
    }
    for (const k of keys.filter((k) => !k.includes(': '))) console.log(`${median(samples.get(k)!).toFixed(1).padStart(8)} ms  ${k}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
