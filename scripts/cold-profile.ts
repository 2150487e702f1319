/**
 * Where a cold process spends its time (issue 17): runs one command under `node --cpu-prof`, maps
 * every sample of the bundle back to its source file through the source maps, and prints self time
 * by category (Node's start, module loading, each compile stage, GC) and the top functions. Also
 * counts the collector's pauses with `--trace-gc`. Not shipped; a tool for the cold bench.
 *
 *   node --import tsx scripts/cold-profile.ts [--node PATH] [--runs N] [--top N] --cwd DIR -- ARGS…
 *   node --import tsx scripts/cold-profile.ts --compile   (lemans-evk, as bench/cold.ts runs it)
 *   node --import tsx scripts/cold-profile.ts --check     (lemans-evk + lemans-el2, Linux layout)
 *
 * With --runs N the samples of N processes are added up and divided by N (profiles are sampled
 * at 100 µs, so one run of 300 ms is about 3,000 samples; a few runs smooth the small categories).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');
const shared = path.resolve(repoRoot, '../shared');

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function parseArgs(argv: string[]) {
  const opts = { interval: 250, node: process.execPath, runs: 3, top: 25, cwd: process.cwd(), args: [] as string[], flags: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--node') opts.node = argv[++i]!;
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--interval') opts.interval = Number(argv[++i]);
    else if (a === '--top') opts.top = Number(argv[++i]);
    else if (a === '--cwd') opts.cwd = argv[++i]!;
    else if (a === '--flag') opts.flags.push(argv[++i]!);
    else if (a === '--compile') {
      opts.cwd = path.join(shared, 'kernel-dt');
      const qcom = 'src/arm64/qcom';
      opts.args = ['compile', '--cpp', '-@', '-b', '0', '-q', '-i', 'include', '-i', 'src', '-i', qcom, '-O', 'dtb', '-o', path.join(os.tmpdir(), `cold-profile-${process.pid}.dtb`), `${qcom}/lemans-evk.dts`];
    } else if (a === '--check') {
      opts.cwd = path.join(shared, 'corpus/linux');
      const qcom = 'arch/arm64/boot/dts/qcom';
      opts.args = ['check', `${qcom}/lemans-evk.dts`, `${qcom}/lemans-el2.dtso`, '-i', 'include', '--fail-on', 'never', '-q'];
    } else if (a === '--') {
      opts.args = argv.slice(i + 1);
      break;
    } else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/** Source maps of the bundle's files, loaded once each. */
const maps = new Map<string, SourceMap | null>();
function sourceMapOf(file: string): SourceMap | null {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : null);
  }
  return maps.get(file)!;
}

/** The source file a frame of the bundle came from (src/…, or node_modules/<package>). */
function sourceOf(frame: CallFrame): string {
  if (!frame.url.startsWith('file://')) return frame.url;
  const file = fileURLToPath(frame.url);
  const map = sourceMapOf(file);
  if (!map || frame.lineNumber < 0) return path.relative(repoRoot, file);
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
  const original = entry.originalSource ?? '';
  const src = original.indexOf('/src/');
  if (src >= 0) return original.slice(src + 1);
  const nm = original.lastIndexOf('node_modules/');
  if (nm >= 0) return original.slice(nm).split('/').slice(0, 2).join('/');
  return original || path.relative(repoRoot, file);
}

/** The category of a frame: a pseudo-frame of V8, a part of Node, or a stage of ours by folder. */
function categoryOf(frame: CallFrame, source: string): string {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(program)') return 'V8 (program: compile, IC misses, runtime)';
  if (frame.functionName === '(idle)') return 'idle (I/O wait)';
  if (frame.functionName === '(root)') return 'root';
  if (source.startsWith('node:internal/modules') || source.startsWith('node:internal/process/') && /esm|loader/.test(source)) return 'module loading';
  if (source === '' && !frame.functionName.startsWith('(')) return frame.functionName === '' ? 'generated code (new Function: ajv validators)' : 'V8 builtins called from JS';
  if (source.startsWith('node:') || source === '') return frame.functionName.startsWith('(') ? frame.functionName : 'node (bootstrap, fs, other built-ins)';
  if (source.startsWith('node_modules/')) return source;
  const m = /^src\/([^/]+)\/([^/.]+)/.exec(source);
  if (!m) return source;
  const [, folder, file] = m;
  if (folder === 'dts') return `dts/${file}`;
  if (folder === 'preprocess') return file === 'lexer' || file === 'token' ? 'preprocess/lexer' : file === 'expander' || file === 'macro' ? 'preprocess/macros' : 'preprocess/other';
  return folder!;
}

interface Tally {
  byCategory: Map<string, number>;
  byFunction: Map<string, number>;
  total: number;
}

function tallyProfile(profile: Profile, tally: Tally): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const keyCache = new Map<number, [string, string]>();
  const keysOf = (id: number): [string, string] => {
    let k = keyCache.get(id);
    if (!k) {
      const frame = byId.get(id)!.callFrame;
      const source = sourceOf(frame);
      k = [categoryOf(frame, source), `${frame.functionName || '(anonymous)'} ${source}${frame.lineNumber >= 0 && frame.url.startsWith('file:') ? '' : ''}`];
      keyCache.set(id, k);
    }
    return k;
  };
  // timeDeltas[i] is the time before sample i; the sample's own time is the next delta
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const [category, fn] = keysOf(profile.samples[i]!);
    tally.byCategory.set(category, (tally.byCategory.get(category) ?? 0) + ms);
    tally.byFunction.set(fn, (tally.byFunction.get(fn) ?? 0) + ms);
    tally.total += ms;
  }
}

function gcCounts(opts: ReturnType<typeof parseArgs>): string {
  const r = spawnSync(opts.node, [...opts.flags, '--trace-gc', cli, ...opts.args], { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = r.stdout.split('\n');
  const scavenges = lines.filter((l) => l.includes(': Scavenge'));
  const marks = lines.filter((l) => /: Mark-(Compact|Sweep)/.test(l));
  const pause = (l: string) => Number(/, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1] ?? 0);
  const sum = (ls: string[]) => ls.reduce((s, l) => s + pause(l), 0).toFixed(1);
  return `GC (--trace-gc, one run): ${scavenges.length} scavenges (${sum(scavenges)} ms), ${marks.length} mark-compacts (${sum(marks)} ms)`;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.args.length) throw new Error('nothing to run: give --compile, --check or -- ARGS');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-profile-'));
  const tally: Tally = { byCategory: new Map(), byFunction: new Map(), total: 0 };
  let wall = 0;
  try {
    for (let run = 0; run < opts.runs; run++) {
      const runDir = path.join(dir, String(run));
      const t0 = process.hrtime.bigint();
      const r = spawnSync(opts.node, [...opts.flags, '--cpu-prof', `--cpu-prof-dir=${runDir}`, '--cpu-prof-interval', String(opts.interval), cli, ...opts.args], { cwd: opts.cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      wall += Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`run failed (${r.status}): ${r.stderr.slice(0, 500)}`);
      for (const f of fs.readdirSync(runDir)) tallyProfile(JSON.parse(fs.readFileSync(path.join(runDir, f), 'utf8')), tally);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const per = (ms: number) => (ms / opts.runs).toFixed(1).padStart(7);
  console.log(`${opts.args.slice(0, 1).join(' ')} in ${opts.cwd}, ${opts.runs} run(s), node ${spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim()} ${opts.flags.join(' ')}`);
  console.log(`wall per run (profiler on): ${(wall / opts.runs).toFixed(0)} ms; profiled time per run: ${(tally.total / opts.runs).toFixed(1)} ms (from the profiler's start, after Node's own bootstrap)\n`);
  console.log('self time by category (ms per run):');
  for (const [k, v] of [...tally.byCategory].sort((a, b) => b[1] - a[1])) console.log(`${per(v)}  ${k}`);
  console.log(`\ntop ${opts.top} functions by self time (ms per run):`);
  for (const [k, v] of [...tally.byFunction].sort((a, b) => b[1] - a[1]).slice(0, opts.top)) console.log(`${per(v)}  ${k}`);
  console.log(`\n${gcCounts(opts)}`);
}

main();
