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

  it.each([
    ['an invalid pattern', '"(["', "pattern '([' is not usable: Unterminated character class"],
    ['10,000 open groups', `"${'('.repeat(10_000)}"`, `pattern '${'('.repeat(79)}…' is not usable: groups nested more than 100 deep`],
  ])('%s in a binding is an error at its file and line, and fails the run (validate and check)', async (_what, pattern, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-broken-'));
    try {
      const file = path.join(dir, 'acme,gadget.yaml');
      const yaml = ['$id: http://devicetree.org/schemas/acme,gadget.yaml#', '$schema: http://devicetree.org/meta-schemas/core.yaml#', 'title: Gadget', 'properties:', '  compatible:', '    const: acme,undocumented-gadget', '  acme,mode:', `    pattern: ${pattern}`, ''];
      fs.writeFileSync(file, yaml.join('\n'));
      expect(await main(['validate', path.join(fixtures, 'board.dts'), '--bindings', bindings, '--bindings', dir])).toBe(1);
      expect(err).toContain(`${file}:8:1: error: http://devicetree.org/schemas/acme,gadget.yaml: ${message}`);
      expect(err.length).toBeLessThan(1000);
      err = '';
      expect(await main(['check', path.join(fixtures, 'board.dts'), '--bindings', bindings, '--bindings', dir])).toBe(1);
      expect(out + err).toContain(message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a $ref cycle between bindings (a → b → a) is reported by name, not a stack overflow', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-cycle-'));
    try {
      const head = (name: string) => [`$id: http://devicetree.org/schemas/${name}.yaml#`, '$schema: http://devicetree.org/meta-schemas/core.yaml#', `title: ${name}`];
      fs.writeFileSync(path.join(dir, 'a.yaml'), [...head('a'), '$ref: b.yaml#', 'properties:', '  compatible:', '    const: acme,undocumented-gadget', ''].join('\n'));
      fs.writeFileSync(path.join(dir, 'b.yaml'), [...head('b'), '$ref: a.yaml#', ''].join('\n'));
      expect(await main(['validate', path.join(fixtures, 'board.dts'), '--bindings', bindings, '--bindings', dir])).toBe(1);
      expect(err).toContain(`${path.join(dir, 'a.yaml')}:1:1: error: http://devicetree.org/schemas/a.yaml: $ref cycle a.yaml → b.yaml → a.yaml never reaches a value`);
      expect(err).not.toContain('call stack');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
    // No new chunk; the one read now has its V8 code cache beside it, named for this V8 (and its
    // index of references, and the identity it was written with).
    expect(chunks().sort()).toEqual([
      expect.stringMatching(/\.js$/),
      expect.stringMatching(new RegExp(`\\.js\\.${process.versions.v8.replace(/\./g, '\\.')}[^/]*\\.v8$`)),
      expect.stringMatching(/\.js\.written$/),
      expect.stringMatching(/\.refs\.json$/),
    ]);
  });
});

describe('schema cache entries are checked, and rebuilt when the check fails', () => {
  const badValues = async () => (await loadTree(path.join(fixtures, 'bad-values.dts'), { cpp: false, includeDirs: [], defines: [] })).tree;
  const filesUnder = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const warm = async () => {
    const tree = await badValues();
    const first = loadSchemaSet({ bindings: [bindings], cacheDir });
    const expected = validate(tree, first).diagnostics;
    persistSchemaSet(first);
    expect(expected.length).toBeGreaterThan(0);
    return { tree, expected };
  };

  it('a set entry of the wrong shape ({}) is rebuilt, not a lasting internal error', async () => {
    const { tree, expected } = await warm();
    const entries = filesUnder(path.join(cacheDir, 'sets')).filter((f) => !f.endsWith('.schemas.json'));
    expect(entries).toHaveLength(1);
    fs.writeFileSync(entries[0]!, '{}');
    const again = loadSchemaSet({ bindings: [bindings], cacheDir });
    expect(again.fromCache).toBe(false);
    expect(validate(tree, again).diagnostics).toEqual(expected);
    expect(loadSchemaSet({ bindings: [bindings], cacheDir }).fromCache).toBe(true); // rewritten whole
  });

  it('damaged schemas (cut short: not the body its hash names) are rebuilt when first needed', async () => {
    const { tree, expected } = await warm();
    const schemas = filesUnder(path.join(cacheDir, 'sets')).find((f) => f.endsWith('.schemas.json'))!;
    const text = fs.readFileSync(schemas, 'utf8');
    fs.writeFileSync(schemas, text.slice(0, text.length >> 1));
    fs.rmSync(path.join(cacheDir, 'validators'), { recursive: true }); // so validators are compiled from the schemas
    const again = loadSchemaSet({ bindings: [bindings], cacheDir });
    expect(again.fromCache).toBe(true);
    expect(validate(tree, again).diagnostics).toEqual(expected);
  });

  it('edited validator code is neither run nor trusted: its validators are compiled again', async () => {
    const { tree, expected } = await warm();
    const code = filesUnder(path.join(cacheDir, 'validators')).find((f) => f.endsWith('.js'))!;
    // every validator of the chunk says "valid", and the chunk leaves a mark when it runs
    const edited = fs.readFileSync(code, 'utf8').replace(/function (\w+)\(data, \{/g, 'function $1(data, {') + '\nglobalThis.__dtocEditedChunkRan = true;\n';
    fs.writeFileSync(code, edited);
    fs.rmSync(`${code}.v8`, { force: true });
    const again = loadSchemaSet({ bindings: [bindings], cacheDir });
    expect(validate(tree, again).diagnostics).toEqual(expected);
    expect((globalThis as { __dtocEditedChunkRan?: boolean }).__dtocEditedChunkRan).toBeUndefined();
    expect(fs.existsSync(code)).toBe(false); // removed; the validators went into a new chunk
  });

  it('validator code edited in place to the same size and times is caught: its identity is not the one recorded', async () => {
    const { tree, expected } = await warm();
    const code = filesUnder(path.join(cacheDir, 'validators')).find((f) => f.endsWith('.js'))!;
    expect(fs.existsSync(`${code}.written`)).toBe(true); // the identity recorded when it was written
    const before = fs.statSync(code);
    const text = fs.readFileSync(code, 'utf8');
    // the same length: a one-byte change in a property name the validators test for
    const at = text.indexOf('"compatible"');
    expect(at).toBeGreaterThan(0);
    fs.writeFileSync(code, `${text.slice(0, at + 1)}X${text.slice(at + 2)}`);
    fs.utimesSync(code, before.atime, before.mtime); // the change time still moves
    expect(fs.statSync(code).size).toBe(before.size);
    const again = loadSchemaSet({ bindings: [bindings], cacheDir });
    expect(validate(tree, again).diagnostics).toEqual(expected);
    expect(fs.existsSync(code)).toBe(false);
    expect(fs.existsSync(`${code}.written`)).toBe(false);
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
