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
  ours: number | undefined; // ms
  reference: number | undefined; // ms
  referenceLabel: string;
  note?: string;
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
  const header = ['section', 'case', 'dtoverlay-check', 'reference', 'ratio', 'note'];
  const fmt = (ms: number | undefined) => (ms === undefined ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
  const body = rows.map((r) => [
    r.section,
    r.case,
    fmt(r.ours),
    r.reference === undefined ? 'n/a' : `${fmt(r.reference)} (${r.referenceLabel})`,
    r.ours !== undefined && r.reference !== undefined ? `${(r.ours / r.reference).toFixed(2)}×` : '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  console.log('\nratio = dtoverlay-check time / reference time (lower is better).');
}
