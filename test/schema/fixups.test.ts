/** dt-schema's processing of bindings (fixups.ts): each fix-up, natural form in, processed form out. */
import { describe, expect, it } from 'vitest';
import { fixupSchema } from '../../src/schema/fixups.js';
import type { JsonObject } from '../../src/schema/json.js';

/** A binding with one property `name` given `prop`, processed; returns the processed property. */
function processedProperty(name: string, prop: JsonObject, extra: JsonObject = {}): JsonObject {
  const schema = fixupSchema({ $id: 'http://devicetree.org/schemas/t.yaml#', properties: { [name]: prop }, ...extra });
  return (schema.properties as JsonObject)[name] as JsonObject;
}

describe('fixups: array sizes', () => {
  const cases: [string, JsonObject, JsonObject][] = [
    ['items list gives min and max', { items: [{ const: 1 }, { const: 2 }] }, { items: [{ const: 1 }, { const: 2 }], type: 'array', minItems: 2, maxItems: 2 }],
    ['maxItems alone implies minItems', { maxItems: 3 }, { maxItems: 3, minItems: 3 }],
    ['minItems alone implies maxItems', { minItems: 2 }, { minItems: 2, maxItems: 2 }],
    ['explicit range kept', { minItems: 1, maxItems: 4 }, { minItems: 1, maxItems: 4 }],
    [
      'a list of descriptions only counts',
      { items: [{ description: 'a' }, { description: 'b' }] },
      { type: 'array', maxItems: 2, minItems: 2 },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(processedProperty('clocks', input)).toEqual(expected);
  });

  it('does not imply sizes under then/else', () => {
    const schema = fixupSchema({
      $id: 'x#',
      properties: { clocks: true },
      if: { properties: { compatible: { const: 'a' } } },
      then: { properties: { clocks: { maxItems: 2 } } },
    });
    expect(((schema.then as JsonObject).properties as JsonObject).clocks).toEqual({ maxItems: 2 });
  });
});

describe('fixups: value shapes', () => {
  it('a string constraint becomes a one-item list', () => {
    expect(processedProperty('label', { enum: ['a', 'b'] })).toEqual({ items: [{ enum: ['a', 'b'] }], type: 'array', minItems: 1, maxItems: 1 });
  });

  it('reg integer constraints become a matrix row', () => {
    expect(processedProperty('reg', { items: [{ minimum: 0, maximum: 15 }] })).toEqual({
      items: [{ items: [{ minimum: 0, maximum: 15 }], type: 'array', minItems: 1, maxItems: 1 }],
      type: 'array',
      minItems: 1,
      maxItems: 1,
    });
  });

  it('unit-suffix arrays and matrices', () => {
    expect(processedProperty('delay-ms', { maximum: 100 })).toEqual({ items: [{ maximum: 100 }], type: 'array', minItems: 1, maxItems: 1 });
    expect(processedProperty('vdd-microvolt', { minimum: 0 })).toMatchObject({ items: [{ items: [{ minimum: 0 }] }] });
  });

  it('oneOf of bare consts becomes an enum', () => {
    const p = processedProperty('mode', { oneOf: [{ const: 'x', description: 'the x' }, { const: 'y' }] });
    expect(p).toEqual({ items: [{ enum: ['x', 'y'] }], type: 'array', minItems: 1, maxItems: 1 });
  });
});

describe('fixups: node level', () => {
  it('interrupts implies interrupts-extended and interrupt-parent; required becomes either', () => {
    const schema = fixupSchema({ $id: 'x#', properties: { interrupts: { maxItems: 1 } }, required: ['interrupts', 'reg'] });
    const props = schema.properties as JsonObject;
    expect(props['interrupts-extended']).toEqual(props.interrupts);
    expect(props['interrupt-parent']).toBe(true);
    expect(schema.required).toEqual(['reg']);
    expect(schema.oneOf).toEqual([{ required: ['interrupts'] }, { required: ['interrupts-extended'] }]);
  });

  it('closed nodes allow the core properties', () => {
    const schema = fixupSchema({ $id: 'x#', properties: { clocks: true, ranges: true }, additionalProperties: false });
    const props = schema.properties as JsonObject;
    for (const name of ['phandle', 'status', '$nodename', 'pinctrl-names', 'assigned-clocks', 'dma-ranges', 'bootph-all']) expect(props[name]).toBe(true);
    expect((schema.patternProperties as JsonObject)['^pinctrl-[0-9]+$']).toBe(true);
  });

  it('open nodes are left open; additionalProperties: true is dropped', () => {
    const schema = fixupSchema({ $id: 'x#', properties: { a: true }, additionalProperties: true });
    expect(schema).toEqual({ $id: 'x#', properties: { a: true }, type: 'object' });
  });

  it('a select is made from $nodename when there is no compatible (and processed like the rest)', () => {
    const schema = fixupSchema({ $id: 'x#', properties: { $nodename: { pattern: '^mmc@' } } });
    expect(schema.select).toEqual({
      required: ['$nodename'],
      properties: { $nodename: { items: [{ pattern: '^mmc@' }], type: 'array', minItems: 1, maxItems: 1 } },
    });
  });

  it('dependencies are split for draft 2019-09', () => {
    const schema = fixupSchema({ $id: 'x#', dependencies: { a: ['b'], c: { required: ['d'] } } });
    expect(schema.dependentRequired).toEqual({ a: ['b'] });
    expect(schema.dependentSchemas).toEqual({ c: { required: ['d'] } });
  });

  it('drops examples, maintainers and descriptions', () => {
    const schema = fixupSchema({ $id: 'x#', description: 'd', examples: ['e'], maintainers: ['m'], properties: { a: { description: 'x', const: 1 } } });
    expect(schema).toEqual({ $id: 'x#', properties: { a: { const: 1 } }, type: 'object' });
  });
});
