/**
 * Validation end to end on our own fixtures (fixtures/schema/): source trees give spans, overlays
 * are validated merged with the finding on the .dtso line, blobs give the same findings, disabled
 * nodes are not held to `required`, undocumented compatibles are reported on request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDtb } from '../../src/dtb/read.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { loadTree } from '../../src/overlay/inputs.js';
import { loadSchemaSet, validate } from '../../src/schema/index.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { referenceDtc } from '../support/reference.js';
import { repoRoot } from '../support/shared.js';

const fixtures = path.join(repoRoot, 'fixtures/schema');
const set = loadSchemaSet({ bindings: [path.join(fixtures, 'bindings')], cacheDir: null });
const source = { cpp: false, includeDirs: [], defines: [] };

function summary(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.rule} ${d.path}${d.property ? `:${d.property}` : ''} ${d.schema}`).sort();
}

describe('schema validation on fixtures', () => {
  it('accepts a valid board; a disabled node is not held to required', async () => {
    const board = await loadTree(path.join(fixtures, 'board.dts'), source);
    const result = validate(board.tree, set);
    expect(result.diagnostics).toEqual([]);
  });

  it('reports undocumented compatibles with unmatched', async () => {
    const board = await loadTree(path.join(fixtures, 'board.dts'), source);
    const result = validate(board.tree, set, { unmatched: true });
    expect(result.unmatched.map((u) => u.path).sort()).toEqual(['/clock-xo', '/gadget@40000000']);
  });

  it("points an overlay's iommus error at the .dtso line", async () => {
    const board = await loadTree(path.join(fixtures, 'board.dts'), source);
    const overlay = await loadTree(path.join(fixtures, 'pas-el2.dtso'), source);
    const applied = applyOverlays(board.tree, [{ tree: overlay.tree, name: overlay.file }]);
    const { diagnostics } = validate(applied.tree, set);
    expect(summary(diagnostics)).toEqual(['schema/maxItems /remoteproc@30000000:iommus http://devicetree.org/schemas/remoteproc/acme,pas.yaml#']);
    const span = diagnostics[0]!.span!;
    expect(path.basename(span.file)).toBe('pas-el2.dtso');
    expect(span.line).toBe(5);
    expect(diagnostics[0]!.message).toContain('is too long');
  });

  it('gives source lines for bad values, and the same findings from the blob', async () => {
    const file = path.join(fixtures, 'bad-values.dts');
    const fromSource = validate((await loadTree(file, source)).tree, set).diagnostics;
    expect(summary(fromSource)).toEqual([
      'schema/additionalProperties /remoteproc@30000000:acme,unknown-prop http://devicetree.org/schemas/remoteproc/acme,pas.yaml#',
      'schema/maxItems /remoteproc@30000000:firmware-name http://devicetree.org/schemas/remoteproc/acme,pas.yaml#',
      'schema/maxItems /remoteproc@30000000:reg http://devicetree.org/schemas/remoteproc/acme,pas.yaml#',
    ]);
    const lines = Object.fromEntries(fromSource.map((d) => [d.property, d.span?.line]));
    expect(lines).toEqual({ reg: 20, 'firmware-name': 23, 'acme,unknown-prop': 24 });

    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-blob-'));
    try {
      const out = referenceDtc(['-O', 'dtb', '-o', 'bad.dtb', 'bad.dts'], { files: { 'bad.dts': fs.readFileSync(file, 'utf8') } });
      expect(out.status).toBe(0);
      const fromBlob = validate(readDtb(out.outputs['bad.dtb']!), set).diagnostics;
      expect(summary(fromBlob)).toEqual(summary(fromSource));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('reports a reference to a schema that is not loaded, by name, and fails what uses it (never fetched)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-ref-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'acme,thing.yaml'),
        [
          '$id: http://devicetree.org/schemas/acme,thing.yaml#',
          '$schema: http://devicetree.org/meta-schemas/core.yaml#',
          'title: Thing',
          'properties:',
          '  compatible:',
          '    const: acme,thing',
          '  acme,mode:',
          '    $ref: https://example.com/schemas/remote.yaml#',
          'additionalProperties: false',
          '',
        ].join('\n'),
      );
      const refSet = loadSchemaSet({ bindings: [dir], cacheDir: null });
      const tree = (await loadTree(path.join(fixtures, 'board.dts'), source)).tree;
      const thing = tree.root.getChild('gadget@40000000')!;
      thing.getProperty('compatible')!.value = { bytes: Buffer.from('acme,thing\0'), markers: [] };
      const { Property } = await import('../../src/tree/model.js');
      thing.properties.push(new Property('acme,mode', { bytes: Buffer.from([0, 0, 0, 1]), markers: [] }));
      const { diagnostics } = validate(tree, refSet);
      expect(refSet.runtime.diagnostics.map((d) => d.message)).toEqual([
        expect.stringContaining("unresolved $ref to 'https://example.com/schemas/remote.yaml'"),
      ]);
      expect(diagnostics.filter((d) => d.path === '/gadget@40000000').map((d) => `${d.rule} ${d.property}`)).toEqual(['schema/additionalProperties reg', 'schema/not acme,mode']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
