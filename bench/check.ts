/**
 * Issue 8: `check` on lemans-evk + lemans-el2 as a user runs it (a new process, Node's start
 * included; goal 0.5 s with a warm schema cache), the bundled example, and kernel mode over every
 * qcom board and composition with -j 2 against the reference validator's own run
 * (../shared/reference/dtschema: dt-validate over the same 393 DTBs).
 * `BENCH_KERNEL=0` skips the kernel row (minutes); `BENCH_KERNEL_BINDINGS=0` leaves binding validation
 * out of it (by default every target is validated against all of kernel-dt's bindings with dt-schema's
 * core schemas, the work the reference run did).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, sharedDir, timeProcess, type Row } from './lib.js';

const GOAL_MS = 500;

function referenceValidatorSeconds(): number | undefined {
  const summary = path.join(sharedDir, 'reference/dtschema/summary.tsv');
  if (!fs.existsSync(summary)) return undefined;
  // README: one dt-validate process over all 393 DTBs took 46 min 45 s wall; the TSV has per-DTB runs.
  const readme = fs.readFileSync(path.join(sharedDir, 'reference/dtschema/README.md'), 'utf8');
  const m = /took (\d+) min (\d+) s wall/.exec(readme);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export async function benchCheck(): Promise<Row[]> {
  const section = 'check (#8)';
  const rows: Row[] = [];
  const linux = path.join(sharedDir, 'corpus/linux');
  const qcom = path.join(linux, 'arch/arm64/boot/dts/qcom');
  rows.push({ section, case: 'check (bundled example, no arguments)', ours: timeProcess(process.execPath, [cli, 'check'], { runs: 5 }), reference: GOAL_MS, referenceLabel: 'goal' });
  if (!fs.existsSync(qcom)) {
    rows.push({ section, case: 'lemans-evk + lemans-el2', ours: undefined, reference: undefined, referenceLabel: '', note: `${qcom} is absent` });
    return rows;
  }
  const args = [cli, 'check', path.join(qcom, 'lemans-evk.dts'), path.join(qcom, 'lemans-el2.dtso'), '-i', path.join(linux, 'include'), '--fail-on', 'never', '-q'];
  const bindings = ['--bindings', path.join(linux, 'Documentation/devicetree/bindings')];
  // The first run fills the schema cache (~/.cache/dtoverlay-check); timeIt's warm-up run does that.
  const warm = timeProcess(process.execPath, [...args, ...bindings], { runs: 5 });
  rows.push({ section, case: 'lemans-evk + lemans-el2, corpus bindings, warm schema cache', ours: warm, reference: GOAL_MS, referenceLabel: 'goal', note: warm <= GOAL_MS ? 'within goal' : 'OVER GOAL' });
  rows.push({ section, case: 'lemans-evk + lemans-el2, no bindings', ours: timeProcess(process.execPath, args, { runs: 5 }), reference: GOAL_MS, referenceLabel: 'goal' });
  // The same check in a process whose JIT is warm (schema set loaded once, as in kernel mode): what
  // the rows above pay beyond this is Node's start and V8's warm-up.
  const { runCheck } = await import('../src/pipeline/run.js');
  const { defaultCheckOptions } = await import('../src/pipeline/options.js');
  const options = {
    ...defaultCheckOptions(path.join(qcom, 'lemans-evk.dts'), [path.join(qcom, 'lemans-el2.dtso')]),
    includeDirs: [path.join(linux, 'include')],
    bindings: [path.join(linux, 'Documentation/devicetree/bindings')],
  };
  for (let i = 0; i < 6; i++) await runCheck(options);
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    await runCheck(options);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  rows.push({ section, case: '  the same check in-process, JIT warm, corpus bindings (no Node start)', ours: samples.sort((a, b) => a - b)[3], reference: GOAL_MS, referenceLabel: 'goal' });

  if (process.env.BENCH_KERNEL === '0') return rows;
  const kernelDt = path.join(sharedDir, 'kernel-dt');
  if (!fs.existsSync(kernelDt)) return rows;
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-bench-kernel-'));
  try {
    const dts = path.join(tree, 'arch/arm64/boot/dts/qcom');
    fs.mkdirSync(dts, { recursive: true });
    // Copies, not links: the include sandbox lets includes read only inside the tree.
    fs.cpSync(path.join(kernelDt, 'src/arm64/qcom'), dts, { recursive: true });
    fs.copyFileSync(path.join(qcom, 'Makefile'), path.join(dts, 'Makefile'));
    fs.cpSync(path.join(kernelDt, 'include'), path.join(tree, 'include'), { recursive: true });
    fs.cpSync(path.join(kernelDt, 'src/arm'), path.join(tree, 'arch/arm/boot/dts'), { recursive: true });
    const kernelArgs = [cli, 'kernel', '--tree', tree, '-j', '2', '--fail-on', 'never', '-f', 'json'];
    const withBindings = process.env.BENCH_KERNEL_BINDINGS !== '0';
    if (withBindings) kernelArgs.push('--bindings', path.join(kernelDt, 'Bindings'), '--core-schemas', path.join(sharedDir, 'corpus/dtschema'));
    const t0 = process.hrtime.bigint();
    // GNU time, where there is one, for the peak RSS (issue 17's goal: ≤ 1 GB; workers are threads)
    const timed = fs.existsSync('/usr/bin/time');
    const r = timed
      ? spawnSync('/usr/bin/time', ['-f', '@@rss %M', process.execPath, ...kernelArgs], { encoding: 'utf8', maxBuffer: 1 << 30 })
      : spawnSync(process.execPath, kernelArgs, { encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const rssKb = /@@rss (\d+)/.exec(r.stderr)?.[1];
    let note = `exit ${timed ? (/exited with non-zero status (\d+)/.exec(r.stderr)?.[1] ?? 0) : r.status}`;
    try {
      const report = JSON.parse(r.stdout);
      const checked = report.boards.filter((b: { status: string }) => b.status === 'checked').length;
      note = `${checked} targets checked, ${report.boards.length - checked} not (missing sources or failed)`;
    } catch {
      note += `: ${r.stderr.slice(0, 200)}`;
    }
    const ref = referenceValidatorSeconds();
    rows.push({
      section,
      case: `kernel: all qcom boards + compositions, -j 2${withBindings ? ', all bindings (schema cache as found)' : ', no bindings'}`,
      ours: ms,
      reference: ref === undefined ? undefined : ref * 1000,
      referenceLabel: 'dt-validate alone over the 393 DTBs (reference/dtschema)',
      note: `${note}; the reference is dt-validate alone (no cpp, dtc, fdtoverlay)`,
    });
    if (rssKb) {
      const mb = Number(rssKb) / 1024;
      rows.push({ section, case: '  peak RSS of that kernel run (main thread + workers)', ours: mb, reference: 1024, referenceLabel: 'goal', unit: 'MB', note: mb <= 1024 ? 'met' : 'OVER' });
    }
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
  return rows;
}
