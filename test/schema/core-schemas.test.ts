/**
 * The core schemas: which folder a run uses (--core-schemas, DTOVERLAY_CHECK_CORE_SCHEMAS, else
 * dt-schema's core vendored in vendor/dtschema/, shipped in the package), and that the vendored
 * release (2025.08, see vendor/dtschema/SOURCE) types the corpus bindings and judges the Lemans
 * EL2 compositions as the v2025.06.1 core of the references (../shared/corpus/dtschema, the
 * oracle's core) does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../src/pipeline/run.js';
import { defaultCheckOptions } from '../../src/pipeline/options.js';
import { loadSchemaSet } from '../../src/schema/index.js';
import { chooseCoreSchemas, dtschemaVersionOf, holdsDtschemaCore, vendoredDtschemaDir, vendoredDtschemaPath } from '../../src/schema/load.js';
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

describe.runIf(sharedOrExplain('vendored dt-schema core vs the references\' core'))('the vendored dt-schema core vs v2025.06.1 (the references\' core)', () => {
  it('types every property and property pattern of the corpus bindings alike, but for what 2025.08 added', () => {
    const vendored = typesOf(loadSchemaSet({ bindings: [bindings], cacheDir: null }).processed.propTypes);
    const reference = typesOf(loadSchemaSet({ bindings: [bindings], coreSchemas: dtschema, cacheDir: null }).processed.propTypes);
    const differences = [...new Set([...vendored.keys(), ...reference.keys()])]
      .filter((k) => vendored.get(k) !== reference.get(k))
      .map((k) => `${k}: 2025.06.1 ${reference.get(k) ?? '-'}, vendored ${vendored.get(k) ?? '-'}`)
      .sort();
    // Each one is a change of a vendored file that test/scripts/vendor-dtschema.test.ts lists.
    expect(differences).toEqual([
      'assigned-clock-sscs: 2025.06.1 -, vendored uint32-matrix', // clock/clock.yaml: new property
      'bootsource: 2025.06.1 -, vendored string', // chosen.yaml: new property
      'idle-state-name: 2025.06.1 -, vendored string', // system-idle-states.yaml: new schema
      'linux,kho-fdt: 2025.06.1 -, vendored address', // chosen.yaml: new property
      'linux,kho-scratch: 2025.06.1 -, vendored address', // chosen.yaml: new property
      'pattern -db$: 2025.06.1 -, vendored int32-array', // property-units.yaml: new unit suffix
      'wakeup-source: 2025.06.1 flag, vendored flag,phandle-array', // wakeup-source.yaml: a flag or phandles to idle states
    ]);
    expect(reference.size).toBeGreaterThan(250);
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
    const reference = await run(dtschema);
    expect(await run()).toEqual(reference);
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
      expect(holdsDtschemaCore(root)).toBe(false);
      const dir = fakeDtschema(root);
      expect(vendoredDtschemaDir(dir)).toBe(dir);
      expect(holdsDtschemaCore(path.join(dir, 'schemas'))).toBe(true);
      expect(dtschemaVersionOf(dir)).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'SOURCE'), '# comment\nversion 2025.06.1\nsha256 0123\n');
      expect(dtschemaVersionOf(dir)).toBe('2025.06.1');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes --core-schemas first, then DTOVERLAY_CHECK_CORE_SCHEMAS, then the vendored dt-schema core; nothing else', () => {
    expect(chooseCoreSchemas('/x', { DTOVERLAY_CHECK_CORE_SCHEMAS: '/y' }, '/v')).toEqual({ dir: '/x', origin: 'given' });
    expect(chooseCoreSchemas(undefined, { DTOVERLAY_CHECK_CORE_SCHEMAS: '/y' }, '/v')).toEqual({ dir: '/y', origin: 'environment' });
    expect(chooseCoreSchemas(undefined, { DTOVERLAY_CHECK_CORE_SCHEMAS: '' }, '/v')).toEqual({ dir: '/v', origin: 'vendored dt-schema' });
    expect(chooseCoreSchemas(undefined, {})).toEqual({ dir: path.join(repoRoot, 'vendor/dtschema'), origin: 'vendored dt-schema' });
  });

  it('the package ships the vendored core: npm pack holds its schemas, meta-schemas, licence and SOURCE', () => {
    expect(vendoredDtschemaDir()).toBe(vendoredDtschemaPath());
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(pack.status).toBe(0);
    const files = new Set((JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    const vendored = (dir: string) => fs.readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`);
    const wanted = [...vendored('vendor/dtschema/schemas'), ...vendored('vendor/dtschema/meta-schemas'), 'vendor/dtschema/LICENSE.txt', 'vendor/dtschema/SOURCE'];
    expect(wanted).toContain('vendor/dtschema/schemas/types.yaml');
    expect(wanted.length).toBeGreaterThan(80);
    expect(wanted.filter((f) => !files.has(f))).toEqual([]);
  }, 90_000);

  /** A binding folder whose one binding `$ref`s a schema that no folder has. */
  const bindingsWithMissingRef = (): string => {
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
        '    $ref: /schemas/example/not-there.yaml#/properties/ports',
        'additionalProperties: true',
        '',
      ].join('\n'),
    );
    return bindings;
  };
  const example = path.join(repoRoot, 'fixtures/example/lemans-mini.dts');

  it('check warns once, naming them, when the bindings use schemas that are not loaded', async () => {
    const bindings = bindingsWithMissingRef();
    try {
      const { report } = await runCheck({ ...defaultCheckOptions(example), bindings: [bindings] });
      const schema = report.stages.find((s) => s.name === 'schema');
      expect(schema?.status).toBe('ran');
      expect(schema?.note).toMatch(/^dt-schema 2025\.08 core schemas \(vendored\)$/);
      const refs = report.diagnostics.filter((d) => d.rule === 'schema/ref');
      expect(refs).toHaveLength(1);
      expect(refs[0]!.severity).toBe('warning');
      expect(refs[0]!.message).toMatch(/1 schema\(s\) that are not loaded \(example\/not-there\.yaml\)/);
      // the vendored core is there: no advice to get it
      expect(refs[0]!.message).not.toMatch(/vendor-dtschema/);
    } finally {
      fs.rmSync(bindings, { recursive: true, force: true });
    }
  });

  it('a core folder without dt-schema\'s core: the warning says how to get it', async () => {
    const bindings = bindingsWithMissingRef();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-core-'));
    try {
      const { report } = await runCheck({ ...defaultCheckOptions(example), bindings: [bindings], coreSchemas: empty });
      expect(report.stages.find((s) => s.name === 'schema')?.note).toBe(`core schemas: ${empty} (given)`);
      const refs = report.diagnostics.filter((d) => d.rule === 'schema/ref');
      expect(refs).toHaveLength(1);
      expect(refs[0]!.message).toMatch(/not loaded \(.*types\.yaml.*\)/);
      expect(refs[0]!.message).toContain(`the core schemas folder ${empty} holds no dt-schema core (types.yaml)`);
      expect(refs[0]!.message).toMatch(/scripts\/vendor-dtschema\.sh/);
    } finally {
      fs.rmSync(bindings, { recursive: true, force: true });
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('validate says the same on stderr', async () => {
    const { main } = await import('../../src/cli/main.js');
    const bindings = bindingsWithMissingRef();
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await main(['validate', example, '--bindings', bindings]);
      expect(err).toMatch(/warning: the bindings use 1 schema\(s\) that are not loaded \(example\/not-there\.yaml\).*\[schema\/ref\]/);
    } finally {
      spy.mockRestore();
      quiet.mockRestore();
      fs.rmSync(bindings, { recursive: true, force: true });
    }
  });
});
