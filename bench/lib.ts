/** Timing helpers and the table `npm run bench` prints. Benchmarks never run inside `npm test`. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const nativeDir = process.env.DTC_NATIVE_DIR ?? path.join(repoRoot, '.cache/dtc-native');
export const nativeDtc = fs.existsSync(path.join(nativeDir, 'dtc')) ? path.join(nativeDir, 'dtc') : undefined;
export const nativeFdtoverlay = fs.existsSync(path.join(nativeDir, 'fdtoverlay')) ? path.join(nativeDir, 'fdtoverlay') : undefined;
export const cli = path.join(repoRoot, 'bin/dtoverlay-check.js');

export interface Row {
  section: string;
  case: string;
  ours: number | undefined; // ms, or MB for unit 'MB'
  reference: number | undefined; // same unit as ours
  referenceLabel: string;
  note?: string;
  unit?: 'ms' | 'MB';
  /** The same run on a second Node (BENCH_NODE2, e.g. Node 24), for information: its ratio. */
  node2?: number;
}

/** Median wall time in ms of `runs` calls of fn (after one warm-up call unless cold is set). */
export function timeIt(fn: () => void, runs = 5, opts: { warmup?: boolean } = {}): number {
  if (opts.warmup !== false) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Median wall time of a whole process, Node's start included where the command is node. */
export function timeProcess(cmd: string, args: string[], opts: { cwd?: string; input?: string | Buffer; runs?: number } = {}): number {
  return timeIt(() => {
    const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, stdio: ['pipe', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  }, opts.runs ?? 5);
}

export function printTable(rows: Row[]): void {
  const second = rows.some((r) => r.node2 !== undefined);
  const header = ['section', 'case', 'dtoverlay-check', 'reference', 'ratio', ...(second ? [`${node2Label()} ratio`] : []), 'note'];
  const fmtMs = (ms: number | undefined) => (ms === undefined ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : '');
  const body = rows.map((r) => {
    const fmt = r.unit === 'MB' ? (mb: number | undefined) => (mb === undefined ? 'n/a' : `${mb.toFixed(0)} MB`) : fmtMs;
    return [
      r.section,
      r.case,
      fmt(r.ours),
      r.reference === undefined ? 'n/a' : `${fmt(r.reference)} (${r.referenceLabel})`,
      ratio(r.ours, r.reference),
      ...(second ? [ratio(r.node2, r.reference)] : []),
      r.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  console.log('\nratio = dtoverlay-check time / reference time (lower is better).');
}

/** A second Node to run the cold rows with, for information (issue 17: Node 24 from npm's `node` package). */
export const node2 = process.env.BENCH_NODE2 && fs.existsSync(process.env.BENCH_NODE2) ? process.env.BENCH_NODE2 : undefined;

export function node2Label(): string {
  if (!node2) return 'second Node';
  const r = spawnSync(node2, ['--version'], { encoding: 'utf8' });
  return `Node ${r.stdout.trim().replace(/^v/, '').split('.')[0]}`;
}

export interface ProcessCase {
  name: string;
  cmd: string;
  args: string[];
  cwd?: string;
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Exit statuses that count as success (default 0). */
  ok?: number[];
}

export interface ProcessFigures {
  /** Medians: wall ms, CPU ms (user + system, children included), peak RSS in MB. */
  wall: number;
  cpu: number | undefined;
  rssMb: number | undefined;
}

const timeBinary = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One run of a process: wall, and CPU and peak RSS where GNU time is there to count them. */
export function measureProcess(c: ProcessCase): { wall: number; cpu?: number; rssMb?: number } {
  const [cmd, args] = timeBinary ? [timeBinary, ['-f', '@@time %U %S %M', c.cmd, ...c.args]] : [c.cmd, c.args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: c.cwd, env: c.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  const status = timeBinary && m ? Number(/exited with non-zero status (\d+)/.exec(r.stderr)?.[1] ?? 0) : r.status;
  if (!(c.ok ?? [0]).includes(status ?? -1)) throw new Error(`${c.name}: ${c.cmd} ${c.args.join(' ')} failed (${status}): ${r.stderr.slice(0, 500)}`);
  return m ? { wall, cpu: (Number(m[1]) + Number(m[2])) * 1000, rssMb: Number(m[3]) / 1024 } : { wall };
}

/**
 * Runs the cases interleaved (A, B, C, A, B, C, …), after one untimed round, and gives each one's
 * medians: on a machine shared with other jobs, load drifts over seconds and hits every case alike.
 */
export function interleaved(cases: ProcessCase[], runs = 7): Map<string, ProcessFigures> {
  for (const c of cases) measureProcess(c);
  const samples = cases.map(() => ({ wall: [] as number[], cpu: [] as number[], rss: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, k) => {
      const s = measureProcess(c);
      samples[k]!.wall.push(s.wall);
      if (s.cpu !== undefined) samples[k]!.cpu.push(s.cpu);
      if (s.rssMb !== undefined) samples[k]!.rss.push(s.rssMb);
    });
  }
  const median = (a: number[]) => (a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] : undefined);
  return new Map(cases.map((c, k) => [c.name, { wall: median(samples[k]!.wall)!, cpu: median(samples[k]!.cpu), rssMb: median(samples[k]!.rss) }]));
}
