/**
 * The stages backed by the dt-binding validation engine (src/schema) and the PAS simulation
 * (src/pas). Each adapter records in the report why its stage did not run (no bindings given, no
 * schema could be loaded) and never throws for bad input.
 */
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Property, Tree } from '../tree/model.js';
import type { Report, SidMapRow } from '../report/types.js';
import { registerRuleSource } from '../report/rules.js';
import type { CheckOptions } from './options.js';
import type { StageLog } from './run.js';

/** Loaded binding sets, per folder list: kernel mode validates many trees against one set. */
const schemaSets = new Map<string, Promise<import('../schema/index.js').SchemaSet>>();

/** The binding set of `options.bindings`, loaded once per process (the language server's hover and completion share it). */
export async function schemaSetFor(options: Pick<CheckOptions, 'bindings' | 'coreSchemas'>): Promise<{ set: import('../schema/index.js').SchemaSet; core: import('../schema/load.js').CoreSchemaChoice }> {
  const schema = await import('../schema/index.js');
  const { chooseCoreSchemas } = await import('../schema/load.js');
  const core = chooseCoreSchemas(options.coreSchemas);
  const key = JSON.stringify([options.bindings, core.dir]);
  let pending = schemaSets.get(key);
  const load = { bindings: options.bindings, coreSchemas: core.dir };
  if (!pending) schemaSets.set(key, (pending = Promise.resolve().then(() => schema.loadSchemaSet(load))));
  return { set: await pending, core };
}

export async function runSchemaStage(tree: Tree, options: CheckOptions, log: StageLog): Promise<void> {
  if (!options.bindings.length) {
    log.skip('schema', 'no bindings given (--bindings DIR or `bindings:` in .dtoverlay-check.yaml)');
    return;
  }
  const start = performance.now();
  try {
    const schema = await import('../schema/index.js');
    const { dtschemaVersionOf } = await import('../schema/load.js');
    const { set, core } = await schemaSetFor(options);
    const bindingProblems = set.runtime.diagnostics.length;
    const { diagnostics } = schema.validate(tree, set);
    schema.persistSchemaSet(set);
    log.diagnostics.push(...diagnostics);
    // Bindings this tree needed that could not be compiled (reported once per process, by the tree that met them).
    log.diagnostics.push(...set.runtime.diagnostics.slice(bindingProblems));
    const missing = schema.missingSchemasWarning(set, core.dir);
    if (missing) log.diagnostics.push(missing);
    const coreNote = coreSchemaNote(core, dtschemaVersionOf);
    log.stages.push({ name: 'schema', status: 'ran', note: coreNote, ms: Math.round(performance.now() - start) });
  } catch (err) {
    const d = (err as { diagnostic?: Diagnostic }).diagnostic;
    log.skip('schema', `bindings could not be loaded: ${d?.message ?? (err instanceof Error ? err.message : String(err))}`, 'failed');
  }
}

/** The schema stage's note: which core schemas the run used. */
function coreSchemaNote(core: import('../schema/load.js').CoreSchemaChoice, versionOf: (dir: string) => string | undefined): string {
  if (core.origin === 'vendored dt-schema') return `dt-schema ${versionOf(core.dir) ?? ''} core schemas (vendored)`.replace('  ', ' ');
  return `core schemas: ${core.dir} (${core.origin})`;
}

export interface PasStageResult {
  simulation: unknown;
  sidMap?: SidMapRow[];
}

export async function runPasStage(tree: Tree, overlays: { touched: Set<Property>; targeted: Map<Node, Span> }, options: CheckOptions, log: StageLog): Promise<PasStageResult | undefined> {
  const start = performance.now();
  try {
    const pas = await import('../pas/index.js');
    registerPasRules(pas.RULES_BY_ID);
    let profile;
    if (options.soc) profile = await pas.loadProfile(options.soc);
    else {
      const { compatibles } = await import('../pas/dt.js');
      profile = await pas.profileForCompatibles(compatibles(tree.root));
    }
    const result = pas.simulate(tree, profile, {
      el: options.el,
      changed: overlays.touched,
      targeted: overlays.targeted,
      overlays: options.overlays,
      bindingsDir: options.bindings[0],
    });
    log.diagnostics.push(...result.diagnostics);
    const sim = result.simulation;
    const note = sim.soc ? `SoC profile ${sim.soc}, EL${sim.el}` : `no SoC profile for this tree, EL${sim.el}`;
    log.stages.push({ name: 'pas', status: 'ran', note, ms: Math.round(performance.now() - start) });
    return { simulation: sim, sidMap: sidMapRows(sim) };
  } catch (err) {
    const d = (err as { diagnostic?: Diagnostic }).diagnostic;
    if (d) {
      // A profile that does not load (unknown --soc) is an input error of this run.
      log.diagnostics.push(d);
      log.skip('pas', d.message, 'failed');
      return undefined;
    }
    throw err;
  }
}

function sidMapRows(sim: import('../pas/simulate.js').SimulationResult): SidMapRow[] {
  const rows: SidMapRow[] = [];
  for (const smmu of sim.smmus) {
    for (const device of smmu.devices) {
      for (const stream of device.streams) {
        rows.push({
          smmu: smmu.label ?? smmu.path,
          device: device.name,
          sid: stream.sid,
          mask: stream.mask,
          status: device.status,
          ...(device.reason ? { note: device.reason } : {}),
        });
      }
    }
  }
  return rows;
}

let pasRulesRegistered = false;

/** SARIF and HTML take the PAS rules' summaries and rationale from the engine's table. */
function registerPasRules(rules: ReadonlyMap<string, import('../pas/rules.js').PasRule>): void {
  if (pasRulesRegistered) return;
  pasRulesRegistered = true;
  registerRuleSource((id) => {
    const rule = rules.get(id);
    return rule && { id, summary: rule.summary, help: `${rule.rationale}${rule.escalation ? ` (${rule.escalation})` : ''} Sources: ${rule.source}.`, defaultSeverity: rule.severity };
  });
}

/** The PAS engine's SID map for the HTML report: lanes per SMMU, tables, bring-up steps, conflicts linked to their findings. */
export async function sidMapView(report: Report): Promise<import('../report/sid-map-section.js').SidMapView | undefined> {
  const sim = report.simulation as import('../pas/simulate.js').SimulationResult | undefined;
  if (!sim || !sim.smmus?.length) return undefined;
  const { sidMapView: view } = await import('../report/sid-map-section.js');
  return view(sim, report.diagnostics);
}
