/** `$ref` cycles that never reach a deeper value (src/schema/ref-cycles.ts). */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/schema/json.js';
import { findRefCycle } from '../../src/schema/ref-cycles.js';

const base = 'http://devicetree.org/schemas/';
const setOf = (schemas: Record<string, JsonObject>) => (id: string) => schemas[id.slice(base.length)];

describe('findRefCycle', () => {
  it('names a cycle through $ref, allOf and if/then', () => {
    const schemaOf = setOf({
      'a.yaml': { $ref: 'b.yaml#' },
      'b.yaml': { allOf: [{ if: { required: ['x'] }, then: { $ref: 'c.yaml#/$defs/d' } }] },
      'c.yaml': { $defs: { d: { $ref: 'a.yaml#' } } },
    });
    expect(findRefCycle(`${base}a.yaml`, schemaOf)).toEqual([`${base}a.yaml`, `${base}b.yaml`, `${base}c.yaml#/$defs/d`, `${base}a.yaml`]);
    expect(findRefCycle(`${base}self.yaml`, setOf({ 'self.yaml': { $ref: '#' } }))).toEqual([`${base}self.yaml`, `${base}self.yaml`]);
  });

  it('accepts recursion that goes one value deeper (properties, items) and shared references', () => {
    const schemaOf = setOf({
      'node.yaml': { properties: { child: { $ref: '#' } }, patternProperties: { '^n': { $ref: 'node.yaml#' } }, items: { $ref: '#' } },
      'x.yaml': { allOf: [{ $ref: 'y.yaml#' }, { $ref: 'y.yaml#' }], oneOf: [{ $ref: 'node.yaml#' }] },
      'y.yaml': {},
    });
    expect(findRefCycle(`${base}node.yaml`, schemaOf)).toBeUndefined();
    expect(findRefCycle(`${base}x.yaml`, schemaOf)).toBeUndefined();
  });

  it('follows a chain of 100,000 references without overflowing the stack', () => {
    const n = 100_000;
    const schemaOf = (id: string): JsonObject | undefined => {
      const i = Number(id.slice(base.length).replace('.yaml', ''));
      return Number.isNaN(i) ? undefined : { $ref: `${(i + 1) % n}.yaml#` };
    };
    expect(findRefCycle(`${base}0.yaml`, schemaOf)).toHaveLength(n + 1);
  });
});
