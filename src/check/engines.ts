/**
 * The stages backed by engines that land separately (dt-binding validation, PAS simulation).
 * Each adapter says in the report why its stage did not run: no bindings given, no SoC profile,
 * or the engine not in this build.
 */
import type { Property, Tree } from '../tree/model.js';
import type { SidMapRow } from '../report/types.js';
import type { CheckOptions } from './options.js';
import type { StageLog } from './run.js';

export async function runSchemaStage(tree: Tree, options: CheckOptions, log: StageLog): Promise<void> {
  void tree;
  if (!options.bindings.length) {
    log.skip('schema', 'no bindings given (--bindings DIR or `bindings:` in .dtoverlay-check.yaml)');
    return;
  }
  log.skip('schema', 'the dt-binding validation engine is not in this build yet');
}

export interface PasStageResult {
  simulation: unknown;
  sidMap?: SidMapRow[];
}

export async function runPasStage(tree: Tree, touched: Set<Property>, options: CheckOptions, log: StageLog): Promise<PasStageResult | undefined> {
  void tree;
  void touched;
  void options;
  log.skip('pas', 'the PAS simulation engine is not in this build yet');
  return undefined;
}

/** The PAS engine's SID map markup for the HTML report, when it provides a renderer. */
export async function sidMapHtml(report: import('../report/types.js').Report): Promise<string | undefined> {
  void report;
  return undefined;
}
