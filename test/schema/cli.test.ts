/**
 * The `validate` and `validate-bindings` commands through main(), and the on-disk cache (a second
 * load reads the processed set and the compiled validators instead of YAML and ajv).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadTree } from '../../src/overlay/inputs.js';
import { loadSchemaSet, persistSchemaSet, validate } from '../../src/schema/index.js';
import { repoRoot, sharedDir, sharedOrExplain } from '../support/shared.js';

const fixtures = path.join(repoRoot, 'fixtures/schema');
const bindings = path.join(fixtures, 'bindings');

let cacheDir: string;
let out: string;
let err: string;
beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-cache-'));
  vi.stubEnv('DTOVERLAY_CHECK_CACHE', cacheDir);
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

describe('validate command', () => {
  it('exits 0 on a valid board', async () => {
    expect(await main(['validate', path.join(fixtures, 'board.dts'), '--bindings', bindings])).toBe(0);
    expect(out).toBe('');
  });

  it('reports an overlay finding at the .dtso line, text and json', async () => {
    const args = ['validate', path.join(fixtures, 'board.dts'), path.join(fixtures, 'pas-el2.dtso'), '--bindings', bindings];
    expect(await main(args)).toBe(1);
    expect(out).toMatch(/pas-el2\.dtso:5:\d+: error: remoteproc@30000000 \(acme,soc-adsp-pas\): iommus: .* is too long \[schema\/maxItems\]/);
    expect(out).toContain('\tfrom schema $id: http://devicetree.org/schemas/remoteproc/acme,pas.yaml#');

    out = '';
    expect(await main([...args, '--format', 'json'])).toBe(1);
    const report = JSON.parse(out) as { diagnostics: { rule: string; schema: string; span: { file: string; line: number } }[] };
    expect(report.diagnostics.map((d) => [d.rule, d.schema, path.basename(d.span.file), d.span.line])).toEqual([
      ['schema/maxItems', 'http://devicetree.org/schemas/remoteproc/acme,pas.yaml#', 'pas-el2.dtso', 5],
    ]);
  });

  it('--only-overlay keeps findings in nodes the overlay touched; --unmatched adds undocumented compatibles', async () => {
    const args = ['validate', path.join(fixtures, 'bad-values.dts'), path.join(fixtures, 'pas-el2.dtso'), '--bindings', bindings];
    // bad-values.dts has no &adsp label: the overlay cannot apply, which is an input error.
    expect(await main(args)).toBe(2);
    expect(await main(['validate', path.join(fixtures, 'board.dts'), '--bindings', bindings, '--unmatched'])).toBe(1);
    expect(out).toContain("/gadget@40000000: failed to match any schema with compatible: ['acme,undocumented-gadget']");
    out = '';
    expect(await main(['validate', path.join(fixtures, 'board.dts'), path.join(fixtures, 'pas-el2.dtso'), '--bindings', bindings, '--unmatched', '--only-overlay'])).toBe(1);
    expect(out).not.toContain('gadget');
    expect(out).toContain('iommus');
  });

  it('names an unknown file as an input error', async () => {
    expect(await main(['validate', path.join(fixtures, 'nope.dts'), '--bindings', bindings])).toBe(2);
    expect(err).toContain('nope.dts');
  });
});

describe('schema cache', () => {
  it('reuses the processed set and the compiled validators', async () => {
    const tree = (await loadTree(path.join(fixtures, 'bad-values.dts'), { cpp: false, includeDirs: [], defines: [] })).tree;
    const first = loadSchemaSet({ bindings: [bindings], cacheDir });
    expect(first.fromCache).toBe(false);
    const expected = validate(tree, first).diagnostics;
    persistSchemaSet(first);
    const chunks = (): string[] => fs.readdirSync(path.join(cacheDir, 'validators', fs.readdirSync(path.join(cacheDir, 'validators'))[0]!));
    expect(chunks().filter((f) => f.endsWith('.js')).length).toBe(1);

    const second = loadSchemaSet({ bindings: [bindings], cacheDir });
    expect(second.fromCache).toBe(true);
    expect(second.processed.schemas).toEqual([]); // read only if something must be compiled
    expect(validate(tree, second).diagnostics).toEqual(expected);
    persistSchemaSet(second);
    // No new chunk; the one read now has its V8 code cache beside it (and its index of references).
    expect(chunks().sort()).toEqual([expect.stringMatching(/\.js$/), expect.stringMatching(/\.js\.v8$/), expect.stringMatching(/\.refs\.json$/)]);
  });
});

describe.runIf(sharedOrExplain('validate-bindings on the corpus core schemas'))('validate-bindings', () => {
  it('accepts the fixture bindings and names what a broken one lacks', async () => {
    const core = path.join(sharedDir, 'corpus/dtschema');
    expect(await main(['validate-bindings', bindings, '--core-schemas', core])).toBe(0);
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-binding-'));
    try {
      fs.writeFileSync(
        path.join(broken, 'acme,broken.yaml'),
        ['$id: http://devicetree.org/schemas/acme,broken.yaml#', '$schema: http://devicetree.org/meta-schemas/core.yaml#', 'title: Broken', 'properties:', '  compatible:', '    const: acme,broken', ''].join('\n'),
      );
      expect(await main(['validate-bindings', broken, '--core-schemas', core])).toBe(1);
      expect(out).toContain('acme,broken.yaml');
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});
