/**
 * The built-in core schemas (schemas/core, our own) against dt-schema's core (../shared/corpus/dtschema,
 * the oracle): with the corpus bindings they must type every property the same way, and `check` on
 * the three Lemans EL2 compositions must give the same schema findings with either core.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { defaultCheckOptions } from '../../src/check/options.js';
import { loadSchemaSet } from '../../src/schema/index.js';
import type { PropTypeTable } from '../../src/schema/prop-types.js';
import { sharedDir, sharedOrExplain } from '../support/shared.js';

const linux = path.join(sharedDir, 'corpus/linux');
const bindings = path.join(linux, 'Documentation/devicetree/bindings');
const dtschema = path.join(sharedDir, 'corpus/dtschema');
const qcom = path.join(linux, 'arch/arm64/boot/dts/qcom');

function typesOf(table: PropTypeTable): Map<string, string> {
  const out = new Map<string, string>();
  for (const [kind, entries] of [['', table.props], ['pattern ', table.patternProps]] as const) {
    for (const [name, list] of Object.entries(entries)) out.set(kind + name, [...new Set(list.map((t) => t.type))].sort().join(','));
  }
  return out;
}

describe.runIf(sharedOrExplain('built-in core schemas vs dt-schema'))('built-in core schemas vs dt-schema core', () => {
  it('type every property and property pattern of the corpus bindings as dt-schema does', () => {
    const ours = typesOf(loadSchemaSet({ bindings: [bindings], cacheDir: null }).processed.propTypes);
    const theirs = typesOf(loadSchemaSet({ bindings: [bindings], coreSchemas: dtschema, cacheDir: null }).processed.propTypes);
    const differences = [...new Set([...ours.keys(), ...theirs.keys()])]
      .filter((k) => ours.get(k) !== theirs.get(k))
      .map((k) => `${k}: dt-schema ${theirs.get(k) ?? '-'}, built-in ${ours.get(k) ?? '-'}`);
    expect(differences).toEqual([]);
    expect(theirs.size).toBeGreaterThan(250);
  }, 120_000);

  const compositions = [
    ['lemans-evk.dts', 'lemans-el2.dtso'],
    ['qcs9100-ride.dts', 'lemans-el2.dtso'],
    ['qcs9100-ride-r3.dts', 'lemans-el2.dtso'],
  ];
  it.each(compositions)('give the same schema findings on %s + %s', async (base, overlay) => {
    const run = async (coreSchemas?: string) => {
      const options = { ...defaultCheckOptions(path.join(qcom, base), [path.join(qcom, overlay)]), includeDirs: [path.join(linux, 'include')], bindings: [bindings], coreSchemas };
      const { report } = await runCheck(options);
      expect(report.stages.find((s) => s.name === 'schema')?.status).toBe('ran');
      return report.diagnostics.filter((d) => d.rule.startsWith('schema/')).map((d) => `${d.rule} ${d.path ?? ''} ${d.message}`);
    };
    const theirs = await run(dtschema);
    expect(await run()).toEqual(theirs);
  }, 120_000);
});
