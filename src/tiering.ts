/**
 * V8's optimizing compiler in a fresh process (issues 14 and 17): the one module that sets V8's
 * tiers. TurboFan compiles hot functions on a background thread and swaps them in; in a run of a
 * few hundred milliseconds — one `compile` or one `check`, as kbuild (one process per DTB) and a
 * pre-commit hook start them — that work does not pay back: a cold compile of lemans-evk ran 118
 * TurboFan jobs, and with TurboFan off the process used about 40% less CPU and no more wall time.
 * So the CLI starts short commands with
 * TurboFan off (V8's interpreter and its baseline compiler only) and turns it back on as soon as
 * it knows the run will be long: a batch big enough for worker threads, a server, a huge input,
 * bindings to process or validators to compile (a cold schema cache: seconds of work). A few boards
 * in one thread (a hook's three compositions) stay cold: 1.3 s CPU instead of 2.0 s.
 *
 * V8's flags are per process, not per thread: worker threads see what the process set. Only the
 * CLI's entry (src/cli.ts) starts cold; a program that imports the modules keeps V8's default.
 */
import * as v8 from 'node:v8';

/** Commands that are long by nature keep V8's default tiering from the start. */
const LONG_COMMANDS = new Set(['kernel', 'lsp', 'review', 'dt-mk-schema', '__worker']);

/** Preprocessed or read text from this size on makes a long compile (lemans-evk's is 0.22 MB). */
export const LONG_RUN_TEXT = 4 << 20;

let cold = false;

/**
 * For the CLI's entry only: a short command starts without TurboFan.
 * `DTOVERLAY_CHECK_TIERING=default` keeps V8's own tiering (for comparisons).
 */
export function startCold(argv: readonly string[]): void {
  if (cold || LONG_COMMANDS.has(argv[0] ?? '') || process.env.DTOVERLAY_CHECK_TIERING === 'default') return;
  v8.setFlagsFromString('--no-opt');
  cold = true;
}

/** The work ahead is long (a batch for workers, a big input, a cold schema cache): TurboFan back on. A no-op unless startCold ran. */
export function expectLongRun(): void {
  if (!cold) return;
  v8.setFlagsFromString('--opt');
  cold = false;
}

/** At most this many DTBs in one `dt-validate` process make a one-shot run (capBaseline). */
export const ONE_SHOT_DTBS = 8;

let capped = false;

/**
 * `dt-validate` of a few DTBs (kbuild runs one per process): V8's tiers capped at Sparkplug
 * (baseline code) for the rest of the process, before any validator code is loaded. The
 * validators are large generated functions (ajv's code for qcom.yaml alone is 360 KB) that one
 * DTB runs a few hundred to a few thousand times: enough for V8 to optimize them on background
 * threads, not enough to win that CPU back. `dt-validate` of lemans-evk-el2.dtb spent about a
 * quarter of its CPU time there (790 → 560 ms capped; Node 24: 650 → 500 ms); at about 20 DTBs
 * in one process the two break even. Unlike startCold, expectLongRun does not lift the cap: a
 * one-DTB run that must compile validators (a cold cache) takes 4.6–4.8 s wall and 4.9–5.2 s CPU
 * capped, 4.3–4.5 s and 5.6–5.8 s uncapped, and kbuild runs DTBs in parallel, where CPU is what
 * counts.
 */
export function capBaseline(): void {
  if (capped) return;
  v8.setFlagsFromString('--max-opt=1');
  capped = true;
}

/**
 * The suffix of a V8 code cache file made by this V8 under this process's tiers (before `.v8`).
 * V8 rejects a code cache made by another V8 or under other flags (`--no-opt` included): the
 * validator chunks keep one per V8 version and mode — capped, cold, default — so runs on two
 * Nodes, or a one-DTB dt-validate, a `check --bindings` and a large `validate` batch sharing a
 * cache folder, do not reject and rewrite each other's.
 */
export function codeCacheSuffix(): string {
  return `.${process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_')}${capped ? '.baseline' : cold ? '.cold' : ''}`;
}

/** Whether this process runs without TurboFan now (for tests and the bench's notes). */
export function startedCold(): boolean {
  return cold;
}
