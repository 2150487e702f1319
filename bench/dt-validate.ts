/**
 * Issue 14: `dtoverlay-check dt-validate` as kbuild runs it — one process per DTB,
 * `dt-validate -m -u <bindings> -p processed-schema.json X.dtb` — on lemans-evk-el2 and five other
 * boards, with the processed schema from our `dt-mk-schema` and a warm cache (dt-validate-work.ts).
 * Our CPU time (user + sys of the process, GNU time) against dt-validate's recorded user time
 * (../shared/reference/dtschema/summary.tsv, measured on this machine kind). Goal: at most 1/20.
 * The boards run interleaved, medians of BENCH_RUNS (default 7) after one untimed round.
 */
import { DT_VALIDATE_BOARDS, dtValidateUnavailable, dtValidateWork } from './dt-validate-work.js';
import { interleaved, node2, type ProcessCase, type Row } from './lib.js';

const SECTION = 'dt-validate (#14)';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOAL = 1 / 20;

export function benchDtValidate(): Row[] {
  const unavailable = dtValidateUnavailable();
  if (unavailable) {
    console.warn(`skipping dt-validate bench: ${unavailable}`);
    return [];
  }
  const work = dtValidateWork(DT_VALIDATE_BOARDS);
  try {
    const cases: ProcessCase[] = [];
    for (const dtb of work.dtbs.keys()) {
      cases.push({ name: dtb, ...work.command(dtb) });
      if (node2) cases.push({ name: `${dtb}@node2`, ...work.command(dtb, node2) });
    }
    const figures = interleaved(cases, RUNS);
    return [...work.dtbs.keys()].map((dtb) => {
      const ours = figures.get(dtb)!;
      const recorded = (work.recordedUser.get(dtb) ?? NaN) * 1000;
      const ratio = ours.cpu !== undefined ? ours.cpu / recorded : NaN;
      return {
        section: SECTION,
        case: `dt-validate -m -p ${dtb}, one process, warm cache (CPU)`,
        ours: ours.cpu,
        reference: recorded,
        referenceLabel: 'dt-validate user, recorded',
        node2: figures.get(`${dtb}@node2`)?.cpu,
        note: `goal ≤ 1/20 ${ratio <= GOAL ? '(met)' : '(OVER)'}; 1/${(1 / ratio).toFixed(0)}; wall ${ours.wall.toFixed(0)} ms`,
      };
    });
  } finally {
    work.remove();
  }
}
