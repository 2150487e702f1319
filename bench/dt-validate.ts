/**
 * Issue 14: `dtoverlay-check dt-validate` as kbuild runs it — one process per DTB,
 * `dt-validate -m -u <bindings> -p processed-schema.json X.dtb` — on lemans-evk-el2 and five other
 * boards, with the processed schema from our `dt-mk-schema` and a warm cache (dt-validate-work.ts).
 * Our CPU time (user + sys of the process, GNU time) against dt-validate's recorded user time
 * (../shared/reference/dtschema/summary.tsv, measured on this machine kind). Goal: at most 1/20.
 * The boards run interleaved, medians of BENCH_RUNS (default 7) after one untimed round; twice:
 * in a cache the six boards filled, and in one that all 393 qcom DTBs filled first, as a
 * `make dtbs_check` over the qcom tree leaves it (about 4 more minutes).
 */
import { DT_VALIDATE_BOARDS, dtValidateUnavailable, dtValidateWork } from './dt-validate-work.js';
import { interleaved, node2, type ProcessCase, type Row } from './lib.js';

const SECTION = 'dt-validate (#14)';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOAL = 1 / 20;

export async function benchDtValidate(): Promise<Row[]> {
  const unavailable = dtValidateUnavailable();
  if (unavailable) {
    console.warn(`skipping dt-validate bench: ${unavailable}`);
    return [];
  }
  return [...(await rows(false)), ...(await rows(true))];
}

/** The six boards' rows, in a cache of their own or (`wholeTree`) one that all 393 qcom DTBs filled. */
async function rows(wholeTree: boolean): Promise<Row[]> {
  const work = await dtValidateWork(DT_VALIDATE_BOARDS, wholeTree);
  const cache = wholeTree ? 'cache of all 393 qcom DTBs' : 'cache of these six';
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
        case: `dt-validate -m -p ${dtb}, one process, ${cache} (CPU)`,
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
