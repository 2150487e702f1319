/**
 * Issue 17: a fresh process, as hooks, kbuild (one process per DTB) and editors start us. Every row
 * runs its processes interleaved with its reference (medians of BENCH_RUNS, default 7, after one
 * untimed round) and prints the wall ratio, with the CPU ratio in the note: on a machine shared with
 * other jobs, wall time includes waiting for a CPU, and CPU time does not.
 *
 * Every goal of issue 17 gets its row, with `n/a` and the reason in the note where this machine
 * cannot measure it (no native dtc, no ../shared, no cpp, no GNU time).
 *
 * The CLI starts these short commands with V8's optimizing compiler off (src/tiering.ts);
 * `DTOVERLAY_CHECK_TIERING=default` in the environment of `npm run bench` measures V8's own tiering.
 *
 * BENCH_NODE2=/path/to/node adds a column with the same runs on that Node (for information; Node 20
 * is the floor), its CPU ratio in the note. Node 24 from npm, outside the repository:
 *   mkdir /tmp/node24 && cd /tmp/node24 && npm init -y && npm i node@24
 *   BENCH_NODE2=/tmp/node24/node_modules/node/bin/node npm run bench -- cold
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dtValidateUnavailable, dtValidateWork } from './dt-validate-work.js';
import { hasCpp } from '../test/schema/support/reference-dtbs.js';
import { linkedKernelTree } from '../test/kernel/tree.js';
import { cli, interleaved, nativeDir, nativeDtc, nativeFdtoverlay, node2, sharedDir, type ProcessCase, type ProcessFigures, type Row } from './lib.js';

const SECTION = 'cold (#17)';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CPP = 'cpp -nostdinc -I include -undef -D__DTS__ -x assembler-with-cpp';

/** The same command on Node 20 (this process's node) and, when given, on the second Node. */
function nodeCases(name: string, args: string[], cwd: string, ok?: number[]): ProcessCase[] {
  const cases: ProcessCase[] = [{ name, cmd: process.execPath, args: [cli, ...args], cwd, ok }];
  if (node2) cases.push({ name: `${name}@node2`, cmd: node2, args: [cli, ...args], cwd, ok });
  return cases;
}

const COMPILE_CASE = 'compile --cpp -@ -b 0 lemans-evk';
const CHECK_CASE = 'check lemans-evk + lemans-el2, no bindings';
const VALIDATE_CASE = 'dt-validate -m -p lemans-evk-el2.dtb, one process (kbuild), warm cache, CPU';
const HOOK_CASE = 'hook: staged lemans-el2.dtso change in a Linux tree, warm caches';
const RSS_CASE = 'peak RSS of kernel -j 2 over all qcom targets';

/** A goal's row without a figure: what is missing, and how to get it. */
function missingRow(caseName: string, goal: string, why: string, referenceLabel = 'goal'): Row {
  return { section: SECTION, case: caseName, ours: undefined, reference: undefined, referenceLabel, note: `${goal}: n/a (${why})` };
}

function cpuRatio(ours: ProcessFigures | undefined, ref: ProcessFigures): string {
  return ours?.cpu !== undefined && ref.cpu !== undefined ? `CPU ${ours.cpu.toFixed(0)}/${ref.cpu.toFixed(0)} ms = ${(ours.cpu / ref.cpu).toFixed(2)}×` : 'CPU n/a (no GNU time)';
}

function ratioRow(caseName: string, figures: Map<string, ProcessFigures>, name: string, referenceName: string, referenceLabel: string, goal: number): Row {
  const ours = figures.get(name)!;
  const ref = figures.get(referenceName)!;
  const ratio = ours.wall / ref.wall;
  const second = figures.get(`${name}@node2`);
  return {
    section: SECTION,
    case: caseName,
    ours: ours.wall,
    reference: ref.wall,
    referenceLabel,
    node2: second?.wall,
    note: `goal ≤ ${goal.toFixed(1)}× ${ratio <= goal ? '(met)' : '(OVER)'}; ${cpuRatio(ours, ref)}${second ? `; second Node: ${cpuRatio(second, ref)}` : ''}`,
  };
}

function compileRow(kernelDt: string): Row {
  const qcom = 'src/arm64/qcom';
  const out = path.join(os.tmpdir(), `bench-cold-${process.pid}`);
  const ours = ['compile', '--cpp', '-@', '-b', '0', '-q', '-i', 'include', '-i', 'src', '-i', qcom, '-O', 'dtb', '-o', `${out}.ours.dtb`, `${qcom}/lemans-evk.dts`];
  const reference = `${CPP} -I src ${qcom}/lemans-evk.dts | ${nativeDtc} -@ -b 0 -q -i ${qcom} -O dtb -o ${out}.ref.dtb -`;
  const figures = interleaved([...nodeCases('ours', ours, kernelDt), { name: 'ref', cmd: 'sh', args: ['-c', reference], cwd: kernelDt }], RUNS);
  for (const f of [`${out}.ours.dtb`, `${out}.ref.dtb`]) fs.rmSync(f, { force: true });
  return ratioRow(COMPILE_CASE, figures, 'ours', 'ref', 'cpp | dtc -@ -b 0', 3.0);
}

function checkRow(linux: string): Row {
  const qcom = 'arch/arm64/boot/dts/qcom';
  const out = path.join(os.tmpdir(), `bench-cold-${process.pid}`);
  const ours = ['check', `${qcom}/lemans-evk.dts`, `${qcom}/lemans-el2.dtso`, '-i', 'include', '--fail-on', 'never', '-q'];
  const reference = [
    `${CPP} ${qcom}/lemans-evk.dts | ${nativeDtc} -@ -q -O dtb -o ${out}.base.dtb -`,
    `${CPP} ${qcom}/lemans-el2.dtso | ${nativeDtc} -@ -q -O dtb -o ${out}.el2.dtbo -`,
    `${nativeFdtoverlay} -i ${out}.base.dtb -o ${out}.merged.dtb ${out}.el2.dtbo`,
  ].join(' && ');
  const figures = interleaved([...nodeCases('ours', ours, linux), { name: 'ref', cmd: 'sh', args: ['-c', reference], cwd: linux }], RUNS);
  for (const f of ['base.dtb', 'el2.dtbo', 'merged.dtb']) fs.rmSync(`${out}.${f}`, { force: true });
  return ratioRow(CHECK_CASE, figures, 'ours', 'ref', 'cpp | dtc ×2 + fdtoverlay', 3.0);
}

/**
 * `dt-validate -m -u <bindings> -p <processed> lemans-evk-el2.dtb`, one process, as kbuild runs
 * it per DTB (dt-validate-work.ts: our dt-mk-schema's processed schema, a warm cache). Its CPU
 * time against the goal, 0.40 s; dt-validate's recorded user time beside it.
 */
async function validateRow(): Promise<Row> {
  const unavailable = dtValidateUnavailable();
  if (unavailable) return missingRow(VALIDATE_CASE, 'goal ≤ 0.40 s CPU', unavailable);
  const dtb = 'lemans-evk-el2.dtb';
  const work = await dtValidateWork([dtb]);
  try {
    const cases: ProcessCase[] = [{ name: 'ours', ...work.command(dtb) }];
    if (node2) cases.push({ name: 'ours@node2', ...work.command(dtb, node2) });
    const figures = interleaved(cases, RUNS);
    const ours = figures.get('ours')!;
    return {
      section: SECTION,
      case: VALIDATE_CASE,
      ours: ours.cpu,
      reference: (work.recordedUser.get(dtb) ?? NaN) * 1000,
      referenceLabel: 'dt-validate user, recorded',
      node2: figures.get('ours@node2')?.cpu,
      note: `goal ≤ 0.40 s CPU ${ours.cpu === undefined ? 'n/a (no GNU time to count CPU)' : ours.cpu <= 400 ? '(met)' : '(OVER)'}; wall ${ours.wall.toFixed(0)} ms`,
    };
  } finally {
    work.remove();
  }
}

/** A copy of corpus/linux in a fresh git repository with lemans-el2.dtso changed and staged. */
function stagedLinuxTree(corpus: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hook-'));
  fs.cpSync(corpus, root, { recursive: true });
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'corpus');
  const el2 = path.join(root, 'arch/arm64/boot/dts/qcom/lemans-el2.dtso');
  fs.appendFileSync(el2, '\n&remoteproc_adsp {\n\tstatus = "okay";\n};\n');
  git('add', el2);
  return root;
}

function hookRow(corpus: string): Row {
  const tree = stagedLinuxTree(corpus);
  try {
    // exit 1 is a blocked commit: a finding the change introduces, still a complete run
    const figures = interleaved(nodeCases('ours', ['hook', '-q', '-j', '2'], tree, [0, 1]), RUNS);
    const ours = figures.get('ours')!;
    return {
      section: SECTION,
      case: HOOK_CASE,
      ours: ours.wall,
      reference: 1500,
      referenceLabel: 'goal',
      node2: figures.get('ours@node2')?.wall,
      note: `goal ≤ 1.5 s wall ${ours.wall <= 1500 ? '(met)' : '(OVER)'}${ours.cpu !== undefined ? `; CPU ${ours.cpu.toFixed(0)} ms` : ''}${figures.get('ours@node2')?.cpu !== undefined ? `; second Node CPU ${figures.get('ours@node2')!.cpu!.toFixed(0)} ms` : ''}`,
    };
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

/**
 * Peak RSS of `kernel -j 2` over every qcom target of a Linux-layout tree made from
 * ../shared/kernel-dt (test/kernel/tree.ts), one run (it takes 30–60 s): GNU time's maximum
 * resident set size, which counts the main thread and both workers (one process).
 */
function kernelRssRow(): Row {
  if (!fs.existsSync('/usr/bin/time')) return missingRow(RSS_CASE, 'goal ≤ 1 GB', 'needs GNU time (/usr/bin/time)');
  const tree = linkedKernelTree();
  try {
    const measure = (node: string) => {
      const r = spawnSync('/usr/bin/time', ['-f', 'maxrss-kb %M', node, cli, 'kernel', '--tree', tree, '-j', '2', '-q', '--fail-on', 'never'], { encoding: 'utf8' });
      const kb = Number(/maxrss-kb (\d+)/.exec(r.stderr)?.[1]);
      return { mb: kb / 1024, ok: r.status === 0 };
    };
    const ours = measure(process.execPath);
    const second = node2 ? measure(node2) : undefined;
    return {
      section: SECTION,
      case: `${RSS_CASE} (one run)`,
      ours: ours.mb,
      reference: 1024,
      referenceLabel: 'goal',
      unit: 'MB',
      node2: second?.mb,
      note: `${ours.ok ? '' : 'the run FAILED; '}goal ≤ 1 GB ${ours.mb <= 1024 ? '(met)' : '(OVER)'}`,
    };
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

export async function benchCold(): Promise<Row[]> {
  const rows: Row[] = [];
  const kernelDt = path.join(sharedDir, 'kernel-dt');
  const linux = path.join(sharedDir, 'corpus/linux');
  const noNative = `no native dtc and fdtoverlay in ${nativeDir} (bash scripts/build-dtc-wasm.sh --native ${nativeDir})`;
  if (!nativeDtc || !nativeFdtoverlay) rows.push(missingRow(COMPILE_CASE, 'goal ≤ 3.0×', noNative));
  else if (!fs.existsSync(kernelDt)) rows.push(missingRow(COMPILE_CASE, 'goal ≤ 3.0×', `${kernelDt} is absent`));
  else if (!hasCpp()) rows.push(missingRow(COMPILE_CASE, 'goal ≤ 3.0×', 'no cpp for the reference'));
  else rows.push(compileRow(kernelDt));
  if (!nativeDtc || !nativeFdtoverlay) rows.push(missingRow(CHECK_CASE, 'goal ≤ 3.0×', noNative));
  else if (!fs.existsSync(linux)) rows.push(missingRow(CHECK_CASE, 'goal ≤ 3.0×', `${linux} is absent`));
  else if (!hasCpp()) rows.push(missingRow(CHECK_CASE, 'goal ≤ 3.0×', 'no cpp for the reference'));
  else rows.push(checkRow(linux));
  rows.push(await validateRow());
  rows.push(fs.existsSync(linux) ? hookRow(linux) : missingRow(HOOK_CASE, 'goal ≤ 1.5 s wall', `${linux} is absent`));
  rows.push(fs.existsSync(kernelDt) ? kernelRssRow() : missingRow(RSS_CASE, 'goal ≤ 1 GB', `${kernelDt} is absent`));
  return rows;
}
