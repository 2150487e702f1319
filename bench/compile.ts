/** Issue 3: compile from source (preprocessor + parser + checks + DTB) against cpp | dtc. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, nativeDtc, sharedDir, timeIt, timeProcess, type Row } from './lib.js';

const CPP_FLAGS = ['-nostdinc', '-I', 'include', '-I', 'src', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp'];
const QCOM = 'src/arm64/qcom';

/** cpp | dtc as separate processes, the way the kernel build runs them. */
function cppDtc(kernelDt: string, board: string, out: string): void {
  const pre = spawnSync('cpp', [...CPP_FLAGS, `${QCOM}/${board}`], { cwd: kernelDt, maxBuffer: 1 << 28 });
  if (pre.status !== 0) throw new Error(`cpp failed on ${board}`);
  const dtc = spawnSync(nativeDtc!, ['-@', '-b', '0', '-q', '-i', QCOM, '-O', 'dtb', '-o', out, '-'], { cwd: kernelDt, input: pre.stdout });
  if (dtc.status !== 0) throw new Error(`dtc failed on ${board}`);
}

/**
 * Where the cold CLI's time goes, for the ≤ 1.5× goal: Node's own start, and the same compile in a
 * process whose JIT is warm. Their sum is a floor no cold run can beat.
 */
async function coldFloor(kernelDt: string, reference: number | undefined): Promise<Row[]> {
  const section = 'compile (#3)';
  const { compile, defaultCompileOptions, newSession } = await import('../src/compile/index.js');
  const options = {
    ...defaultCompileOptions(),
    cpp: true,
    symbols: true,
    bootCpu: 0,
    quiet: 1,
    inputFormat: 'dts' as const,
    outputFormat: 'dtb' as const,
    includeDirs: ['include', 'src', QCOM].map((d) => path.join(kernelDt, d)),
  };
  const file = path.join(kernelDt, QCOM, 'lemans-evk.dts');
  // a fresh session each time: every header is read and preprocessed again, as in a cold run
  for (let i = 0; i < 8; i++) await compile({ file }, options, newSession());
  const samples: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = process.hrtime.bigint();
    await compile({ file }, options, newSession());
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const warm = samples.sort((a, b) => a - b)[4]!;
  const nodeStart = timeProcess(process.execPath, ['-e', '0'], { runs: 9 });
  const label = 'cpp | dtc processes';
  return [
    { section, case: "  of which: Node's own start (node -e 0)", ours: nodeStart, reference, referenceLabel: label },
    { section, case: '  of which: the same compile in-process, JIT warm', ours: warm, reference, referenceLabel: label },
    {
      section,
      case: '  floor for a cold run (the two above)',
      ours: nodeStart + warm,
      reference,
      referenceLabel: label,
      note: reference !== undefined && nodeStart + warm > 1.5 * reference ? 'the 1.5× goal is below this floor' : '',
    },
  ];
}

export async function benchCompile(): Promise<Row[]> {
  const rows: Row[] = [];
  const section = 'compile (#3)';
  const kernelDt = path.join(sharedDir, 'kernel-dt');
  if (!fs.existsSync(kernelDt)) return rows;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compile-'));
  try {
    const ours = ['compile', '--cpp', '-@', '-b', '0', '-q', '-i', 'include', '-i', 'src', '-i', QCOM, '-O', 'dtb'];
    rows.push({
      section,
      case: 'lemans-evk.dts, cold CLI (--cpp)',
      ours: timeProcess(process.execPath, [cli, ...ours, '-o', path.join(work, 'l.dtb'), `${QCOM}/lemans-evk.dts`], { cwd: kernelDt, runs: 5 }),
      reference: nativeDtc ? timeIt(() => cppDtc(kernelDt, 'lemans-evk.dts', path.join(work, 'r.dtb')), 5) : undefined,
      referenceLabel: 'cpp | dtc processes',
      note: "goal ≤ 1.5×; Node's start included",
    });
    rows.push(...(await coldFloor(kernelDt, rows[0]!.reference)));
    const boards = fs.readdirSync(path.join(kernelDt, QCOM)).filter((f) => f.endsWith('.dts')).sort();
    const outDir = path.join(work, 'all');
    const t0 = process.hrtime.bigint();
    const batch = spawnSync(process.execPath, [cli, ...ours, '--out-dir', outDir, ...boards.map((b) => `${QCOM}/${b}`)], { cwd: kernelDt, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
    const oursAll = Number(process.hrtime.bigint() - t0) / 1e6;
    let referenceAll: number | undefined;
    if (nativeDtc) {
      const t1 = process.hrtime.bigint();
      for (const b of boards) cppDtc(kernelDt, b, path.join(work, 'r.dtb'));
      referenceAll = Number(process.hrtime.bigint() - t1) / 1e6;
    }
    rows.push({
      section,
      case: `all ${boards.length} qcom boards, one --out-dir run`,
      ours: batch.status === 0 ? oursAll : undefined,
      reference: referenceAll,
      referenceLabel: 'sequential cpp | dtc processes',
      note: batch.status === 0 ? 'goal: ≥ 3× faster (ratio ≤ 0.33)' : `failed: ${batch.stderr.toString().split('\n')[0]}`,
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/** Issue 5: the share of compile time spent in dtc's checks (beyond the fixups every compile needs). */
export async function benchChecksShare(): Promise<Row[]> {
  const kernelDt = path.join(sharedDir, 'kernel-dt');
  if (!fs.existsSync(kernelDt)) return [];
  const { compile, defaultCompileOptions, newSession } = await import('../src/compile/index.js');
  const { checkTable } = await import('../src/dtc-checks/index.js');
  const base = {
    ...defaultCompileOptions(),
    cpp: true,
    symbols: true,
    bootCpu: 0,
    // not -q: with -q the runner skips the checks that could only warn (runner.ts), and this row
    // measures what all of them cost
    quiet: 0,
    inputFormat: 'dts' as const,
    outputFormat: 'dtb' as const,
    includeDirs: ['include', 'src', QCOM].map((d) => path.join(kernelDt, d)),
  };
  // Everything but the fixup checks (reference resolution, phandles) switched off.
  const noChecks = checkTable.filter((c) => !c.meta.fixup).map((c) => ({ flag: `no-${c.meta.name}`, isError: false }));
  const file = path.join(kernelDt, QCOM, 'lemans-evk.dts');
  const session = newSession(); // headers cached, as in a batch run
  const cpuOf = async (options: typeof base): Promise<number> => {
    for (let i = 0; i < 5; i++) await compile({ file }, options, session); // warm up the JIT
    const samples: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = process.cpuUsage();
      await compile({ file }, options, session);
      const u = process.cpuUsage(t0);
      samples.push((u.user + u.system) / 1000);
    }
    return samples.sort((a, b) => a - b)[4];
  };
  const all = await cpuOf(base);
  const fixupsOnly = await cpuOf({ ...base, checkFlags: [...base.checkFlags, ...noChecks.map((f) => ({ ...f, isError: false }))] });
  const share = (all - fixupsOnly) / all;
  return [
    {
      section: 'checks (#5)',
      case: 'lemans-evk compile, all default checks (CPU, warm)',
      ours: all,
      reference: fixupsOnly,
      referenceLabel: 'same compile, only the fixup checks',
      note: `checks = ${(share * 100).toFixed(0)}% of compile time (goal < 20%)`,
    },
  ];
}
