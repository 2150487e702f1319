/**
 * The built-in core schemas (schemas/core, our own) against dt-schema's core (../shared/corpus/dtschema,
 * the oracle): with the corpus bindings they must type every property the same way, and `check` on
 * the three Lemans EL2 compositions must give the same schema findings with either core.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { loadSchemaSet } from '../../src/schema/index.js';
import { builtinCoreSchemaDir, chooseCoreSchemas, dtschemaVersionOf, vendoredDtschemaDir } from '../../src/schema/load.js';
import type { PropTypeTable } from '../../src/schema/prop-types.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

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

describe('choosing the core schemas', () => {
  const fakeDtschema = (root: string): string => {
    const dir = path.join(root, 'dtschema');
    fs.mkdirSync(path.join(dir, 'schemas'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'schemas', 'types.yaml'), '$id: http://devicetree.org/schemas/types.yaml#\n');
    return dir;
  };

  it('takes the vendored copy only where it holds dt-schema schemas, and reads its version', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtschema-vendor-'));
    try {
      expect(vendoredDtschemaDir(root)).toBeUndefined();
      const dir = fakeDtschema(root);
      expect(vendoredDtschemaDir(dir)).toBe(dir);
      expect(dtschemaVersionOf(dir)).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'SOURCE'), '# comment\nversion 2025.06.1\nsha256 0123\n');
      expect(dtschemaVersionOf(dir)).toBe('2025.06.1');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes --core-schemas first, then DTOVERLAY_CHECK_CORE_SCHEMAS, then the vendored dt-schema core, then its own', () => {
    expect(chooseCoreSchemas('/x', { DTOVERLAY_CHECK_CORE_SCHEMAS: '/y' }, '/v')).toEqual({ dir: '/x', origin: 'given' });
    expect(chooseCoreSchemas(undefined, { DTOVERLAY_CHECK_CORE_SCHEMAS: '/y' }, '/v')).toEqual({ dir: '/y', origin: 'environment' });
    expect(chooseCoreSchemas(undefined, { DTOVERLAY_CHECK_CORE_SCHEMAS: 'builtin' }, '/v')).toEqual({ dir: builtinCoreSchemaDir(), origin: 'built-in' });
    expect(chooseCoreSchemas(undefined, {}, '/v')).toEqual({ dir: '/v', origin: 'vendored dt-schema' });
    expect(chooseCoreSchemas(undefined, {}, '')).toEqual({ dir: builtinCoreSchemaDir(), origin: 'built-in' });
  });

  /** A binding folder whose one binding `$ref`s dt-schema's graph.yaml, which the built-in set lacks. */
  const bindingsWithGraphRef = (): string => {
    const bindings = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-'));
    fs.mkdirSync(path.join(bindings, 'soc'));
    fs.writeFileSync(
      path.join(bindings, 'soc/example-board.yaml'),
      [
        '$id: http://devicetree.org/schemas/soc/example-board.yaml#',
        '$schema: http://devicetree.org/meta-schemas/core.yaml#',
        'title: Example board',
        'maintainers: [ Nobody <nobody@example.com> ]',
        'properties:',
        '  compatible:',
        '    contains: { const: example,lemans-mini }',
        '  ports:',
        '    $ref: /schemas/graph.yaml#/properties/ports',
        'additionalProperties: true',
        '',
      ].join('\n'),
    );
    return bindings;
  };
  const example = path.join(repoRoot, 'fixtures/example/lemans-mini.dts');

  it('check warns once, naming them, when the bindings use schemas that are not loaded', async () => {
    const bindings = bindingsWithGraphRef();
    try {
      const { report } = await runCheck({ ...defaultCheckOptions(example), bindings: [bindings] });
      const schema = report.stages.find((s) => s.name === 'schema');
      expect(schema?.status).toBe('ran');
      expect(schema?.note).toBe('built-in core schemas');
      const refs = report.diagnostics.filter((d) => d.rule === 'schema/ref');
      expect(refs).toHaveLength(1);
      expect(refs[0]!.severity).toBe('warning');
      expect(refs[0]!.message).toMatch(/1 schema\(s\) that are not loaded \(graph\.yaml\)/);
      expect(refs[0]!.message).toMatch(/scripts\/vendor-dtschema\.sh/);
    } finally {
      fs.rmSync(bindings, { recursive: true, force: true });
    }
  });

  it('validate says the same on stderr', async () => {
    const { main } = await import('../../src/cli/main.js');
    const bindings = bindingsWithGraphRef();
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await main(['validate', example, '--bindings', bindings]);
      expect(err).toMatch(/warning: the bindings use 1 schema\(s\) that are not loaded \(graph\.yaml\).*\[schema\/ref\]/);
    } finally {
      spy.mockRestore();
      quiet.mockRestore();
      fs.rmSync(bindings, { recursive: true, force: true });
    }
  });
});
