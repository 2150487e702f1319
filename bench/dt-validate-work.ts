/**
 * `dtoverlay-check dt-validate` set up as kbuild runs it, for bench/dt-validate.ts (issue 14) and
 * bench/cold.ts (issue 17):
 *
 *   make dtbs_check DT_CHECKER='dtoverlay-check dt-validate' DT_MK_SCHEMA='dtoverlay-check dt-mk-schema'
 *
 * kbuild runs `$(DT_MK_SCHEMA) -j … @list > processed-schema.json` once, then
 * `$(DT_CHECKER) -m -u <bindings> -p processed-schema.json X.dtb` once per DTB, each a fresh
 * process. Here: the processed schema from our dt-mk-schema over the shared kernel bindings and
 * dt-schema's core, the reference DTBs as test/schema/support/reference-dtbs.ts builds them, and
 * a cache folder of the bench's own. `warm` runs every DTB once, untimed: after the first DTBs of
 * a `make dtbs_check` the cache holds the validators and the processed schema's index.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindingsDir, buildReferenceDtb, dtschemaDir, hasCpp, readSummary, referenceDir } from '../test/schema/support/reference-dtbs.js';
import { cli, type ProcessCase } from './lib.js';

/** lemans-evk-el2 (issue 17's board) and five others: an -el2 composition, boards with and without messages. */
export const DT_VALIDATE_BOARDS = ['lemans-evk-el2.dtb', 'qcs9100-ride-el2.dtb', 'sa8775p-ride.dtb', 'msm8976-longcheer-l9360.dtb', 'sdm845-lg-judyln.dtb', 'glymur-crd.dtb'];

export interface DtValidateWork {
  /** Work folder: processed-schema.json, the DTBs (named as the references name them), cache/. */
  dir: string;
  processed: string;
  env: NodeJS.ProcessEnv;
  /** DTB name → its path in the work folder. */
  dtbs: Map<string, string>;
  /** dt-validate's recorded user seconds per DTB (../shared/reference/dtschema/summary.tsv). */
  recordedUser: Map<string, number>;
  /** The command kbuild runs for one DTB, on this Node or another. */
  command(dtb: string, node?: string): Pick<ProcessCase, 'cmd' | 'args' | 'env'>;
  remove(): void;
}

/** Why the dt-validate rows cannot run here, or undefined. */
export function dtValidateUnavailable(): string | undefined {
  if (!fs.existsSync(referenceDir)) return `${referenceDir} is absent`;
  if (!hasCpp()) return 'GNU cpp is not installed (the reference DTBs are built with it)';
  return undefined;
}

function recordedUserSeconds(): Map<string, number> {
  const lines = fs.readFileSync(path.join(referenceDir, 'summary.tsv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const user = header.indexOf('user_s');
  return new Map(lines.slice(1).map((l) => l.split('\t')).map((c) => [c[0]!, Number(c[user])]));
}

/**
 * The processed schema, the DTBs and a fresh cache folder; every DTB run twice (untimed) to fill
 * the cache. `wholeTree`: first, as a `make -j 2 dtbs_check` over the qcom tree would, every one
 * of the 393 reference DTBs run twice, two processes at a time (about 4 minutes): the cache then
 * holds a chunk per first run that compiled something, as kbuild leaves it.
 */
export async function dtValidateWork(boards: string[], wholeTree = false): Promise<DtValidateWork> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dt-validate-'));
  const env = { ...process.env, DTOVERLAY_CHECK_CACHE: path.join(dir, 'cache') };
  const processed = path.join(dir, 'processed-schema.json');
  const mk = spawnSync(process.execPath, [cli, 'dt-mk-schema', '-j', '--core-schemas', dtschemaDir, '-o', processed, bindingsDir], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (mk.status !== 0) throw new Error(`dt-mk-schema failed: ${mk.stderr}`);
  const dtbs = new Map<string, string>();
  const all = new Map<string, string>();
  for (const entry of readSummary().filter((e) => wholeTree || boards.includes(e.dtb))) {
    const dtb = path.join(dir, entry.dtb);
    fs.copyFileSync(buildReferenceDtb(entry), dtb);
    all.set(entry.dtb, dtb);
    if (boards.includes(entry.dtb)) dtbs.set(entry.dtb, dtb);
  }
  const command = (dtb: string, node = process.execPath) => ({ cmd: node, args: [cli, 'dt-validate', '-m', '-u', bindingsDir, '-p', processed, all.get(dtb)!], env });
  // kbuild makes processed-schema.json once, long before most DTBs are checked: dt-validate then
  // knows it by its identity (a file changed in the last 2 s is read and hashed instead)
  const settled = fs.statSync(processed).ctimeMs + 2100 - Date.now();
  if (settled > 0) spawnSync('sleep', [String(settled / 1000)]);
  if (wholeTree) {
    for (let pass = 0; pass < 2; pass++) {
      const queue = [...all.keys()];
      const worker = async (): Promise<void> => {
        for (let dtb = queue.shift(); dtb; dtb = queue.shift()) {
          const { cmd, args } = command(dtb);
          const status = await new Promise<number | null>((resolve) => spawn(cmd, args, { env, stdio: 'ignore' }).on('close', resolve));
          if (status !== 0) throw new Error(`dt-validate ${dtb} failed (exit ${status})`);
        }
      };
      await Promise.all([worker(), worker()]);
    }
  }
  for (const dtb of dtbs.keys()) {
    for (let i = 0; i < 2; i++) {
      const { cmd, args } = command(dtb);
      const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`dt-validate ${dtb} failed: ${r.stderr}`);
    }
  }
  return { dir, processed, env, dtbs, recordedUser: recordedUserSeconds(), command, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
