/**
 * V8's optimizing compiler in a one-shot process. The validators are large generated functions
 * (ajv's code for qcom.yaml alone is 360 KB) that one DTB runs a few hundred to a few thousand
 * times: enough for V8 to optimize them with TurboFan on background threads, not enough to win
 * that CPU back. `dt-validate` of lemans-evk-el2.dtb spends about a quarter of its CPU time
 * there (790 → 560 ms with the tiers capped at Sparkplug; Node 24: 650 → 500 ms); at about 20
 * DTBs in one process the two break even. So a run of a few DTBs — kbuild runs one per process —
 * caps the tiers, before any validator code is loaded.
 *
 * V8 rejects a code cache made by another V8 or under other flags: the validator chunks keep one
 * code cache per V8 version and mode (codeCacheSuffix), so runs on two Nodes, or capped and
 * uncapped runs, sharing a cache folder do not overwrite each other's.
 */
import * as v8 from 'node:v8';

/** At most this many DTBs in one process: a one-shot run (see above). */
export const ONE_SHOT_DTBS = 8;

let capped = false;

/** Caps V8's tiers at Sparkplug (baseline code) for the rest of the process. */
export function capOptimizingCompiler(): void {
  if (capped) return;
  v8.setFlagsFromString('--max-opt=1');
  capped = true;
}

/** The suffix of a code cache file made by this V8 under this process's flags (before `.v8`). */
export function codeCacheSuffix(): string {
  return `.${process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_')}${capped ? '.baseline' : ''}`;
}
