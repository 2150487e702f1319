/**
 * Issue 14: `dtoverlay-check dt-validate` as kbuild runs it — one process per DTB,
 * `dt-validate -m -u <bindings> -p processed-schema.json X.dtb` — on lemans-evk-el2 and five other
 * boards, with the processed schema from our `dt-mk-schema` and a warm validator cache (after the
 * first DTBs of a `make dtbs_check` it is). Our CPU time (user + sys of the process, from bash's
 * `times`) against dt-validate's recorded user time (../shared/reference/dtschema/summary.tsv).
 * Goal: at most 1/20.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindingsDir, buildReferenceDtb, dtschemaDir, hasCpp, readSummary, referenceDir } from '../test/schema/support/reference-dtbs.js';
import { cli, type Row } from './lib.js';

const SECTION = 'dt-validate (#14)';
const BOARDS = ['lemans-evk-el2.dtb', 'qcs9100-ride-el2.dtb', 'sa8775p-ride.dtb', 'msm8976-longcheer-l9360.dtb', 'sdm845-lg-judyln.dtb', 'glymur-crd.dtb'];

/** dt-validate's user seconds per DTB, from summary.tsv. */
function recordedUserSeconds(): Map<string, number> {
  const lines = fs.readFileSync(path.join(referenceDir, 'summary.tsv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const user = header.indexOf('user_s');
  return new Map(lines.slice(1).map((l) => l.split('\t')).map((c) => [c[0]!, Number(c[user])]));
}

/** CPU milliseconds (user + sys) of one command, as bash's `times` reports its children. */
function cpuMs(args: string[], env: NodeJS.ProcessEnv): number {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${quoted} 2>/dev/null >/dev/null; times`], { env, encoding: 'utf8' });
  const children = r.stdout.trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (seconds[0]! + seconds[1]!) * 1000;
}

export function benchDtValidate(): Row[] {
  if (!fs.existsSync(referenceDir) || !hasCpp()) {
    console.warn(`skipping dt-validate bench: ${fs.existsSync(referenceDir) ? 'GNU cpp is not installed' : `${referenceDir} is absent`}`);
    return [];
  }
  const entries = readSummary().filter((e) => BOARDS.includes(e.dtb));
  const user = recordedUserSeconds();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dt-validate-'));
  const env = { ...process.env, DTOVERLAY_CHECK_CACHE: path.join(work, 'cache') };
  try {
    const processed = path.join(work, 'processed-schema.json');
    const mk = spawnSync(process.execPath, [cli, 'dt-mk-schema', '-j', '--core-schemas', dtschemaDir, '-o', processed, bindingsDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (mk.status !== 0) throw new Error(`dt-mk-schema failed: ${mk.stderr}`);
    const rows: Row[] = [];
    for (const e of entries) {
      const dtb = path.join(work, e.dtb);
      fs.copyFileSync(buildReferenceDtb(e), dtb);
      const args = [process.execPath, cli, 'dt-validate', '-m', '-u', bindingsDir, '-p', processed, dtb];
      cpuMs(args, env); // fills the validator cache, untimed
      const samples = [0, 1, 2].map(() => cpuMs(args, env)).sort((a, b) => a - b);
      rows.push({ section: SECTION, case: `dt-validate ${e.dtb}, one process (CPU)`, ours: samples[1]!, reference: (user.get(e.dtb) ?? NaN) * 1000, referenceLabel: 'dt-validate user' });
    }
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
