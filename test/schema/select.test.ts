/**
 * Which schemas a node meets (select.ts, process.ts): the compatible map (first compatible a
 * schema names; generic fallbacks not claimed by multi-compatible schemas), the select index (only
 * skips selects that cannot match), and the documented-compatibles answer.
 */
import { describe, expect, it } from 'vitest';
import { DocumentedCompatibles } from '../../src/schema/compile.js';
import { processSchemas } from '../../src/schema/process.js';
import { buildSelectIndex, selectCandidates } from '../../src/schema/select.js';

const set = processSchemas([
  { file: 'a.yaml', schema: { $id: 'http://devicetree.org/schemas/a.yaml#', properties: { compatible: { items: [{ const: 'acme,a' }, { const: 'syscon' }] } } } },
  { file: 'syscon.yaml', schema: { $id: 'http://devicetree.org/schemas/syscon.yaml#', properties: { compatible: { const: 'syscon' } } } },
  {
    file: 'b.yaml',
    schema: {
      $id: 'http://devicetree.org/schemas/b.yaml#',
      select: { properties: { compatible: { contains: { enum: ['acme,b1', 'acme,b2'] } } }, required: ['compatible'] },
      properties: { compatible: true },
    },
  },
  { file: 'mmc.yaml', schema: { $id: 'http://devicetree.org/schemas/mmc.yaml#', properties: { $nodename: { pattern: '^mmc(@.*)?$' } } } },
  { file: 'core.yaml', schema: { $id: 'http://devicetree.org/schemas/core.yaml#', select: true, properties: { status: true } } },
  { file: 'dup.yaml', schema: { $id: 'http://devicetree.org/schemas/a.yaml#', properties: {} } },
]);

describe('schema selection', () => {
  it('maps compatibles to schemas; a multi-compatible schema does not claim syscon', () => {
    expect(set.compatMap['acme,a']).toBe('http://devicetree.org/schemas/a.yaml#');
    expect(set.compatMap.syscon).toBe('http://devicetree.org/schemas/syscon.yaml#');
    expect(set.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("ignoring duplicate '$id'")]);
  });

  it('lists select schemas in order, with a select made from $nodename', () => {
    expect(set.always).toEqual([
      'http://devicetree.org/schemas/b.yaml#',
      'http://devicetree.org/schemas/mmc.yaml#',
      'http://devicetree.org/schemas/core.yaml#',
      'generated-compatibles',
    ]);
  });

  it('indexes compatible selects and guards the others by what they require', () => {
    const index = buildSelectIndex(set.always, (id) => set.selects[id]);
    const names = (node: Record<string, unknown>) => selectCandidates(index, node, node.compatible, Array.isArray(node.$nodename) ? String(node.$nodename[0]) : 'x').map((i) => set.always[i]);
    expect(names({ compatible: ['acme,b2'] })).toEqual(['http://devicetree.org/schemas/b.yaml#', 'http://devicetree.org/schemas/core.yaml#', 'generated-compatibles']);
    expect(names({ compatible: ['acme,c'] })).toEqual(['http://devicetree.org/schemas/core.yaml#', 'generated-compatibles']);
    expect(names({ $nodename: ['mmc@1'] })).toEqual(['http://devicetree.org/schemas/mmc.yaml#', 'http://devicetree.org/schemas/core.yaml#', 'generated-compatibles']);
  });

  it('answers which compatibles are documented', () => {
    const documented = DocumentedCompatibles.fromSchema(set.generatedCompatibles);
    expect(documented.allDocumented(['acme,a', 'syscon'])).toBe(true);
    expect(documented.allDocumented(['acme,b1'])).toBe(true);
    expect(documented.allDocumented(['acme,zzz'])).toBe(false);
    expect(documented.allDocumented(['foo-bar', 'test,x'])).toBe(true); // dt-schema's allowances for examples and tests
  });
});
